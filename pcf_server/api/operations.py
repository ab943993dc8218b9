"""What every listener serves besides its APIs: probes, metrics, and request logs.

``OperationsEndpoints`` answers, before anything else of the application sees them:

- ``GET /healthz``: 200 while the process serves (liveness);
- ``GET /readyz``: 200 when the process can do its work, else 503 with a ProblemDetails
  naming each reason (the store unreachable, not writable or at another schema version,
  the notification sender not running);
- ``GET /metrics`` (where a scrape is given: the operator listener): the Prometheus
  text format.

Probes need no access token and are neither logged nor counted as requests: a kubelet
asks every few seconds, and its lines would bury the NFs'. ``RequestLog`` logs and
counts every other request, once answered: method, path (never the query string, nor
any header), status, duration, operation, and the consumer a token named.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from nf_common.asgi import ASGIApp, Message, Receive, Scope, Send, header, respond
from nf_common.problems import PROBLEM_JSON, encode, problem_document

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
NOTE_KEY = "pcf_bdt.request_note"
ROUTING = "connexion_routing"  # connexion's routing context in scope["extensions"]


@dataclass
class RequestNote:
    """What inner middleware learns about a request for its log line (scope copies share it)."""

    consumer: str | None = None


Readiness = Callable[[], list[str]]
Scrape = Callable[[str], tuple[bytes, str]]  # Accept -> body, Content-Type
RequestDone = Callable[[str, str, str, int, float, str | None], None]


class OperationsEndpoints:
    """ASGI middleware serving the probes (and metrics, given ``scrape``)."""

    def __init__(self, app: ASGIApp, *, readiness: Readiness, scrape: Scrape | None = None) -> None:
        self.app = app
        self.readiness = readiness
        self.scrape = scrape
        self.served = frozenset({HEALTH_PATH, READY_PATH} | ({METRICS_PATH} if scrape else set()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path") if scope["type"] == "http" else None
        if path not in self.served:
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            document = problem_document(405, None, detail=f"{path} answers GET and HEAD")
            await respond(send, 405, encode(document), PROBLEM_JSON, {"Allow": "GET, HEAD"})
            return
        if path == HEALTH_PATH:
            status, body, media_type = 200, _json({"status": "alive"}), "application/json"
        elif path == READY_PATH:
            status, body, media_type = await self._ready()
        else:
            assert self.scrape is not None
            accept = header(scope, b"accept") or ""
            body, media_type = await asyncio.to_thread(self.scrape, accept)
            status = 200
        if scope["method"] == "HEAD":
            body = b""
        await respond(send, status, body, media_type, {"Cache-Control": "no-store"})

    async def _ready(self) -> tuple[int, bytes, str]:
        reasons = await asyncio.to_thread(self.readiness)
        if not reasons:
            return 200, _json({"status": "ready"}), "application/json"
        document = problem_document(503, None, "Service Unavailable", "; ".join(reasons))
        document["reasons"] = reasons
        return 503, encode(document), PROBLEM_JSON


def _json(document: dict[str, str]) -> bytes:
    return json.dumps(document).encode()


class RequestLog:
    """ASGI middleware: each answered request to ``request_done`` (log line and metrics)."""

    def __init__(self, app: ASGIApp, *, request_done: RequestDone) -> None:
        self.app = app
        self.request_done = request_done

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        note = RequestNote()
        # connexion's routing writes its context into this dict, which copies of the
        # scope further in share.
        if scope.get("extensions") is None:
            scope["extensions"] = {}
        extensions = scope["extensions"]
        scope[NOTE_KEY] = note
        started = time.perf_counter()
        status = 500  # what the client gets if the application fails before answering

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            routing = extensions.get(ROUTING) or {}
            self.request_done(
                scope["method"],
                scope["path"],
                routing.get("operation_id") or "unrouted",
                status,
                time.perf_counter() - started,
                note.consumer,
            )
