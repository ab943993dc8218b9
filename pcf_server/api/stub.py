"""Test-stub behaviour of the PCF (``pcf-bdt serve --stub``): fault injection and a journal.

NEF test suites (the ``pcf_stub`` pytest fixture of nef_client) drive it over HTTP with
the API of ``stub.yaml``, served beside the operator API under ``/pcf-bdt-admin/v1``:
faults for the next requests to the 3GPP API, the journal of those requests, and a reset
of everything, so that one process can serve many tests, each with a fresh store.

``StubMiddleware`` is a plain ASGI middleware outside connexion, so that it sees (and
can refuse) 3GPP API requests before validation; ``StubHandlers`` are the thin
handlers of ``stub.yaml``. Their state lives in one place per process: the CLI runs a
single worker with ``--stub``.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nf_common.asgi import BodyTooLong, read_limited_body, replay
from nf_common.guard import too_long
from nf_common.problems import PROBLEM_JSON, encode, problem_document
from pcf_server.settings import BASE_PATH
from pcf_server.wire.errors import DocumentError

JOURNAL_LIMIT = 10_000
_JSON = {"Content-Type": "application/json"}
Reply = tuple[Any, int, dict[str, str]]


@dataclass
class Fault:
    count: int
    status: int
    cause: str | None
    retry_after: int | None
    location: str | None
    method: str | None

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Fault:
        """A schema-valid Fault; a 3xx without a location is refused here."""
        if 300 <= doc["status"] < 400 and doc.get("location") is None:
            raise DocumentError("/location", "a 3xx fault needs a location")
        method = doc.get("method")
        return cls(
            count=doc.get("count", 1),
            status=doc["status"],
            cause=doc.get("cause"),
            retry_after=doc.get("retryAfter"),
            location=doc.get("location"),
            method=method.upper() if method else None,
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

    def response(self) -> Response:
        headers: dict[str, str] = {}
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        if self.location is not None:
            headers["Location"] = self.location
        if self.status >= 400:
            document = problem_document(self.status, self.cause, detail="injected by the PCF stub")
            return Response(encode(document), self.status, headers, PROBLEM_JSON)
        # 307/308 carry a RedirectResponse (TS 29.571); 303 carries nothing.
        if self.status != 303 and self.cause:
            return Response(encode({"cause": self.cause}), self.status, headers, "application/json")
        return Response(None, self.status, headers)


class StubState:
    """Faults to inject and requests seen; shared by the tasks of one worker."""

    def __init__(self) -> None:
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


def redact_credentials(value: str) -> str:
    """An Authorization value as the journal shows it: scheme and a digest, no secret.

    The journal is readable by whoever reaches the operator listener; a token there
    could be replayed. The digest (the first 16 hex digits of the SHA-256 of the
    credentials) still tells a test which token was sent (nef_client.testing has the
    same function).
    """
    scheme, _, credentials = value.partition(" ")
    digest = hashlib.sha256(credentials.strip().encode("utf-8")).hexdigest()[:16]
    return f"{scheme} [redacted sha256:{digest}]"


def _journal_headers(scope: Scope) -> dict[str, str]:
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
    for name in ("authorization", "proxy-authorization"):
        if name in headers:
            headers[name] = redact_credentials(headers[name])
    return headers


class StubMiddleware:
    """Journal every request to the 3GPP API, and answer it with a due fault if any.

    A body is read only up to ``max_body_bytes`` (the server's limit): a longer one is
    answered 413 as the SBI guard would, and journalled without its body.
    """

    def __init__(self, app: ASGIApp, state: StubState, max_body_bytes: int) -> None:
        self.app = app
        self.state = state
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not (path.startswith(BASE_PATH + "/") or path == BASE_PATH):
            await self.app(scope, receive, send)
            return
        entry: dict[str, Any] = {
            "method": scope["method"],
            "path": path,
            "query": scope.get("query_string", b"").decode("latin-1"),
            "headers": _journal_headers(scope),
            "body": None,
            "httpVersion": scope.get("http_version"),
            "status": None,
        }
        self.state.record(entry)
        try:
            body = await read_limited_body(scope, receive, self.max_body_bytes)
        except BodyTooLong as exc:
            entry["status"] = 413
            await too_long(scope, receive, send, exc, self.max_body_bytes)
            return
        entry["body"] = _body_document(body)
        fault = self.state.take_fault(scope["method"])
        if fault is not None:
            entry["status"] = fault.status
            await fault.response()(scope, receive, send)
            return

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry["status"] = message["status"]
            await send(message)

        scope, receive = replay(scope, receive, body)
        await self.app(scope, receive, recording_send)


def _body_document(body: bytes) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", errors="replace")


class StubHandlers:
    """The operations of ``stub.yaml``; ``reset_store`` empties the PCF's store."""

    def __init__(self, state: StubState, reset_store: Callable[[], None]) -> None:
        self._state = state
        self._reset_store = reset_store

    def add_fault(self, body: dict[str, Any]) -> Reply:
        self._state.add_fault(Fault.from_document(body))
        return self._state.faults(), 201, _JSON

    def list_faults(self) -> Reply:
        return self._state.faults(), 200, _JSON

    def clear_faults(self) -> Reply:
        self._state.clear_faults()
        return None, 204, {}

    def list_requests(self) -> Reply:
        return self._state.journal(), 200, _JSON

    def clear_requests(self) -> Reply:
        self._state.clear_journal()
        return None, 204, {}

    def reset(self) -> Reply:
        self._reset_store()
        self._state.clear_faults()
        self._state.clear_journal()
        return None, 204, {}
