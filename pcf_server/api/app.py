"""The connexion applications of the PCF, built from our multi-file specification.

Two applications, for two listeners: the SBI one (Npcf_BDTPolicyControl and the NWDAF
notification endpoint, which NFs reach, with access tokens when configured) and the
operator's (the operator API, and the test stub's API with ``--stub``), which only the
operator should reach (loopback by default). Each routes its APIs to thin handlers and
maps service errors to ProblemDetails; the parts they serve (use cases, notification
sender, store reset) are built and handed in by the composition root,
``pcf_server.bootstrap``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

import connexion
from connexion.datastructures import MediaTypeDict
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware import ConnexionMiddleware, MiddlewarePosition
from connexion.middleware.security import SecurityMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException

from pcf_server.api import validation
from pcf_server.api.access import (
    BDT_SCOPE,
    NWDAF_CALLBACK_SCOPE,
    AccessControl,
    ProtectedPrefix,
    TokenPolicy,
)
from pcf_server.api.handlers import BdtPolicyHandlers
from pcf_server.api.middleware import Route, RouteTable, SbiGuard
from pcf_server.api.network_handlers import NetworkHandlers
from pcf_server.api.problems import from_exception, problem, problem_document
from pcf_server.api.stub import StubHandlers, StubMiddleware, StubState
from pcf_server.service import (
    BdtPolicyControl,
    Contention,
    DegradationNotFound,
    DegradationTooLong,
    InvalidSelection,
    LimitReached,
    NoCapacity,
    PolicyNotFound,
    UnknownArea,
    UnknownSubscription,
    WindowEnded,
)
from pcf_server.service.network_events import NetworkEvents
from pcf_server.service.ports import StoreBusy
from pcf_server.settings import ADMIN_BASE_PATH, BASE_PATH, NWDAF_BASE_PATH, Settings
from pcf_server.wire.errors import DocumentError

ROOT_SPEC = "TS29554_Npcf_BDTPolicyControl.yaml"
NWDAF_SPEC = "TS29520_Nnwdaf_EventsSubscription.yaml"
ADMIN_SPEC = Path(__file__).resolve().parent / "admin.yaml"
STUB_SPEC = Path(__file__).resolve().parent / "stub.yaml"
# An NF serves its API only: no console, no spec download (the SBI guard would 404 them).
_NO_UI = SwaggerUIOptions(swagger_ui=False, serve_spec=False)


def spec_dir() -> Path:
    """Where the specification is: inside the installed wheel, or specs/ of a checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "specs", here.parent / "specs"):
        if (candidate / ROOT_SPEC).is_file():
            return candidate
    raise FileNotFoundError(f"{ROOT_SPEC} not found next to {here}")


def _not_found(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, PolicyNotFound)
    return problem(problem_document(404, "BDT_POLICY_NOT_FOUND", "Not Found", str(exc)))


