"""The connexion application of the NEF gateway, routed from the 3gpp-bdt specification.

It serves ``{apiRoot}/3gpp-bdt/v1`` from the bundled specification (generated from our
``specs/``), with the request checks every server of ours makes (``nf_common``: every
schema error as ProblemDetails with a cause and ``invalidParams``, 404/405/406/413 before
routing), and beside it the endpoint where the PCF posts its warnings:
``/nef-bdt-callbacks/v1/pcf-notifications/{subscriptionId}``, validated against the
TS 29.554 Notification schema by ``nef_client.receiver``.

TS 29.122 errors: 400 for bodies the NEF cannot carry out, 403 REQUEST_NOT_AUTHORIZED for
an AF the NEF does not serve, 404 SUBSCRIPTION_NOT_FOUND for an unknown subscription and
for another AF's (which must not learn that it exists); the PCF's refusals keep their
status and cause (403 BDT_CAPACITY_UNAVAILABLE), with the attributes they name given in
3gpp-bdt terms; a PCF that cannot be reached is 503 TARGET_NF_NOT_REACHABLE, and a
store other writers keep locked 503 NF_CONGESTION.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path
from typing import Any

import connexion
from connexion.lifecycle import ConnexionRequest, ConnexionResponse

from nef_client.receiver import NotificationReceiver
from nef_gateway.api.handlers import SubscriptionHandlers
from nef_gateway.domain import GroupTranslator, RequestError, northbound_pointer
from nef_gateway.pcf import PcfRefused, PcfUnavailable, PolicyGone
from nef_gateway.service import BdtSubscriptions, NotAuthorized, SubscriptionNotFound
from nef_gateway.settings import BASE_PATH, CALLBACK_PATH
from nf_common.application import add_api, new_app
from nf_common.asgi import Receive, Scope, Send
from nf_common.delivery import NotificationSender
from nf_common.guard import add_guard
from nf_common.ports import StoreBusy
from nf_common.problems import CAUSE_PRIORITY, problem_document, send_problem
from nf_common.responses import add_error_handlers, problem

SPEC_NAME = "openapi-3gpp-bdt.yaml"
_CALLBACK = re.compile(rf"^{re.escape(CALLBACK_PATH)}/([^/]+)$")


def spec_path() -> Path:
    """The bundled 3gpp-bdt specification: in the wheel, or generated/ of a checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / SPEC_NAME, here.parent / "generated" / SPEC_NAME):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{SPEC_NAME} not found in {here} nor in ../generated")


def _request_error(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, RequestError)
    errors = exc.all
    cause = min((e.cause for e in errors), key=CAUSE_PRIORITY.index)
    params = [{"param": e.pointer, "reason": e.reason} for e in errors]
    detail = "; ".join(str(e) for e in errors)
    return problem(problem_document(400, cause, "Bad Request", detail, params))


def _not_found(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    return problem(problem_document(404, "SUBSCRIPTION_NOT_FOUND", "Not Found", str(exc)))


def _not_authorized(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    return problem(problem_document(403, "REQUEST_NOT_AUTHORIZED", "Forbidden", str(exc)))


def _pcf_refused(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """The PCF's answer in 3gpp-bdt terms (see the module docstring)."""
    assert isinstance(exc, PcfRefused)
    detail = f"the PCF refused: {exc.detail}"
    if exc.status in (400, 403):
        params = [
            {**p, "param": northbound_pointer(p["param"])}
            for p in exc.invalid_params
            if "param" in p
        ]
        return problem(problem_document(exc.status, exc.cause, None, detail, params or None))
    if exc.status in (429, 503) or exc.status >= 500:
        status = 429 if exc.status == 429 else 503
        headers = {}
        if exc.retry_after is not None:
            headers["Retry-After"] = str(round(exc.retry_after))
        document = problem_document(status, exc.cause or "NF_CONGESTION", None, detail)
        return problem(document, **headers)
    logging.getLogger(__name__).error("unexpected answer of the PCF: %s", exc)
    return problem(problem_document(500, "SYSTEM_FAILURE", None, detail))


def _pcf_unavailable(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    detail = f"the PCF did not answer: {exc}"
    return problem(problem_document(503, "TARGET_NF_NOT_REACHABLE", None, detail))


def _store_busy(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """503 NF_CONGESTION: other writers held the store, not the request's fault."""
    return problem(problem_document(503, "NF_CONGESTION", detail=str(exc)), **{"Retry-After": "1"})


def _policy_gone(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    detail = f"the PCF no longer has it: {exc}"
    return problem(problem_document(404, "SUBSCRIPTION_NOT_FOUND", "Not Found", detail))


class PcfNotifications:
    """ASGI endpoint of the PCF's warnings, one URI per subscription (its notifUri).

    Bodies are checked against the Notification schema before the service sees them
    (``nef_client.receiver``); a subscription the gateway does not have is answered 404
    ProblemDetails, so the PCF stops trying.
    """

    def __init__(self, service: BdtSubscriptions) -> None:
        self._service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _CALLBACK.match(scope["path"])
        assert match is not None
        subscription_id = match.group(1)
        if not await asyncio.to_thread(self._service.exists, subscription_id):
            detail = f"no BDT subscription {subscription_id!r}"
            document = problem_document(404, "SUBSCRIPTION_NOT_FOUND", "Not Found", detail)
            await send_problem(send, document)
            return

        def take(notification: Any) -> None:
            self._service.pcf_notification(subscription_id, notification.to_dict())

        await NotificationReceiver(take)(scope, receive, send)


class GatewayApp:
    """The ASGI application: the PCF's warnings on their own path, 3gpp-bdt for the rest."""

    def __init__(self, api: connexion.AsyncApp, notifications: PcfNotifications) -> None:
        self._api = api
        self._notifications = notifications

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _CALLBACK.match(scope["path"]):
            await self._notifications(scope, receive, send)
            return
        await self._api(scope, receive, send)


def create_app(
    service: BdtSubscriptions,
    groups: GroupTranslator,
    sender: NotificationSender,
    *,
    api_root: str | None = None,
    max_body_bytes: int = 1_048_576,
) -> GatewayApp:
    """The gateway's ASGI application around an assembled service (see ``composition``)."""
    spec = spec_path()
    app = new_app(__name__, spec.parent, [sender.run])
    handlers = SubscriptionHandlers(service, groups, api_root, sender.destinations.refusal)
    add_guard(app, add_api(app, spec, BASE_PATH, handlers), max_body_bytes)
    add_error_handlers(
        app,
        {
            RequestError: _request_error,
            SubscriptionNotFound: _not_found,
            NotAuthorized: _not_authorized,
            PcfRefused: _pcf_refused,
            PcfUnavailable: _pcf_unavailable,
            PolicyGone: _policy_gone,
            StoreBusy: _store_busy,
        },
    )
    return GatewayApp(app, PcfNotifications(service))
