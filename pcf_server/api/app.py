"""Build the connexion application of the PCF from our multi-file specification."""

from __future__ import annotations

from pathlib import Path

import connexion
from connexion.exceptions import ProblemException
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException

from pcf_server.api.handlers import BdtPolicyHandlers
from pcf_server.api.problems import problem
from pcf_server.policy.decision import EvenSplitDecider
from pcf_server.service import BdtPolicyControl, InvalidSelection, PolicyNotFound
from pcf_server.settings import BASE_PATH, Settings
from pcf_server.storage import SqliteStore
from pcf_server.wire import DocumentError

ROOT_SPEC = "TS29554_Npcf_BDTPolicyControl.yaml"


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
    assert isinstance(exc, InvalidSelection | DocumentError)
    return problem(
        400,
        "MANDATORY_IE_INCORRECT",
        "Bad Request",
        str(exc),
        [{"param": exc.pointer, "reason": exc.reason}],
    )


def _connexion_problem(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, ProblemException)
    return problem(exc.status, None, exc.title or "Error", exc.detail)


def _http_error(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    assert isinstance(exc, HTTPException)
    return problem(exc.status_code, None, exc.detail or "Error")


def _unexpected(_: ConnexionRequest, exc: Exception) -> ConnexionResponse:
    return problem(500, "SYSTEM_FAILURE", "Internal Server Error", type(exc).__name__)


def create_app(settings: Settings | None = None) -> connexion.AsyncApp:
    settings = settings or Settings()
    store = SqliteStore(settings.db_path)
    service = BdtPolicyControl(store.unit_of_work, EvenSplitDecider())
    handlers = BdtPolicyHandlers(service, settings.api_root).operations()
    app = connexion.AsyncApp(__name__, specification_dir=spec_dir())
    app.add_api(
        ROOT_SPEC,
        base_path=BASE_PATH,
        resolver=Resolver(function_resolver=handlers.__getitem__),
        pythonic_params=True,
        validate_responses=settings.validate_responses,
        swagger_ui_options=None,
    )
    app.add_error_handler(PolicyNotFound, _not_found)
    app.add_error_handler(InvalidSelection, _invalid_selection)
    app.add_error_handler(DocumentError, _invalid_selection)
    app.add_error_handler(ProblemException, _connexion_problem)
    app.add_error_handler(HTTPException, _http_error)
    app.add_error_handler(Exception, _unexpected)
    if settings.stub:  # `pcf-bdt serve --stub`: fault injection and journal for NEF tests
        from pcf_server.api import stub

        stub.install(app, settings.db_path)
    return app


def app_from_environment() -> connexion.AsyncApp:
    """Factory for server workers: settings come from PCF_BDT_* variables."""
    return create_app(Settings.from_environment())