def _bad_request(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """400 for what the schema could not catch: each error named by its JSON pointer."""
    if isinstance(exc, WindowEnded):  # what the NEF sent that can no longer be met
        exc = DocumentError("/desTimeInt/stopTime", exc.reason)
    assert isinstance(exc, InvalidSelection | DocumentError)
    errors = exc.all if isinstance(exc, DocumentError) else (exc,)
    causes = [_document_cause(error) for error in errors]
    document = problem_document(
        400,
        min(causes, key=validation.CAUSE_PRIORITY.index),
        "Bad Request",
        "; ".join(str(error) for error in errors),
        [{"param": error.pointer, "reason": error.reason} for error in errors],
    )
    return problem(document)


def _document_cause(exc: InvalidSelection | DocumentError) -> str:
    """TS 29.500 cause of an error found after the schema (see api.validation)."""
    if isinstance(exc, DocumentError) and exc.missing:
        return validation.MANDATORY_IE_MISSING
    if isinstance(exc, DocumentError) and exc.optional:
        return validation.OPTIONAL_IE_INCORRECT
    return validation.MANDATORY_IE_INCORRECT


def _connexion_problem(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, ProblemException)
    return from_exception(exc)


def _http_error(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, HTTPException)
    document = problem_document(exc.status_code, None, detail=exc.detail)
    return problem(document, **dict(exc.headers or {}))


def _no_capacity(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, NoCapacity)
    return problem(problem_document(403, "BDT_CAPACITY_UNAVAILABLE", "Forbidden", exc.reason))


def _contention(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """503 NF_CONGESTION: concurrent writers, not the request, stood in the way."""
    assert isinstance(exc, Contention | StoreBusy)
    return problem(problem_document(503, "NF_CONGESTION", detail=str(exc)), **{"Retry-After": "1"})


def _limit_reached(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, LimitReached)
    return problem(problem_document(403, exc.cause, "Forbidden", exc.reason))


def _too_long(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """A degradation of the operator API longer than the bound: its timeWindow is wrong."""
    assert isinstance(exc, DegradationTooLong)
    return _bad_request(_, DocumentError("/timeWindow", exc.reason))


def _no_degradation(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, DegradationNotFound)
    return problem(problem_document(404, "DEGRADATION_NOT_FOUND", "Not Found", str(exc)))


def _unknown_area(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, UnknownArea)
    return problem(problem_document(404, "AREA_NOT_FOUND", "Not Found", str(exc)))


def _unknown_subscription(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, UnknownSubscription)
    return problem(problem_document(404, "SUBSCRIPTION_NOT_FOUND", "Not Found", str(exc)))


def _unexpected(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    logging.getLogger(__name__).error("unexpected error", exc_info=exc)
    document = problem_document(500, "SYSTEM_FAILURE", detail=type(exc).__name__)
    return problem(document)


def _validators() -> dict[str, object]:
    """3GPP ProblemDetails for every JSON body; merge patches have their null rule."""
    return {
        "body": MediaTypeDict(
            {
                "*/*json": validation.ProblemDetailsBodyValidator,
                "application/merge-patch+json": validation.MergePatchBodyValidator,
            }
        )
    }


Background = Callable[[], Coroutine[Any, Any, None]]


def _lifespan(background: Sequence[Background]) -> Callable[[Any], Any]:
    """Run ``background`` tasks (the notification sender, ...) while the server runs."""

    @contextlib.asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(run()) for run in background]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return lifespan


def handler_name(operation_id: str) -> str:
    """The method that serves an operation: ``CreateBDTPolicy`` -> ``create_bdt_policy``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", operation_id).lower()


# Access is checked outside connexion (api.access); its own security middleware would
# only log "x-tokenInfoFunc missing" for the oauth2 scheme of the specification.
_MIDDLEWARES = [m for m in ConnexionMiddleware.default_middlewares if m is not SecurityMiddleware]


def _application(
    apis: list[tuple[Path, str, object]], background: Sequence[Background]
) -> tuple[connexion.AsyncApp, RouteTable]:
    """An application routing every API to its handlers' methods, named after operationIds.

    The route table (for the SBI guard) has the resources of all of them.
    """
    app = connexion.AsyncApp(
        __name__,
        specification_dir=spec_dir(),
        lifespan=_lifespan(background),
        middlewares=list(_MIDDLEWARES),  # connexion inserts into the list it is given
    )
    routes: list[Route] = []
    for spec, base_path, handlers in apis:
        app.add_api(
            spec,
            base_path=base_path,
            resolver=Resolver(
                function_resolver=lambda op, h=handlers: getattr(h, handler_name(op))
            ),
            pythonic_params=True,
            swagger_ui_options=_NO_UI,
            validator_map=_validators(),
        )
        routes += RouteTable.from_spec(spec, base_path).routes
    _add_error_handlers(app)
    return app, RouteTable(tuple(routes))


def _add_error_handlers(app: connexion.AsyncApp) -> None:
    app.add_error_handler(NoCapacity, _no_capacity)
    app.add_error_handler(LimitReached, _limit_reached)
    app.add_error_handler(DegradationTooLong, _too_long)
    app.add_error_handler(DegradationNotFound, _no_degradation)
    app.add_error_handler(UnknownArea, _unknown_area)
    app.add_error_handler(UnknownSubscription, _unknown_subscription)
    app.add_error_handler(Contention, _contention)
    app.add_error_handler(StoreBusy, _contention)
    app.add_error_handler(PolicyNotFound, _not_found)
    app.add_error_handler(InvalidSelection, _bad_request)
    app.add_error_handler(DocumentError, _bad_request)
    app.add_error_handler(WindowEnded, _bad_request)
    app.add_error_handler(ProblemException, _connexion_problem)
    app.add_error_handler(HTTPException, _http_error)
    app.add_error_handler(Exception, _unexpected)


def create_sbi_app(
    policies: BdtPolicyControl,
    events: NetworkEvents,
    settings: Settings,
    *,
    tokens: TokenPolicy | None = None,
    background: Sequence[Background] = (),
    stub: StubState | None = None,
) -> connexion.AsyncApp:
    """The application NFs reach: Npcf_BDTPolicyControl and the NWDAF callback.

    ``tokens`` None: no access token is asked for. ``stub``: the test stub journals each
    3GPP API request and injects its faults (its own API is on the operator listener).
    """
    network = NetworkHandlers(events)
    bdt = BdtPolicyHandlers(policies, settings.api_root)
    app, routes = _application(
        [
            (spec_dir() / NWDAF_SPEC, NWDAF_BASE_PATH, network),
            (spec_dir() / ROOT_SPEC, BASE_PATH, bdt),
        ],
        background,
    )
    # Middleware added first at a position sits outside the ones added after it: the stub
    # must see 3GPP API requests before anything else, to journal and fail any of them;
    # access comes before the SBI checks, so that nothing of a request is read for an
    # NF that may not send it.
    if stub is not None:
        app.add_middleware(
            StubMiddleware,
            position=MiddlewarePosition.BEFORE_EXCEPTION,
            state=stub,
            max_body_bytes=settings.max_body_bytes,
        )
    app.add_middleware(
        AccessControl,
        position=MiddlewarePosition.BEFORE_EXCEPTION,
        tokens=tokens,
        prefixes=[
            ProtectedPrefix(BASE_PATH, BDT_SCOPE),
            ProtectedPrefix(NWDAF_BASE_PATH, NWDAF_CALLBACK_SCOPE),
        ],
        bind_to_certificate=settings.tls_client_ca is not None,
    )
    app.add_middleware(
        SbiGuard,
        position=MiddlewarePosition.BEFORE_EXCEPTION,
        routes=routes,
        max_body_bytes=settings.max_body_bytes,
        body_read_timeout=settings.body_read_timeout,
    )
    return app


def create_admin_app(
    events: NetworkEvents,
    settings: Settings,
    *,
    background: Sequence[Background] = (),
    stub: StubState | None = None,
    reset_store: Callable[[], None] | None = None,
) -> connexion.AsyncApp:
    """The operator's application: the operator API, and the test stub's with ``stub``."""
    apis: list[tuple[Path, str, object]] = [(ADMIN_SPEC, ADMIN_BASE_PATH, NetworkHandlers(events))]
    if stub is not None:
        if reset_store is None:
            raise ValueError("the test stub needs reset_store")
        apis.append((STUB_SPEC, ADMIN_BASE_PATH, StubHandlers(stub, reset_store)))
    app, routes = _application(apis, background)
    app.add_middleware(
        SbiGuard,
        position=MiddlewarePosition.BEFORE_EXCEPTION,
        routes=routes,
        max_body_bytes=settings.max_body_bytes,
        body_read_timeout=settings.body_read_timeout,
    )
    return app
