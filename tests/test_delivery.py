"""The notification sender against real HTTP servers in this process, on a fake clock.

hypercorn (HTTP/1.1 and h2c on one port, as a NEF would run) answers as each test's
script says; a stdlib ``http.server`` plays a NEF that speaks HTTP/1.1 only. The sender
is driven one delivery round at a time (``deliver_due``), and its clock is a variable, so
backoff, ``Retry-After`` and giving up are checked without waiting for them.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar

import pytest

from nef_client._serving import background
from nf_common.delivery import DeliveryPolicy, NotificationSender
from nf_common.destinations import LABS
from pcf_server.policy.warning import WarningNotification
from pcf_server.storage import SqliteStore
from tests.asgi import read_body
from tests.http11 import http11_server as serve_http11

T0 = 1_900_000_000.0  # the fake clock's start (Unix seconds)
POLICY = DeliveryPolicy(first_retry=0.5, max_retry=2.0, give_up_after=60.0, timeout=5.0)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class Nef:
    """What the test NEF answers per path, and what it received."""

    answers: dict[str, tuple[int, list[tuple[bytes, bytes]]]] = field(default_factory=dict)
    received: list[tuple[str, str, bytes]] = field(default_factory=list)  # path, version, body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        self.received.append((scope["path"], scope["http_version"], body))
        status, headers = self.answers.get(scope["path"], (204, []))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def nef() -> Iterator[tuple[Nef, str]]:
    app = Nef()
    with background(app) as url:
        yield app, url


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return SqliteStore(tmp_path / "outbox.db")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sender(store: SqliteStore, clock: Clock) -> NotificationSender:
    return NotificationSender(store.unit_of_work, POLICY, clock=clock, destinations=LABS)


def add(store: SqliteStore, uri: str, at: float = T0) -> None:
    """A notification whose body is ``{"bdtRefId":"r","candPolicies":[]}``."""
    with store.unit_of_work() as uow:
        uow.outbox.add(WarningNotification("policy", uri, "r", (), None, None), at)
        uow.commit()


def rows(store: SqliteStore) -> list[tuple[str, str, int, float, str | None]]:
    db = sqlite3.connect(store.path)
    try:
        return db.execute(
            "SELECT uri, state, attempts, next_attempt_at, last_error FROM outbox ORDER BY id"
        ).fetchall()
    finally:
        db.close()


def deliver(sender: NotificationSender, rounds: int = 1) -> list[int]:
    async def go() -> list[int]:
        async with sender.connected():
            return [await sender.deliver_due() for _ in range(rounds)]

    return asyncio.run(go())


def test_delivered_over_h2c_and_deleted(nef, store, sender) -> None:
    app, url = nef
    add(store, f"{url}/bdt")
    assert deliver(sender) == [1]
    assert rows(store) == []
    assert app.received == [("/bdt", "2", b'{"bdtRefId":"r","candPolicies":[]}')]


def test_backoff_doubles_with_jitter_up_to_the_cap(nef, store, sender, clock) -> None:
    app, url = nef
    app.answers["/busy"] = (503, [])
    add(store, f"{url}/busy")
    delays = []
    for attempt in range(5):
        assert deliver(sender) == [1]
        ((_, state, attempts, next_at, error),) = rows(store)
        assert (state, attempts, error) == ("pending", attempt + 1, "HTTP 503")
        delays.append(next_at - clock.now)
        assert deliver(sender) == [0]  # not due before its time
        clock.now = next_at
    # 0.5 s doubling, capped at max_retry = 2 s, each drawn from [half, whole].
    for delay, whole in zip(delays, [0.5, 1.0, 2.0, 2.0, 2.0], strict=True):
        assert whole / 2 <= delay <= whole, delays
    assert len(app.received) == 5


@pytest.mark.parametrize("status", [503, 429])
def test_retry_after_is_honoured(nef, store, sender, clock, status) -> None:
    app, url = nef
    app.answers["/later"] = (status, [(b"retry-after", b"7")])
    add(store, f"{url}/later")
    deliver(sender)
    ((_, state, attempts, next_at, error),) = rows(store)
    assert (state, attempts, error) == ("pending", 1, f"HTTP {status}")
    assert next_at == pytest.approx(clock.now + 7)  # not the 0.5 s backoff


def test_retry_after_as_an_http_date_uses_the_senders_clock(nef, store, sender, clock) -> None:
    app, url = nef
    # T0 + 30 s as an IMF-fixdate: measured from the sender's clock, not the wall clock.
    app.answers["/later"] = (503, [(b"retry-after", formatdate(T0 + 30, usegmt=True).encode())])
    add(store, f"{url}/later")
    deliver(sender)
    ((_, _, _, next_at, _),) = rows(store)
    assert next_at == pytest.approx(T0 + 30)


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_other_4xx_are_dead_at_once(nef, store, sender, status) -> None:
    app, url = nef
    app.answers["/no"] = (status, [])
    add(store, f"{url}/no")
    deliver(sender)
    assert [r[1:3] + r[4:] for r in rows(store)] == [("dead", 1, f"HTTP {status}")]
    assert deliver(sender) == [0]  # a dead row is never claimed again


def test_gives_up_after_the_maximum_age(nef, store, sender, clock) -> None:
    app, url = nef
    app.answers["/busy"] = (503, [])
    add(store, f"{url}/busy")
    deliver(sender)
    assert rows(store)[0][1] == "pending"
    clock.now = T0 + POLICY.give_up_after  # the next retry would be past the maximum age
    deliver(sender)
    assert [r[1:3] + r[4:] for r in rows(store)] == [("dead", 2, "HTTP 503")]


def test_a_connection_refused_is_retried(store, sender) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    add(store, f"http://127.0.0.1:{port}/bdt")
    deliver(sender)
    ((_, state, attempts, _, error),) = rows(store)
    assert (state, attempts) == ("pending", 1) and error.startswith("ConnectError")


@pytest.mark.parametrize(
    ("uri", "error"),
    [
        ("http://[::1", "InvalidURL"),
        ("http://nef.example/" + "a" * 70_000, "InvalidURL"),
        ("not a uri", "UnsupportedProtocol"),
        ("ftp://x/y", "UnsupportedProtocol"),
    ],
    ids=["bracket", "too-long", "relative", "ftp"],
)
def test_a_bad_uri_is_dead_and_does_not_block_its_batch(nef, store, sender, uri, error) -> None:
    """A URI no retry can cure is dead at once, and the rest of its batch is delivered."""
    app, url = nef
    add(store, f"{url}/before")
    add(store, uri)
    add(store, f"{url}/after")
    assert deliver(sender) == [3]
    ((stored_uri, state, attempts, _, last_error),) = rows(store)
    assert (stored_uri, state, attempts) == (uri, "dead", 1)
    assert last_error.startswith(error)
    assert sorted(path for path, _, _ in app.received) == ["/after", "/before"]


class _Http11Only(BaseHTTPRequestHandler):
    """A NEF on the stdlib server: HTTP/1.1 only (it answers the h2c preface with 505)."""

    protocol_version = "HTTP/1.1"
    seen: ClassVar[list[tuple[str, str]]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.seen.append((self.command, self.request_version))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def http11_nef() -> Iterator[str]:
    _Http11Only.seen = []
    with serve_http11(_Http11Only) as url:
        yield url


def test_a_peer_without_h2c_gets_http_1_1_from_then_on(http11_nef, store, sender) -> None:
    add(store, f"{http11_nef}/first")
    assert deliver(sender) == [1]
    assert rows(store) == []  # delivered in the same round, over HTTP/1.1
    add(store, f"{http11_nef}/second")
    assert deliver(sender) == [1]
    assert rows(store) == []
    assert _Http11Only.seen == [("POST", "HTTP/1.1"), ("POST", "HTTP/1.1")]
