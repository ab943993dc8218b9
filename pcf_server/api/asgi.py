"""ASGI pieces the PCF's middleware share: reading a request body and handing it on."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import Message, Receive, Scope


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
