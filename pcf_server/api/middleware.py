"""HTTP checks made before connexion sees a request: resource, method, body size.

connexion routes each (path, method) pair as a separate starlette route, so a wrong
method gets an ``Allow`` header naming only the first route's method (PATCH is lost on
the Individual BDT policy), and unknown paths get no 3GPP cause. This middleware knows
every resource and its methods from the specification and answers those cases itself
(TS 29.500 clause 5.2.7.2: 404 RESOURCE_URI_STRUCTURE_NOT_FOUND, 405 with ``Allow``).

It also reads request bodies first, up to ``max_body_bytes``: anything longer is
refused with 413 before it is parsed, whether or not a Content-Length announced it, and
the body handed on always carries an exact Content-Length (connexion takes a request
without one, as HTTP/2 allows, for a request without a body).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pcf_server.api.problems import PROBLEM_JSON, encode, problem_document

_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_WITH_BODY = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True)
class RouteTable:
    """Resource URI templates of the API and the methods each one allows."""

    routes: tuple[tuple[re.Pattern[str], frozenset[str]], ...]

    @classmethod
    def from_spec(cls, spec: Path, base_path: str) -> RouteTable:
        document: Mapping[str, Any] = yaml.safe_load(spec.read_text(encoding="utf-8"))
        routes = []
        for template, item in document["paths"].items():
            methods = {m.upper() for m in item if m in _HTTP_METHODS}
            if "GET" in methods:
                methods.add("HEAD")  # served with GET by starlette (RFC 9110 9.3.2)
            pattern = re.escape(base_path + template)
            pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", pattern)
            routes.append((re.compile(f"^{pattern}$"), frozenset(methods)))
        return cls(tuple(routes))

    def allowed(self, path: str) -> frozenset[str] | None:
        """Methods of the resource at ``path``; None if no resource has that URI form."""
        for pattern, methods in self.routes:
            if pattern.match(path):
                return methods
        return None


def _allow_header(methods: frozenset[str]) -> str:
    return ", ".join(sorted(methods))


class SbiGuard:
    """Pure ASGI middleware; see the module docstring."""

    def __init__(self, app: ASGIApp, *, routes: RouteTable, max_body_bytes: int) -> None:
        self.app = app
        self.routes = routes
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        allowed = self.routes.allowed(scope["path"])
        if allowed is None:
            await _problem(scope, receive, send, 404, f"no resource {scope['path']!r}")
            return
        method = scope["method"]
        if method not in allowed:
            detail = f"{method} is not allowed here; allowed: {_allow_header(allowed)}"
            await _problem(scope, receive, send, 405, detail, Allow=_allow_header(allowed))
            return
        if method in _WITH_BODY:
            body = await self._read_body(scope, receive)
            if body is None:
                detail = f"the body is longer than {self.max_body_bytes} bytes"
                await _problem(scope, receive, send, 413, detail)
                return
            scope, receive = _replay(scope, receive, body)
        await self.app(scope, receive, send)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it is known to exceed the limit."""
        declared = MutableHeaders(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def _replay(scope: Scope, receive: Receive, body: bytes) -> tuple[Scope, Receive]:
    """The request again, with its body read already and an exact Content-Length."""
    scope = dict(scope)
    scope["headers"] = list(scope["headers"])
    MutableHeaders(scope=scope)["content-length"] = str(len(body))
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # only a disconnect is left to come

    return scope, replayed


async def _problem(
    scope: Scope, receive: Receive, send: Send, status: int, detail: str, **headers: str
) -> None:
    document = problem_document(status, None, detail=detail)
    response = Response(encode(document), status, headers=headers, media_type=PROBLEM_JSON)
    await response(scope, receive, send)
