"""ASGI pieces the PCF's middleware share: reading a request body and handing it on."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Scope

# Bytes of an over-long body read and discarded after the 413 (api.middleware says why).
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
    declared = MutableHeaders(scope=scope).get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLong(-1 if int(declared) > limit + DRAIN_BYTES else 0)
    return await read_body(receive, limit)


def replay(scope: Scope, receive: Receive, body: bytes) -> tuple[Scope, Receive]:
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
