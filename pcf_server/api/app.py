"""Build the connexion application of the PCF from our multi-file specification."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Callable
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

from pcf_server.api import validation
from pcf_server.api.handlers import BdtPolicyHandlers
from pcf_server.api.middleware import RouteTable, SbiGuard
from pcf_server.api.network_handlers import NetworkHandlers
from pcf_server.api.problems import from_exception, problem
from pcf_server.config import load_network
from pcf_server.notify import NotificationSender
from pcf_server.policy.engine import LoadAwareDecider
from pcf_server.service import (
    BdtPolicyControl,
    InvalidSelection,
    NoCapacity,
    PolicyNotFound,
    UnknownArea,
    WindowEnded,
)
from pcf_server.service.network_events import NetworkEvents
from pcf_server.settings import BASE_PATH, Settings
from pcf_server.storage import SqliteStore
from pcf_server.wire.errors import DocumentError

ROOT_SPEC = "TS29554_Npcf_BDTPolicyControl.yaml"
NWDAF_SPEC = "TS29520_Nnwdaf_EventsSubscription.yaml"
ADMIN_SPEC = Path(__file__).resolve().parent / "admin.yaml"
ADMIN_BASE_PATH = "/pcf-bdt-admin/v1"
NWDAF_BASE_PATH = "/pcf-bdt-callbacks/v1"
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
    return problem(404, "BDT_POLICY_NOT_FOUND", "Not Found", str(exc))


def _invalid_selection(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    if isinstance(exc, WindowEnded):  # what the NEF sent that can no longer be met
        exc = DocumentError("/desTimeInt/stopTime", exc.reason)
    assert isinstance(exc, InvalidSelection | DocumentError)
    errors = exc.all if isinstance(exc, DocumentError) else (exc,)
    causes = [_document_cause(error) for error in errors]
    return problem(
        400,
        min(causes, key=validation.CAUSE_PRIORITY.index),
        "Bad Request",
        "; ".join(str(error) for error in errors),
        [{"param": error.pointer, "reason": error.reason} for error in errors],
    )


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
    return problem(exc.status_code, None, None, exc.detail, None, **dict(exc.headers or {}))


def _no_capacity(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, NoCapacity)
    return problem(403, "BDT_CAPACITY_UNAVAILABLE", "Forbidden", exc.reason)


def _unknown_area(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, UnknownArea)
    return problem(404, "AREA_NOT_FOUND", "Not Found", str(exc))


def _unexpected(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    logging.getLogger(__name__).error("unexpected error", exc_info=exc)
    return problem(500, "SYSTEM_FAILURE", "Internal Server Error", type(exc).__name__)


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


def _lifespan(sender: NotificationSender) -> Callable[[Any], Any]:
    """Run the notification sender for as long as the server (worker) runs."""

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


def _add_apis(
    app: connexion.AsyncApp, apis: list[tuple[Path, str, dict[str, Any]]], settings: Settings
) -> RouteTable:
    """Route every API of the PCF; the SBI guard gets one table of all their resources."""
    routes: list[tuple[re.Pattern[str], frozenset[str]]] = []
    for spec, base_path, operations in apis:
        app.add_api(
            spec,
            base_path=base_path,
            resolver=Resolver(function_resolver=operations.__getitem__),
            pythonic_params=True,
            validate_responses=settings.validate_responses,
            swagger_ui_options=_NO_UI,
            validator_map=_validators(),
        )
        routes += RouteTable.from_spec(spec, base_path).routes
    return RouteTable(tuple(routes))


def create_app(settings: Settings | None = None) -> connexion.AsyncApp:
    settings = settings or Settings()
    store = SqliteStore(settings.db_path)
    engine = LoadAwareDecider(load_network(settings.config_path))
    sender = NotificationSender(store.unit_of_work)
    service = BdtPolicyControl(store.unit_of_work, engine, planner=engine)
    events = NetworkEvents(store.unit_of_work, engine, engine, outbox_written=sender.wake)
    handlers = BdtPolicyHandlers(service, settings.api_root).operations()
    app = connexion.AsyncApp(__name__, specification_dir=spec_dir(), lifespan=_lifespan(sender))
    network = NetworkHandlers(events)
    routes = _add_apis(
        app,
        [  # the operator API and the NWDAF notification endpoint beside the 3GPP API
            (ADMIN_SPEC, ADMIN_BASE_PATH, network.admin_operations()),
            (spec_dir() / NWDAF_SPEC, NWDAF_BASE_PATH, network.nwdaf_operations()),
            (spec_dir() / ROOT_SPEC, BASE_PATH, handlers),
        ],
        settings,
    )
    # Middleware added first at a position sits outside the ones added after it: the stub
    # must see requests before the SBI checks, and its own admin paths never reach them.
    if settings.stub:  # `pcf-bdt serve --stub`: fault injection and journal for NEF tests
        from pcf_server.api import stub

        stub.install(app, settings.db_path)
    app.add_middleware(
        SbiGuard,
        position=MiddlewarePosition.BEFORE_EXCEPTION,
        routes=routes,
        max_body_bytes=settings.max_body_bytes,
    )
    app.add_error_handler(NoCapacity, _no_capacity)
    app.add_error_handler(UnknownArea, _unknown_area)
    app.add_error_handler(PolicyNotFound, _not_found)
    app.add_error_handler(InvalidSelection, _invalid_selection)
    app.add_error_handler(DocumentError, _invalid_selection)
    app.add_error_handler(WindowEnded, _invalid_selection)
    app.add_error_handler(ProblemException, _connexion_problem)
    app.add_error_handler(HTTPException, _http_error)
    app.add_error_handler(Exception, _unexpected)
    return app


def app_from_environment() -> connexion.AsyncApp:
    """Factory for server workers: settings come from PCF_BDT_* variables."""
    return create_app(Settings.from_environment())
