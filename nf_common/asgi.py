"""Plain ASGI pieces the project's servers share: types, request bodies, answers.

Standard library only: the NEF SDK's notification receiver uses them without the server
extra, and middleware that must see a request before any framework does uses them too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Bytes of an over-long body read and discarded after the 413 (nf_common.guard says why).
DRAIN_BYTES = 64 * 2**20


class BodyTooLong(Exception):
    """The body passed the limit; ``read`` bytes were read, or -1 if none is left to read."""

    def __init__(self, read: int) -> None:
        super().__init__(f"the body is longer than the limit ({read} bytes read)")
        self.read = read


async def read_body(receive: Receive, limit: float = float("inf")) -> bytes:
    """The whole request body, however many messages it comes in; at most ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        more = message.get("more_body", False)
        if size > limit:
            raise BodyTooLong(size if more else -1)
        chunks.append(chunk)
        if not more:
            break
    return b"".join(chunks)


async def read_limited_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The whole body, refused (``BodyTooLong``) as soon as it is known to pass ``limit``.

    A Content-Length over the limit refuses it before a byte is read. ``BodyTooLong.read``
    is what was read (for draining after the answer); -1 when the body was not read and is
    longer than ``limit + DRAIN_BYTES`` (not worth draining), 0 when not read at all.
    """
    declared = header(scope, b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLong(-1 if int(declared) > limit + DRAIN_BYTES else 0)
    return await read_body(receive, limit)


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of a request header (``name`` in lower case), if it has one."""
    for key, value in scope["headers"]:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def replay(scope: Scope, receive: Receive, body: bytes) -> tuple[Scope, Receive]:
    """The request again, with its body read already and an exact Content-Length."""
    scope = dict(scope)
    scope["headers"] = [
        (name, value) for name, value in scope["headers"] if name.lower() != b"content-length"
    ]
    scope["headers"].append((b"content-length", str(len(body)).encode("latin-1")))
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # only a disconnect is left to come

    return scope, replayed


async def respond(
    send: Send,
    status: int,
    body: bytes = b"",
    media_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Send a whole response: ``headers``, then Content-Type (if given) and Length."""
    fields = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in (headers or {}).items()
    ]
    if media_type is not None:
        fields.append((b"content-type", media_type.encode("latin-1")))
    fields.append((b"content-length", str(len(body)).encode("latin-1")))
    await send({"type": "http.response.start", "status": status, "headers": fields})
    await send({"type": "http.response.body", "body": body})
