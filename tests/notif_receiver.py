"""A stand-in NEF for tests: records every notification POSTed to it, as a process.

Served by granian on HTTP/1.1 and h2c like the PCF. ``POST /old`` answers 307 to
``/bdt`` to exercise redirects; ``POST /bdt`` records ``{path, http_version, body}`` as a
JSON line in the file named by ``NOTIF_RECEIVER_OUT`` and answers 204.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.asgi import read_body
from tests.conftest import REPO

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    body = await read_body(receive)
    if scope["path"] == "/old":
        status, headers = 307, [(b"location", b"/bdt")]
    elif scope["path"] == "/bdt" and scope["method"] == "POST":
        with open(os.environ["NOTIF_RECEIVER_OUT"], "a", encoding="utf-8") as out:
            out.write(json.dumps({
                "path": scope["path"],
                "http_version": scope["http_version"],
                "body": json.loads(body),
            }) + "\n")  # fmt: skip
        status, headers = 204, []
    else:
        status, headers = 200, []
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def received(out: Path) -> list[dict[str, Any]]:
    if not out.exists():
        return []
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@contextmanager
def running_receiver(port: int, out: Path) -> Iterator[str]:
    """Yield the receiver's base URL once it answers; stop it after."""
    process = subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "asgi", "--http", "auto",
         "--host", "127.0.0.1", "--port", str(port), "tests.notif_receiver:app"],
        cwd=REPO, env={**os.environ, "NOTIF_RECEIVER_OUT": str(out)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("notification receiver did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:  # granian waits for open keep-alive connections (the PCF's) to close
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
