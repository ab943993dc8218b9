"""NEFs that misbehave towards the PCF's notification sender, as one process.

``python -m tests.hostile_nef OUT MODE:PORT ...`` listens on each port (127.0.0.1, plain
HTTP/1.1 on raw sockets, so that every byte is under the test's control) and behaves
as its mode says, appending one JSON line per event to OUT:

- ``trickle``: answers a request one byte every 2 seconds, for ever;
- ``hang``: reads the request and never answers;
- ``huge``: answers 200 with a 400 MB body, sent as fast as the sender reads it;
- ``redirect=URL``: answers 307 to URL.

The h2c preface (the PCF speaks HTTP/2 first) is answered by closing the connection,
as an HTTP/1.1-only server would, so the sender falls back to HTTP/1.1.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

HUGE = 400 * 1024 * 1024
_CHUNK = b"\0" * (1024 * 1024)


def record(out: Path, **event: object) -> None:
    with out.open("a", encoding="utf-8") as stream:
        stream.write(json.dumps(event) + "\n")


async def read_request(reader: asyncio.StreamReader) -> bytes | None:
    """The request's head and body; None for the h2c preface or a closed connection."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        return None
    if head.startswith(b"PRI * HTTP/2.0"):
        return None
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return head + await reader.readexactly(length)


def handler(mode: str, out: Path):  # type: ignore[no-untyped-def]
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sent = 0
        try:
            while (request := await read_request(reader)) is not None:
                record(out, mode=mode, event="request", size=len(request))
                if mode == "trickle":
                    answer = b"HTTP/1.1 204 No Content\r\n" + b"X-Slow: " + b"x" * 200 + b"\r\n\r\n"
                    for byte in answer:
                        writer.write(bytes([byte]))
                        await writer.drain()
                        sent += 1
                        await asyncio.sleep(2)
                elif mode == "hang":
                    await asyncio.Event().wait()
                elif mode == "huge":
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % HUGE)
                    while sent < HUGE:
                        writer.write(_CHUNK)
                        await writer.drain()
                        sent += len(_CHUNK)
                else:
                    location = mode.removeprefix("redirect=").encode()
                    writer.write(
                        b"HTTP/1.1 307 Temporary Redirect\r\nLocation: " + location
                        + b"\r\nContent-Length: 0\r\n\r\n"
                    )  # fmt: skip
                    await writer.drain()
        except ConnectionError:
            pass
        finally:
            record(out, mode=mode, event="closed", sent=sent)
            writer.close()

    return handle


async def main(out: Path, specs: list[str]) -> None:
    servers = []
    for spec in specs:
        mode, _, port = spec.rpartition(":")
        servers.append(await asyncio.start_server(handler(mode, out), "127.0.0.1", int(port)))
    record(out, event="listening")
    await asyncio.gather(*(server.serve_forever() for server in servers))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2:]))
