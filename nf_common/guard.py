"""The SBI guard: checks made before connexion sees a request (resource, method, size).

connexion routes each (path, method) pair as a separate starlette route, so a wrong
method gets an ``Allow`` header naming only the first route's method (PATCH is lost on
the Individual BDT policy), and unknown paths get no 3GPP cause. This middleware knows
every resource and its methods from the specification and answers those cases itself
(TS 29.500 clause 5.2.7.2: 404 RESOURCE_URI_STRUCTURE_NOT_FOUND, 405 with ``Allow``).
A request whose ``Accept`` header excludes ``application/json``, to an operation that
answers JSON, gets 406 NOT_ACCEPTABLE (TS 29.554 lists it for GET; RFC 9110 12.5.1 for
any request): every representation our servers have is JSON.

A body that does not arrive within ``body_read_timeout`` seconds of the headers gets
408 (granian bounds the header section, not the body: a client trickling a body a byte
at a time would otherwise hold a connection and a request for ever).

It also reads request bodies first, up to ``max_body_bytes``: anything longer is
refused with 413 before it is parsed, whether or not a Content-Length announced it, and
the body handed on always carries an exact Content-Length (connexion takes a request
without one, as HTTP/2 allows, for a request without a body).

After a 413 the rest of the body is still read, and thrown away, up to ``DRAIN_BYTES``
more. Answering while the client still sends makes granian end the h2 stream with
RST_STREAM(NO_ERROR) after the answer; RFC 9113 8.1 allows that, but curl (exit 92) and
httpx/h2 (LocalProtocolError) then report a reset, not the 413. Reading the body to its
end lets the stream close normally. A body longer still gets the answer and the reset:
the server does not read unbounded data to be polite to a client that sends it.

HEAD is answered with the status and headers a GET would get, and no body (RFC 9110
9.3.2), by dropping the body here: starlette sends one for HEAD and leaves it to the
server to drop it, which granian does over HTTP/1.1 but not over HTTP/2, where the body
breaks the stream (PROTOCOL_ERROR). Content-Length stays that of the GET representation,
as RFC 9110 8.6 allows and h2 clients accept for HEAD.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import connexion
import yaml
from connexion.middleware import MiddlewarePosition

from nf_common.asgi import (
    DRAIN_BYTES,
    ASGIApp,
    BodyTooLong,
    Message,
    Receive,
    Scope,
    Send,
    header,
    read_limited_body,
    replay,
)
from nf_common.problems import problem_document, send_problem

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True)
class Route:
    """A resource URI template, the methods it allows and those that answer JSON."""

    pattern: re.Pattern[str]
    methods: frozenset[str]
    json_methods: frozenset[str]


@dataclass(frozen=True)
class RouteTable:
    """The resources of the APIs a server serves."""

    routes: tuple[Route, ...]

    @classmethod
    def from_spec(cls, spec: Path, base_path: str) -> RouteTable:
        document: Mapping[str, Any] = yaml.safe_load(spec.read_text(encoding="utf-8"))
        routes = []
        for template, item in document["paths"].items():
            methods = {m.upper() for m in item if m in _HTTP_METHODS}
            answers_json = {m.upper() for m in item if m in _HTTP_METHODS and _json(item[m])}
            if "GET" in methods:  # HEAD is served with GET by starlette (RFC 9110 9.3.2)
                methods.add("HEAD")
            if "GET" in answers_json:
                answers_json.add("HEAD")
            pattern = re.escape(base_path + template)
            pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", pattern)
            routes.append(
                Route(re.compile(f"^{pattern}$"), frozenset(methods), frozenset(answers_json))
            )
        return cls(tuple(routes))

    def find(self, path: str) -> Route | None:
        """The resource at ``path``; None if no resource has that URI form."""
        for route in self.routes:
            if route.pattern.match(path):
                return route
        return None


def _json(operation: Mapping[str, Any]) -> bool:
    """Whether a successful answer of the operation has a JSON body."""
    return any(
        str(code).startswith("2") and "application/json" in (response.get("content") or {})
        for code, response in operation.get("responses", {}).items()
    )


def accepts_json(accept: str) -> bool:
    """Whether an ``Accept`` header (RFC 9110 12.5.1) allows ``application/json``.

    The most specific media range that matches decides, and ``q=0`` excludes.
    """
    best: tuple[int, float] | None = None
    for element in accept.split(","):
        media, *parameters = (part.strip() for part in element.split(";"))
        specificity = {"application/json": 3, "application/*": 2, "*/*": 1}.get(media.lower())
        if specificity is None:
            continue
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if best is None or specificity > best[0]:
            best = (specificity, quality)
    return best is not None and best[1] > 0


def _allow_header(methods: frozenset[str]) -> str:
    return ", ".join(sorted(methods))


class SbiGuard:
    """Pure ASGI middleware; see the module docstring."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: RouteTable,
        max_body_bytes: int,
        body_read_timeout: float = 30.0,
    ) -> None:
        self.app = app
        self.routes = routes
        self.max_body_bytes = max_body_bytes
        self.body_read_timeout = body_read_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "HEAD":
            send = _without_body(send)
        route = self.routes.find(scope["path"])
        if route is None:
            await _problem(scope, receive, send, 404, f"no resource {scope['path']!r}")
            return
        method = scope["method"]
        if method not in route.methods:
            allowed = _allow_header(route.methods)
            detail = f"{method} is not allowed here; allowed: {allowed}"
            await _problem(scope, receive, send, 405, detail, Allow=allowed)
            return
        accept = header(scope, b"accept")
        if method in route.json_methods and accept is not None and not accepts_json(accept):
            detail = f"the answer is application/json, which Accept {accept!r} excludes"
            await _problem(scope, receive, send, 406, detail)
            return
        if method in _WITH_BODY:
            try:
                async with asyncio.timeout(self.body_read_timeout):
                    body = await read_limited_body(scope, receive, self.max_body_bytes)
            except TimeoutError:
                detail = f"the body did not arrive within {self.body_read_timeout:g} s"
                await _problem(scope, receive, send, 408, detail, Connection="close")
                return
            except BodyTooLong as exc:
                await too_long(scope, receive, send, exc, self.max_body_bytes)
                return
            scope, receive = replay(scope, receive, body)
        await self.app(scope, receive, send)


