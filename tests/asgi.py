"""Small pieces shared by the ASGI servers the tests run (NEF stand-ins, token endpoint)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any


async def read_body(receive: Callable[[], Awaitable[Any]]) -> bytes:
    """The whole request body, however many ``http.request`` messages it came in."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body
