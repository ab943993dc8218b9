"""Test-stub behaviour of the PCF (``pcf-bdt serve --stub``): fault injection and a journal.

NEF test suites (the ``pcf_stub`` pytest fixture of nef_client) drive it over HTTP under
``/pcf-bdt-admin/v1``:

- ``POST /faults`` ``{"count": N, "status": 503, "cause": "NF_CONGESTION",
  "retryAfter": 1, "location": "...", "method": "POST"}``: the next N requests to the 3GPP
  API (of that method, if given) get that status, with a ProblemDetails for 4xx/5xx, a
  ``Retry-After`` header when ``retryAfter`` is set and a ``Location`` for 3xx.
  ``DELETE /faults`` drops the ones not used yet.
- ``GET /requests``: the 3GPP API requests received, oldest first, each
  ``{method, path, query, headers, body, status}`` (``body`` parsed when JSON);
  ``DELETE /requests`` empties the journal.
- ``POST /reset``: empties the store, the journal and the faults, so one process can
  serve many tests, each with a fresh store.

It is a plain ASGI middleware, outside connexion, so that it sees (and can refuse)
requests before validation, and so that its state lives in one place per process: the
CLI runs a single worker with ``--stub``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pcf_server.api.problems import PROBLEM_JSON, problem_document
from pcf_server.settings import BASE_PATH

ADMIN_PATH = "/pcf-bdt-admin/v1"
JOURNAL_LIMIT = 10_000

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_TITLES = {
    303: "See Other",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


@dataclass
class Fault:
    count: int
    status: int
    cause: str | None
    retry_after: int | None
    location: str | None
    method: str | None

    @classmethod
    def from_document(cls, doc: Any) -> Fault:
        if not isinstance(doc, dict):
            raise ValueError("body must be a JSON object")
        count, status = doc.get("count", 1), doc.get("status")
        if not isinstance(count, int) or count < 1:
            raise ValueError("count must be an integer >= 1")
        if not isinstance(status, int) or not 300 <= status <= 599:
            raise ValueError("status must be an integer from 300 to 599")
        retry_after = doc.get("retryAfter")
        if retry_after is not None and (not isinstance(retry_after, int) or retry_after < 0):
            raise ValueError("retryAfter must be an integer >= 0")
        location = doc.get("location")
        if 300 <= status < 400 and not isinstance(location, str):
            raise ValueError("a 3xx fault needs a location")
        method = doc.get("method")
        return cls(
            count=count,
            status=status,
            cause=doc.get("cause"),
            retry_after=retry_after,
            location=location,
            method=method.upper() if isinstance(method, str) else None,
        )

    def to_document(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "status": self.status,
            "cause": self.cause,
            "retryAfter": self.retry_after,
            "location": self.location,
            "method": self.method,
        }


class StubState:
    """Faults to inject and requests seen; shared by the tasks of one worker."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._lock = threading.Lock()
        self._faults: deque[Fault] = deque()
        self._journal: deque[dict[str, Any]] = deque(maxlen=JOURNAL_LIMIT)

    def add_fault(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def faults(self) -> list[dict[str, Any]]:
        with self._lock:
            return [fault.to_document() for fault in self._faults]

    def take_fault(self, method: str) -> Fault | None:
        """The fault for this request, if one is due; it is used up by one request."""
        with self._lock:
            for fault in self._faults:
                if fault.method in (None, method):
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._journal.append(entry)

    def journal(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._journal)

    def clear_journal(self) -> None:
        with self._lock:
            self._journal.clear()

    def reset(self) -> None:
        """Empty every table of the store (the schema version stays) and the stub state."""
        connection = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        try:
            connection.execute("BEGIN IMMEDIATE")
            tables = [
                row[0]
                for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite_%'"
                )
            ]
            for table in tables:
                connection.execute(f'DELETE FROM "{table}"')
            connection.execute("COMMIT")
        finally:
            connection.close()
        self.clear_faults()
        self.clear_journal()


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    """A receive callable that hands the already-read body to the wrapped app."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _respond(
    send: Send, status: int, document: Any = None, content_type: str = "application/json",
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:  # fmt: skip
    body = b"" if document is None else json.dumps(document).encode()
    all_headers = list(headers or [])
    if body:
        all_headers.append((b"content-type", content_type.encode()))
    all_headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": body})


class StubMiddleware:
    """Wraps the PCF application; see the module docstring for what it adds."""

    def __init__(self, app: ASGIApp, state: StubState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith(ADMIN_PATH + "/") and await self._admin(scope, receive, send):
            return
        if not path.startswith(BASE_PATH + "/") and path != BASE_PATH:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        entry: dict[str, Any] = {
            "method": scope["method"],
            "path": path,
            "query": scope.get("query_string", b"").decode("latin-1"),
            "headers": {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]},
            "body": _body_document(body),
            "httpVersion": scope.get("http_version"),
            "status": None,
        }
        self.state.record(entry)
        fault = self.state.take_fault(scope["method"])
        if fault is not None:
            entry["status"] = fault.status
            await _fault_response(send, fault)
            return

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
            await send(message)

        await self.app(scope, _replay(body), recording_send)

    async def _admin(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Serve an admin request of the stub; False to pass it on (e.g. issue 4's)."""
        method, route = scope["method"], scope["path"][len(ADMIN_PATH) :]
        if route == "/faults" and method == "POST":
            try:
                fault = Fault.from_document(json.loads(await _read_body(receive) or b"null"))
            except ValueError as exc:
                doc = problem_document(400, "MANDATORY_IE_INCORRECT", "Bad Request", str(exc))
                await _respond(send, 400, doc, PROBLEM_JSON)
                return True
            self.state.add_fault(fault)
            await _respond(send, 201, self.state.faults())
        elif route == "/faults" and method == "GET":
            await _respond(send, 200, self.state.faults())
        elif route == "/faults" and method == "DELETE":
            self.state.clear_faults()
            await _respond(send, 204)
        elif route == "/requests" and method == "GET":
            await _respond(send, 200, self.state.journal())
        elif route == "/requests" and method == "DELETE":
            self.state.clear_journal()
            await _respond(send, 204)
        elif route == "/reset" and method == "POST":
            self.state.reset()
            await _respond(send, 204)
        else:
            return False
        return True


def _body_document(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", errors="replace")


async def _fault_response(send: Send, fault: Fault) -> None:
    headers: list[tuple[bytes, bytes]] = []
    if fault.retry_after is not None:
        headers.append((b"retry-after", str(fault.retry_after).encode()))
    if fault.location is not None:
        headers.append((b"location", fault.location.encode()))
    if fault.status < 400:
        # 307/308 carry a RedirectResponse (TS 29.571); 303 carries nothing.
        document = {"cause": fault.cause} if fault.status != 303 and fault.cause else None
        await _respond(send, fault.status, document, headers=headers)
        return
    title = _TITLES.get(fault.status, "Error")
    document = problem_document(fault.status, fault.cause, title, "injected by the PCF stub")
    await _respond(send, fault.status, document, PROBLEM_JSON, headers)


def install(app: Any, db_path: Path) -> None:
    """Wrap a connexion app (before its exception handling, so faults bypass validation)."""
    from connexion.middleware import MiddlewarePosition

    app.add_middleware(
        StubMiddleware, position=MiddlewarePosition.BEFORE_EXCEPTION, state=StubState(db_path)
    )