async def too_long(
    scope: Scope, receive: Receive, send: Send, exc: BodyTooLong, limit: int
) -> None:
    """413 PAYLOAD_TOO_LARGE, then the rest of the body drained (the module docstring)."""
    await _problem(scope, receive, send, 413, f"the body is longer than {limit} bytes")
    await _drain(receive, exc.read, limit + DRAIN_BYTES)


async def _drain(receive: Receive, read: int, limit: int) -> None:
    """Read and discard the rest of a request body, up to ``limit`` bytes in all.

    ``read`` is what was read already, or -1 when nothing is left to drain (the body
    ended, or it is known to be longer than ``limit``).
    """
    if read < 0:
        return
    while read <= limit:
        message = await receive()
        if message["type"] == "http.disconnect" or not message.get("more_body", False):
            return
        read += len(message.get("body", b""))


def _without_body(send: Send) -> Send:
    """``send`` for a HEAD request: the response's status and headers, never its body."""

    async def head_send(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return head_send


async def _problem(
    scope: Scope, receive: Receive, send: Send, status: int, detail: str, **headers: str
) -> None:
    await send_problem(send, problem_document(status, None, detail=detail), **headers)


def add_guard(
    app: connexion.AsyncApp,
    routes: RouteTable,
    max_body_bytes: int,
    body_read_timeout: float = 30.0,
) -> None:
    """Put the guard in front of ``app``'s routing, for the resources of ``routes``.

    Middleware added earlier at the same position sits outside it (a test stub's, say).
    """
    app.add_middleware(
        SbiGuard,
        position=MiddlewarePosition.BEFORE_EXCEPTION,
        routes=routes,
        max_body_bytes=max_body_bytes,
        body_read_timeout=body_read_timeout,
    )
