"""Operation handlers: translate HTTP to service calls and back, nothing more.

connexion has validated the body against the specification before a handler runs (the
handlers take it as the validator read it, ``validated_body``, so it is parsed once); the
handlers map the result of the service to a status, headers and a body, and let the
error handlers of ``app.py`` turn service errors into ProblemDetails.
"""

from __future__ import annotations

from typing import Any

from connexion.context import scope
from connexion.jsonifier import Jsonifier
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from nf_common.application import api_root
from nf_common.destinations import DestinationCheck, undeliverable
from nf_common.validation import validated_body
from pcf_server.api.access import CONSUMER_KEY
from pcf_server.policy.commands import CreatePolicy
from pcf_server.policy.model import NO_TOKEN_CONSUMER
from pcf_server.service import BdtPolicyControl, EquivalentPolicyExists
from pcf_server.settings import BASE_PATH
from pcf_server.wire.bdt import check_destination, create_command, policy_to_document
from pcf_server.wire.updates import update_from_document

_JSON = "application/json"
# connexion's own serializer of handler results, as the response decorator would use it.
_JSONIFIER = Jsonifier()
Reply = Response


def _json_reply(
    document: dict[str, Any], status: int, headers: dict[str, str] | None = None
) -> Response:
    """The response connexion would build from ``(document, status, headers)``.

    Built here because connexion would first look up, for each response, the media type
    the operation produces and whether the handler set one: ours are all JSON.
    """
    return Response(
        _JSONIFIER.dumps(document),
        status,
        headers={"Content-Type": _JSON, **(headers or {})},
        media_type=_JSON,
    )


def _without_body(status: int, headers: dict[str, str] | None = None) -> Response:
    # A framework response: connexion would otherwise insist on a Content-Type.
    return Response(status_code=status, headers=headers)


def _consumer() -> str:
    """The NF the request acts for, as access control (api.access) found it."""
    consumer: str = scope.get(CONSUMER_KEY, NO_TOKEN_CONSUMER)
    return consumer


class BdtPolicyHandlers:
    """One method per operationId of the specification."""

    def __init__(
        self,
        service: BdtPolicyControl,
        api_root: str | None,
        destinations: DestinationCheck = undeliverable,
        *,
        reads_on_loop: bool = False,
    ) -> None:
        """``reads_on_loop``: the store answers a read without waiting on I/O (SQLite).

        A GET, and a Create's look for an equivalent stored policy (a 303 is a read),
        then read on the event loop; a hop to the threadpool and back would cost more
        than the read. Reads that may wait on a server (PostgreSQL) go to the threadpool,
        so that no request waits behind another's network round trip.
        """
        self._service = service
        self._api_root = api_root.rstrip("/") if api_root else None
        self._destinations = destinations
        self._reads_on_loop = reads_on_loop

    def _location(self, policy_id: str) -> str:
        return f"{api_root(self._api_root)}{BASE_PATH}/bdtpolicies/{policy_id}"

    async def create_bdt_policy(self) -> Reply:
        """201 with the new policy, or 303 to an equivalent one the consumer has.

        A repeated Create is answered 303 before its notifUri's destination is checked
        (whatever the store): that check may resolve a host name, so it runs in the
        threadpool, and on SQLite the look for an equivalent policy does not.
        """
        body: dict[str, Any] = validated_body(scope)
        command = create_command(body, _consumer(), None)
        if not self._reads_on_loop:
            return await run_in_threadpool(self._create, command, False)
        try:
            self._service.refuse_equivalent(command)
        except EquivalentPolicyExists as existing:
            return self._see_other(existing)
        return await run_in_threadpool(self._create, command, True)

    def _create(self, command: CreatePolicy, looked: bool) -> Reply:
        """The rest of a Create, in a thread; ``looked``: ``refuse_equivalent`` has run."""
        try:
            if not looked:
                self._service.refuse_equivalent(command)
            check_destination(command, self._destinations)
            policy = self._service.create(command, equivalence_checked=True)
        except EquivalentPolicyExists as existing:
            return self._see_other(existing)
        headers = {"Location": self._location(policy.policy_id)}
        return _json_reply(policy_to_document(policy), 201, headers)

    def _see_other(self, existing: EquivalentPolicyExists) -> Reply:
        # TS 29.554 5.3.2.3.1: 303 with the Location of the equivalent policy, no body.
        return _without_body(303, {"Location": self._location(existing.policy_id)})

    async def get_bdt_policy(self, bdt_policy_id: str) -> Reply:
        consumer = _consumer()
        if self._reads_on_loop:
            policy = self._service.get(bdt_policy_id, consumer=consumer)
        else:
            policy = await run_in_threadpool(self._service.get, bdt_policy_id, consumer=consumer)
        return _json_reply(policy_to_document(policy), 200)

    def update_bdt_policy(self, bdt_policy_id: str) -> Reply:
        """200 with the new BdtPolicy; 204 when the Update removed the policy.

        TS 29.554 4.2.3.2 allows either status; 200 tells the NEF the state it changed,
        and only a removal ("none acceptable") leaves no state to tell.
        """
        patch = update_from_document(validated_body(scope))
        policy = self._service.update(bdt_policy_id, patch, consumer=_consumer())
        if policy is None:  # selTransPolicyId 0: the policy was removed
            return _without_body(204)
        return _json_reply(policy_to_document(policy), 200)
