"""The connexion application of the NEF gateway, routed from the 3gpp-bdt specification.

It serves ``{apiRoot}/3gpp-bdt/v1`` from the bundled specification (generated from our
``specs/``), with the request checks of the PCF's HTTP layer (``pcf_server.api``: every
schema error as ProblemDetails with a cause and ``invalidParams``, 404/405/413 before
routing), and beside it the endpoint where the PCF posts its warnings:
``/nef-bdt-callbacks/v1/pcf-notifications/{subscriptionId}``, validated against the
TS 29.554 Notification schema by ``nef_client.receiver``.

TS 29.122 errors: 400 for bodies the NEF cannot carry out, 403 REQUEST_NOT_AUTHORIZED for
an AF the NEF does not serve, 404 SUBSCRIPTION_NOT_FOUND for an unknown subscription and
for another AF's (which must not learn that it exists); the PCF's refusals keep their
status and cause (403 BDT_CAPACITY_UNAVAILABLE), with the attributes they name given in
3gpp-bdt terms; a PCF that cannot be reached is 503 TARGET_NF_NOT_REACHABLE.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import connexion
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware import MiddlewarePosition
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException

from nef_client.receiver import NotificationReceiver
from nef_gateway.api.handlers import SubscriptionHandlers
from nef_gateway.domain import (
    MANDATORY_IE_INCORRECT,
    MANDATORY_IE_MISSING,
    OPTIONAL_IE_INCORRECT,
    GroupTranslator,
    RequestError,
    northbound_pointer,
)
from nef_gateway.notify import NotificationSender
from nef_gateway.pcf import PcfRefused, PcfUnavailable, PolicyGone
from nef_gateway.service import BdtSubscriptions, NotAuthorized, SubscriptionNotFound
from nef_gateway.settings import BASE_PATH, CALLBACK_PATH
from pcf_server.api import validation
from pcf_server.api.middleware import RouteTable, SbiGuard
from pcf_server.api.problems import (
    PROBLEM_JSON,
    encode,
    from_exception,
    problem,
    problem_document,
)

SPEC_NAME = "openapi-3gpp-bdt.yaml"
_NO_UI = SwaggerUIOptions(swagger_ui=False, serve_spec=False)
_CAUSE_ORDER = (MANDATORY_IE_MISSING, MANDATORY_IE_INCORRECT, OPTIONAL_IE_INCORRECT)
_CALLBACK = re.compile(rf"^{re.escape(CALLBACK_PATH)}/([^/]+)$")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


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
    cause = min((e.cause for e in errors), key=_CAUSE_ORDER.index)
    params = [{"param": e.pointer, "reason": e.reason} for e in errors]
    return problem(400, cause, "Bad Request", "; ".join(str(e) for e in errors), params)


def _not_found(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    return problem(404, "SUBSCRIPTION_NOT_FOUND", "Not Found", str(exc))


def _not_authorized(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    return problem(403, "REQUEST_NOT_AUTHORIZED", "Forbidden", str(exc))


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
        return problem(exc.status, exc.cause, None, detail, params or None)
    if exc.status in (429, 503) or exc.status >= 500:
        status = 429 if exc.status == 429 else 503
        headers = {}
        if exc.retry_after is not None:
            headers["Retry-After"] = str(round(exc.retry_after))
        return problem(status, exc.cause or "NF_CONGESTION", None, detail, None, **headers)
    logging.getLogger(__name__).error("unexpected answer of the PCF: %s", exc)
    return problem(500, "SYSTEM_FAILURE", None, detail)


def _pcf_unavailable(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    return problem(503, "TARGET_NF_NOT_REACHABLE", None, f"the PCF did not answer: {exc}")


def _policy_gone(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    return problem(404, "SUBSCRIPTION_NOT_FOUND", "Not Found", f"the PCF no longer has it: {exc}")


def _connexion_problem(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, ProblemException)
    return from_exception(exc)


def _http_error(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, HTTPException)
    return problem(exc.status_code, None, None, exc.detail, None, **dict(exc.headers or {}))


def _unexpected(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    logging.getLogger(__name__).error("unexpected error", exc_info=exc)
    return problem(500, "SYSTEM_FAILURE", "Internal Server Error", type(exc).__name__)


def _lifespan(sender: NotificationSender) -> Callable[[Any], Any]:
    @contextlib.asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        task = asyncio.create_task(sender.run())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan


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
            body = encode(problem_document(404, "SUBSCRIPTION_NOT_FOUND", "Not Found",
                                           f"no BDT subscription {subscription_id!r}"))  # fmt: skip
            await send({"type": "http.response.start", "status": 404, "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ]})  # fmt: skip
            await send({"type": "http.response.body", "body": body})
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
    app = connexion.AsyncApp(__name__, specification_dir=spec.parent, lifespan=_lifespan(sender))
    handlers = SubscriptionHandlers(service, groups, api_root).operations()
    app.add_api(
        spec.name,
        base_path=BASE_PATH,
        resolver=Resolver(function_resolver=handlers.__getitem__),
        pythonic_params=True,
        swagger_ui_options=_NO_UI,
        validator_map={
            "body": MediaTypeDict(
                {
                    "*/*json": validation.ProblemDetailsBodyValidator,
                    "application/merge-patch+json": validation.MergePatchBodyValidator,
                }
            )
        },
    )
    app.add_middleware(
        SbiGuard,
        position=MiddlewarePosition.BEFORE_EXCEPTION,
        routes=RouteTable.from_spec(spec, BASE_PATH),
        max_body_bytes=max_body_bytes,
    )
    app.add_error_handler(RequestError, _request_error)
    app.add_error_handler(SubscriptionNotFound, _not_found)
    app.add_error_handler(NotAuthorized, _not_authorized)
    app.add_error_handler(PcfRefused, _pcf_refused)
    app.add_error_handler(PcfUnavailable, _pcf_unavailable)
    app.add_error_handler(PolicyGone, _policy_gone)
    app.add_error_handler(ProblemException, _connexion_problem)
    app.add_error_handler(HTTPException, _http_error)
    app.add_error_handler(Exception, _unexpected)
    return GatewayApp(app, PcfNotifications(service))
