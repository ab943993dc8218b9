"""The running sender holds no connection while it has nothing to send.

A server stopping gracefully waits for its clients to close their connections; a PCF and
a NEF gateway deliver to each other, so a sender that kept an idle connection open would
keep the other side from stopping. Here the receiver is a stdlib HTTP/1.1 server, which
keeps each connection until the client closes it, and counts the open ones.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from nef_gateway.notify import AF_DELIVERY
from nef_gateway.storage import SqliteStore
from nf_common.delivery import DeliveryPolicy, NotificationSender
from nf_common.destinations import LABS


class Receiver:
    """Deliveries received and connections open, observed under one condition."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.open = 0
        self.bodies: list[bytes] = []

    def wait_for(self, predicate: Any, what: str) -> None:
        with self.changed:
            assert self.changed.wait_for(predicate, timeout=20), what


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: the connection is the client's to close

        def setup(self) -> None:
            super().setup()
            with receiver.changed:
                receiver.open += 1
                receiver.changed.notify_all()

        def finish(self) -> None:
            super().finish()
            with receiver.changed:
                receiver.open -= 1
                receiver.changed.notify_all()

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()
            with receiver.changed:
                receiver.bodies.append(body)
                receiver.changed.notify_all()

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    seen = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(seen))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class Running:
    """``sender.run()`` on an event loop of its own thread, until ``stop``."""

    def __init__(self, sender: NotificationSender) -> None:
        self._sender = sender
        self._started = threading.Event()
        self._thread = threading.Thread(target=asyncio.run, args=(self._main(),), daemon=True)
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        task = asyncio.create_task(self._sender.run())
        self._started.set()
        await self._stop.wait()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    def __enter__(self) -> Running:
        self._thread.start()
        assert self._started.wait(timeout=10)
        return self

    def __exit__(self, *_: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=10)


@pytest.mark.parametrize(
    "policy",
    [DeliveryPolicy(), AF_DELIVERY],
    ids=["pcf-h2c-falls-back-to-http-1.1", "gateway-http-1.1"],
)
def test_connections_are_closed_once_nothing_is_due(
    receiver: tuple[Receiver, str], tmp_path: Path, policy: DeliveryPolicy
) -> None:
    seen, url = receiver
    store = SqliteStore(tmp_path / "outbox.db")
    sender = NotificationSender(store.unit_of_work, replace(policy, poll=0.2), destinations=LABS)
    with Running(sender):
        for number in (1, 2):  # twice: the sender connects again when there is work
            with store.unit_of_work() as uow:
                uow.outbox.add("s", f"{url}/warnings", {"bdtRefId": f"r{number}"}, time.time())
                uow.commit()
            sender.wake()
            seen.wait_for(lambda n=number: len(seen.bodies) == n, f"delivery {number}")
            seen.wait_for(lambda: seen.open == 0, "the idle sender closed its connection")
    with store.unit_of_work(write=False) as uow:
        assert uow.outbox.rows() == []
