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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import connexion
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware import MiddlewarePosition

from nf_common.application import Background, add_api, new_app
from nf_common.destinations import DestinationCheck, undeliverable
from nf_common.guard import Route, RouteTable, add_guard
from nf_common.problems import (
    CAUSE_PRIORITY,
    MANDATORY_IE_INCORRECT,
    MANDATORY_IE_MISSING,
    OPTIONAL_IE_INCORRECT,
    problem_document,
)
from nf_common.responses import add_error_handlers, problem
from pcf_server.api import bounds
from pcf_server.api.access import (
    BDT_SCOPE,
    NWDAF_CALLBACK_SCOPE,
    AccessControl,
    ProtectedPrefix,
    TokenPolicy,
)
from pcf_server.api.handlers import BdtPolicyHandlers
from pcf_server.api.network_handlers import NetworkHandlers
from pcf_server.api.operations import (
    OperationsEndpoints,
    Readiness,
    RequestDone,
    RequestLog,
    Scrape,
)
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
from pcf_server.service.ports import StoreBusy, TransactionConflict
from pcf_server.settings import ADMIN_BASE_PATH, BASE_PATH, NWDAF_BASE_PATH, Settings
from pcf_server.wire.errors import DocumentError

ROOT_SPEC = "TS29554_Npcf_BDTPolicyControl.yaml"
NWDAF_SPEC = "TS29520_Nnwdaf_EventsSubscription.yaml"
ADMIN_SPEC = Path(__file__).resolve().parent / "admin.yaml"
STUB_SPEC = Path(__file__).resolve().parent / "stub.yaml"


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
        min(causes, key=CAUSE_PRIORITY.index),
        "Bad Request",
        "; ".join(str(error) for error in errors),
        [{"param": error.pointer, "reason": error.reason} for error in errors],
    )
    return problem(document)


def _document_cause(exc: InvalidSelection | DocumentError) -> str:
    """TS 29.500 cause of an error found after the schema (see nf_common.validation)."""
    if isinstance(exc, DocumentError) and exc.missing:
        return MANDATORY_IE_MISSING
    if isinstance(exc, DocumentError) and exc.optional:
        return OPTIONAL_IE_INCORRECT
    return MANDATORY_IE_INCORRECT


def _no_capacity(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, NoCapacity)
    return problem(problem_document(403, "BDT_CAPACITY_UNAVAILABLE", "Forbidden", exc.reason))


def _contention(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    """503 NF_CONGESTION: concurrent writers, not the request, stood in the way."""
    assert isinstance(exc, Contention | StoreBusy | TransactionConflict)
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


@dataclass(frozen=True)
class Operations:
    """What a listener serves for its operator (``api.operations``): probes, metrics, logs.

    ``scrape`` None: no ``/metrics`` on this listener.
    """

    readiness: Readiness
    request_done: RequestDone
    scrape: Scrape | None = None


def _application(
    apis: list[tuple[Path, str, object]],
    background: Sequence[Background],
    operations: Operations | None,
) -> tuple[connexion.AsyncApp, RouteTable]:
    """An application routing every API to its handlers' methods, named after operationIds.

    The route table (for the SBI guard) has the resources of all of them. The probes,
    metrics and request log sit outside every other middleware (added first).
    """
    app = new_app(__name__, spec_dir(), background)
    if operations is not None:
        app.add_middleware(
            OperationsEndpoints,
            position=MiddlewarePosition.BEFORE_EXCEPTION,
            readiness=operations.readiness,
            scrape=operations.scrape,
        )
        app.add_middleware(
            RequestLog,
            position=MiddlewarePosition.BEFORE_EXCEPTION,
            request_done=operations.request_done,
        )
    routes: list[Route] = []
    for spec, base_path, handlers in apis:
        routes += add_api(app, spec, base_path, handlers, bounds.violations).routes
    _add_error_handlers(app)
    return app, RouteTable(tuple(routes))


def _add_error_handlers(app: connexion.AsyncApp) -> None:
    add_error_handlers(
        app,
        {
            NoCapacity: _no_capacity,
            LimitReached: _limit_reached,
            DegradationTooLong: _too_long,
            DegradationNotFound: _no_degradation,
            UnknownArea: _unknown_area,
            UnknownSubscription: _unknown_subscription,
            Contention: _contention,
            StoreBusy: _contention,
            TransactionConflict: _contention,
            PolicyNotFound: _not_found,
            InvalidSelection: _bad_request,
            DocumentError: _bad_request,
            WindowEnded: _bad_request,
        },
    )


def create_sbi_app(
    policies: BdtPolicyControl,
    events: NetworkEvents,
    settings: Settings,
    *,
    tokens: TokenPolicy | None = None,
    background: Sequence[Background] = (),
    stub: StubState | None = None,
    operations: Operations | None = None,
    destinations: DestinationCheck = undeliverable,
    reads_on_loop: bool = False,
) -> connexion.AsyncApp:
    """The application NFs reach: Npcf_BDTPolicyControl and the NWDAF callback.

    ``tokens`` None: no access token is asked for. ``stub``: the test stub journals each
    3GPP API request and injects its faults (its own API is on the operator listener).
    ``destinations``: why a notifUri is refused at Create (the sender's allow-list).
    ``reads_on_loop``: the store reads without waiting on I/O (SQLite; ``BdtPolicyHandlers``).
    """
    network = NetworkHandlers(events)
    bdt = BdtPolicyHandlers(policies, settings.api_root, destinations, reads_on_loop=reads_on_loop)
    app, routes = _application(
        [
            (spec_dir() / NWDAF_SPEC, NWDAF_BASE_PATH, network),
            (spec_dir() / ROOT_SPEC, BASE_PATH, bdt),
        ],
        background,
        operations,
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
    add_guard(app, routes, settings.max_body_bytes, settings.body_read_timeout)
    return app


def create_admin_app(
    events: NetworkEvents,
    settings: Settings,
    *,
    background: Sequence[Background] = (),
    stub: StubState | None = None,
    reset_store: Callable[[], None] | None = None,
    operations: Operations | None = None,
) -> connexion.AsyncApp:
    """The operator's application: the operator API, and the test stub's with ``stub``."""
    apis: list[tuple[Path, str, object]] = [(ADMIN_SPEC, ADMIN_BASE_PATH, NetworkHandlers(events))]
    if stub is not None:
        if reset_store is None:
            raise ValueError("the test stub needs reset_store")
        apis.append((STUB_SPEC, ADMIN_BASE_PATH, StubHandlers(stub, reset_store)))
    app, routes = _application(apis, background, operations)
    add_guard(app, routes, settings.max_body_bytes, settings.body_read_timeout)
    return app
