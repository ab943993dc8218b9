"""How each of our connexion applications is made, adds an API, runs its background tasks.

Every API is routed the same way: operationIds to the methods of a handlers object
(``CreateBDTPolicy`` -> ``create_bdt_policy``), Python parameter names, no console or
spec download (an NF serves its API only; the SBI guard would 404 them anyway), and the
body validators of ``validation`` for 3GPP ProblemDetails.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

import connexion
from connexion.apps.abstract import AbstractApp
from connexion.apps.asynchronous import AsyncApi, AsyncASGIApp, AsyncOperation
from connexion.context import receive, scope
from connexion.decorators import StarletteDecorator
from connexion.decorators.parameter import AsyncParameterDecorator, pythonic, sanitized
from connexion.middleware import ConnexionMiddleware
from connexion.middleware.response_validation import ResponseValidationMiddleware
from connexion.middleware.security import SecurityMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.datastructures import URL

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


class _Parameters(AsyncParameterDecorator):  # type: ignore[misc]
    """connexion's parameter decorator, remembering what each parameter name becomes.

    connexion converts every parameter name of every request to its Python form (three
    or four regular expressions per name); the names are the specification's, and a
    request's unknown query parameters at most ``SANITIZED_NAMES`` more.
    """

    def __init__(self, *, pythonic_params: bool = False, **kwargs: Any) -> None:
        super().__init__(pythonic_params=pythonic_params, **kwargs)
        sanitize = pythonic if pythonic_params else sanitized  # as connexion chooses
        self.sanitize_fn = functools.lru_cache(maxsize=SANITIZED_NAMES)(sanitize)


SANITIZED_NAMES = 256


class _DecoratedOnce(StarletteDecorator):  # type: ignore[misc]
    """connexion's decorator for an operation, with its handler wrapped once, not per call.

    connexion's own ``__call__`` wraps the handler anew on every request (sync-to-async,
    parameters, response), and wrapping it inspects the handler's signature each time;
    none of that depends on the request. What does (the request, its URI parser for the
    operation in context) is still built per request, as connexion builds it.
    """

    @property
    def _parameter_decorator_cls(self) -> type[AsyncParameterDecorator]:
        return _Parameters

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        decorated = self.decorate(function)

        async def wrapper(*_: Any, **__: Any) -> Any:
            request = self.framework.get_request(
                uri_parser=self.uri_parser, scope=scope, receive=receive
            )
            return await decorated(request)

        return wrapper


class _Operation(AsyncOperation):  # type: ignore[misc]
    """connexion's operation of an AsyncApp, whose ``fn`` is decorated once (see above)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        decorator = _DecoratedOnce(pythonic_params=self.pythonic_params, jsonifier=self.jsonifier)
        self._decorated = decorator(self._fn)

    @property
    def fn(self) -> Callable[..., Any]:
        return self._decorated


class _Api(AsyncApi):  # type: ignore[misc]
    def make_operation(self, operation: Any) -> AsyncOperation:
        return _Operation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )


class _ASGIApp(AsyncASGIApp):  # type: ignore[misc]
    api_cls = _Api


class App(connexion.AsyncApp):  # type: ignore[misc]
    """connexion's AsyncApp, routing to operations whose handlers are wrapped once."""

    def __init__(self, import_name: str, **kwargs: Any) -> None:
        # What AsyncApp.__init__ does, with the application of our operations.
        self._middleware_app = _ASGIApp()
        AbstractApp.__init__(self, import_name, **kwargs)


def new_app(
    import_name: str, specification_dir: Path, background: Sequence[Background] = ()
) -> connexion.AsyncApp:
    """An application whose lifespan runs ``background`` tasks (notification senders)."""
    return App(
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
    """The apiRoot for links to our resources: as configured, else the request's own.

    The request's own is starlette's URL of the request's scope, as ``request.url`` has
    it, without building a request object around the scope for it.
    """
    if configured is not None:
        return configured
    url = URL(scope=scope)
    return f"{url.scheme}://{url.netloc}"
