"""How each of our connexion applications is made, adds an API, runs its background tasks.

Every API is routed the same way: operationIds to the methods of a handlers object
(``CreateBDTPolicy`` -> ``create_bdt_policy``), Python parameter names, no console or
spec download (an NF serves its API only; the SBI guard would 404 them anyway), and the
body validators of ``validation`` for 3GPP ProblemDetails.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

import connexion
from connexion import request
from connexion.middleware import ConnexionMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver

from nf_common.guard import RouteTable
from nf_common.validation import Bounds, body_validators

NO_UI = SwaggerUIOptions(swagger_ui=False, serve_spec=False)


def handler_name(operation_id: str) -> str:
    """The method that serves an operation: ``CreateBDTPolicy`` -> ``create_bdt_policy``."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", operation_id).lower()


def add_api(
    app: connexion.AsyncApp,
    spec: Path,
    base_path: str,
    handlers: object,
    bounds: Bounds | None = None,
) -> RouteTable:
    """Route the API of ``spec`` to ``handlers``; its resources, for the SBI guard.

    ``bounds``: the application's limits on request bodies beyond the schema.
    """
    app.add_api(
        spec,
        base_path=base_path,
        resolver=Resolver(function_resolver=lambda op: getattr(handlers, handler_name(op))),
        pythonic_params=True,
        swagger_ui_options=NO_UI,
        validator_map=body_validators(bounds),
    )
    return RouteTable.from_spec(spec, base_path)


Background = Callable[[], Coroutine[Any, Any, None]]

# connexion's middlewares that our applications leave out, each of which every request
# would otherwise pass through: access is checked outside connexion (the PCF's
# api.access), where connexion's security middleware would only log "x-tokenInfoFunc
# missing" for the specifications' oauth2; there is no console or spec to serve (NO_UI),
# for which the Swagger UI middleware would still route every request (and copy its
# scope); responses are not validated, for which the response validation middleware
# would still look up every request's operation.
_LEFT_OUT = (SecurityMiddleware, SwaggerUIMiddleware, ResponseValidationMiddleware)
_MIDDLEWARES = [m for m in ConnexionMiddleware.default_middlewares if m not in _LEFT_OUT]


def new_app(
    import_name: str, specification_dir: Path, background: Sequence[Background] = ()
) -> connexion.AsyncApp:
    """An application whose lifespan runs ``background`` tasks (notification senders)."""
    return connexion.AsyncApp(
        import_name,
        specification_dir=specification_dir,
        lifespan=_lifespan(background),
        middlewares=list(_MIDDLEWARES),  # connexion inserts into the list it is given
    )


def _lifespan(background: Sequence[Background]) -> Callable[[Any], Any]:
    """Run ``background`` tasks for as long as the server runs."""

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


def api_root(configured: str | None) -> str:
    """The apiRoot for links to our resources: as configured, else the request's own."""
    if configured is not None:
        return configured
    url = request.url
    return f"{url.scheme}://{url.netloc}"
