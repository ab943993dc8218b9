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
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from npcf_bdt_client.models import Notification

from nef_client import _serving
from nf_common.asgi import BodyTooLong, Receive, Scope, Send, read_body, respond
from nf_common.problems import (
    MANDATORY_IE_INCORRECT,
    MANDATORY_IE_MISSING,
    pointer,
    problem_document,
    send_problem,
)

__all__ = ["NotificationReceiver", "receiver_in_background", "serve_receiver", "spec_path"]

Callback = Callable[[Notification], None] | Callable[[Notification], Awaitable[None]]

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


def validation_problems(document: Any) -> list[dict[str, str]]:
    """InvalidParam entries (JSON pointer and reason) for a body; empty when it is valid."""
    problems = []
    for error in sorted(_validator().iter_errors(document), key=lambda e: list(e.path)):
        if error.validator == "required" and isinstance(error.instance, dict):
            for name in error.validator_value:
                if name not in error.instance:
                    problems.append({"param": pointer([*error.path, name]), "reason": "missing"})
        else:
            problems.append({"param": pointer(error.path), "reason": error.message})
    return problems


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
            detail = "notifications are POSTed"
            await send_problem(send, problem_document(405, None, detail=detail), Allow="POST")
            return
        headers = dict(scope["headers"])
        media_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if media_type != b"application/json":
            detail = "send application/json"
            await send_problem(send, problem_document(415, None, detail=detail))
            return
        try:
            body = await read_body(receive, MAX_BODY)
        except BodyTooLong:
            await send_problem(send, problem_document(413, None, detail="body too large"))
            return
        try:
            document = json.loads(body)
        except ValueError as exc:
            await send_problem(send, problem_document(400, None, detail=f"not JSON: {exc}"))
            return
        problems = validation_problems(document)
        if problems:
            missing = any(p["reason"] == "missing" for p in problems)
            cause = MANDATORY_IE_MISSING if missing else MANDATORY_IE_INCORRECT
            detail = "the body is not a valid Notification"
            await send_problem(send, problem_document(400, cause, None, detail, problems))
            return
        notification = Notification.from_dict(document)
        try:
            if self._is_async:
                await self._callback(notification)  # type: ignore[misc]
            else:
                await asyncio.to_thread(self._callback, notification)
        except Exception as exc:
            await send_problem(send, problem_document(500, None, detail=type(exc).__name__))
            return
        await respond(send, 204)


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
