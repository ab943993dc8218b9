"""Receive the PCF's BDT warning notifications (TS 29.554 clause 4.2.5, BdtNotification_5G).

``NotificationReceiver`` is a plain ASGI app: mount it in the NEF's own ASGI server at
the path given as ``notifUri``, or run it on its own with ``serve_receiver`` (or
``nef-bdt listen``). Every POST body is checked against the ``Notification`` schema of
the specification this package was generated from; the PCF gets 204 once the callback
returned, or a 400 ProblemDetails naming what is wrong, so a bad notification is refused
before application code sees it. Needs the ``receiver`` extra.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from npcf_bdt_client.models import Notification

from nef_client import _serving

__all__ = ["NotificationReceiver", "receiver_in_background", "serve_receiver", "spec_path"]

Callback = Callable[[Notification], None] | Callable[[Notification], Awaitable[None]]
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MAX_BODY = 1 << 20  # notifications are small; refuse anything absurd
_SPEC_NAME = "openapi.yaml"
_SCHEMA_URI = "urn:npcf-bdt:openapi"


def spec_path() -> Path:
    """The bundled specification: inside the installed wheel, or generated/ of a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / _SPEC_NAME, here.parent / "generated" / _SPEC_NAME):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"{_SPEC_NAME} not found beside {here} nor in ../generated")


@cache
def _validator() -> Any:
    try:
        import yaml
        from jsonschema import Draft4Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT4
    except ImportError as exc:
        raise RuntimeError(
            "the notification receiver needs the receiver extra: pip install 'npcf-bdt[receiver]'"
        ) from exc
    document = yaml.safe_load(spec_path().read_text(encoding="utf-8"))
    # OpenAPI 3.0 schemas are a JSON Schema draft 4 dialect; refer into the whole file
    # so that the Notification schema's $refs resolve as they do in the spec.
    resource = Resource.from_contents(document, default_specification=DRAFT4)
    registry: Any = Registry().with_resource(_SCHEMA_URI, resource)
    schema = {"$ref": f"{_SCHEMA_URI}#/components/schemas/Notification"}
    return Draft4Validator(schema, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)


def _pointer(path: Any) -> str:
    return "/" + "/".join(str(part).replace("~", "~0").replace("/", "~1") for part in path)


def validation_problems(document: Any) -> list[dict[str, str]]:
    """InvalidParam entries (JSON pointer and reason) for a body; empty when it is valid."""
    problems = []
    for error in sorted(_validator().iter_errors(document), key=lambda e: list(e.path)):
        if error.validator == "required" and isinstance(error.instance, dict):
            for name in error.validator_value:
                if name not in error.instance:
                    problems.append({"param": _pointer([*error.path, name]), "reason": "missing"})
        else:
            problems.append({"param": _pointer(error.path), "reason": error.message})
    return problems


async def _respond(
    send: Send, status: int, document: dict[str, Any] | None = None,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:  # fmt: skip
    body = b"" if document is None else json.dumps(document).encode()
    all_headers = list(headers or [])
    if body:
        all_headers.append((b"content-type", b"application/problem+json"))
    all_headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": body})


def _problem(
    status: int, cause: str, title: str, detail: str, params: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    doc: dict[str, Any] = {"status": status, "cause": cause, "title": title, "detail": detail}
    if params:
        doc["invalidParams"] = params
    return doc


class NotificationReceiver:
    """ASGI app taking Notification POSTs and handing them, typed, to ``callback``.

    Args:
        callback: called with each valid ``Notification`` (the generated model). A
            coroutine function is awaited on the server's loop; a plain function runs in
            a worker thread, so it may block. If it raises, the PCF gets a 500.

    """

    def __init__(self, callback: Callback) -> None:
        self._callback = callback
        self._is_async = inspect.iscoroutinefunction(callback)
        _validator()  # fail at construction, not at the first notification

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["method"] != "POST":
            problem = _problem(
                405, "METHOD_NOT_ALLOWED", "Method Not Allowed", "notifications are POSTed"
            )
            await _respond(send, 405, problem, [(b"allow", b"POST")])
            return
        headers = dict(scope["headers"])
        media_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if media_type != b"application/json":
            problem = _problem(
                415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported Media Type", "send application/json"
            )
            await _respond(send, 415, problem)
            return
        body = await _read(receive)
        if body is None:
            problem = _problem(413, "PAYLOAD_TOO_LARGE", "Content Too Large", "body too large")
            await _respond(send, 413, problem)
            return
        try:
            document = json.loads(body)
        except ValueError as exc:
            problem = _problem(400, "INVALID_MSG_FORMAT", "Bad Request", f"not JSON: {exc}")
            await _respond(send, 400, problem)
            return
        problems = validation_problems(document)
        if problems:
            cause = (
                "MANDATORY_IE_MISSING"
                if any(p["reason"] == "missing" for p in problems)
                else "MANDATORY_IE_INCORRECT"
            )
            detail = "the body is not a valid Notification"
            await _respond(send, 400, _problem(400, cause, "Bad Request", detail, problems))
            return
        notification = Notification.from_dict(document)
        try:
            if self._is_async:
                await self._callback(notification)  # type: ignore[misc]
            else:
                await asyncio.to_thread(self._callback, notification)
        except Exception as exc:
            problem = _problem(500, "SYSTEM_FAILURE", "Internal Server Error", type(exc).__name__)
            await _respond(send, 500, problem)
            return
        await _respond(send, 204)


async def _read(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def serve_receiver(callback: Callback, host: str = "127.0.0.1", port: int = 8090) -> None:
    """Run a receiver on its own (HTTP/1.1 and h2c on one port) until Ctrl-C."""
    _serving.serve(NotificationReceiver(callback), host, port)


@contextmanager
def receiver_in_background(
    callback: Callback, host: str = "127.0.0.1", port: int = 0
) -> Iterator[str]:
    """Run a receiver in a thread of this process during the block; yield its URL.

    Meant for tests and small tools: hand the URL (plus any path) to the PCF as
    ``notification_uri``.
    """
    with _serving.background(NotificationReceiver(callback), host, port) as url:
        yield url
