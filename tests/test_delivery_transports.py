# ruff: noqa: F811  (the store and clock fixtures of tests.test_delivery are shared)
"""The notification sender over TLS, and against a peer that speaks neither h2c nor HTTP/1.1.

Same set-up as ``tests/test_delivery.py`` (real servers in this process, a fake clock, one
delivery round at a time): a NEF behind HTTPS with a certificate from a test CA (trustme),
the sender trusting that CA through ``SSL_CERT_FILE`` as an operator would configure it;
and a peer that accepts connections and closes them unanswered.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from nef_client._serving import background
from nf_common.delivery import NotificationSender
from nf_common.destinations import LABS
from tests.test_delivery import POLICY, T0, Nef, add, clock, deliver, rows, store  # noqa: F401


@pytest.fixture
def tls_nef(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Nef, str]]:
    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1")
    cert, key, roots = tmp_path / "nef.pem", tmp_path / "nef.key", tmp_path / "ca.pem"
    leaf.private_key_pem.write_to_path(str(key))
    with cert.open("wb") as out:
        for blob in leaf.cert_chain_pems:
            out.write(blob.bytes())
    ca.cert_pem.write_to_path(str(roots))
    monkeypatch.setenv("SSL_CERT_FILE", str(roots))  # what the PCF's host trusts
    app = Nef()
    with background(app, ssl_cert=cert, ssl_key=key) as url:
        yield app, url


def test_https_is_delivered_over_http2_negotiated_by_alpn(tls_nef, store, clock) -> None:
    app, url = tls_nef
    assert url.startswith("https://")
    sender = NotificationSender(store.unit_of_work, POLICY, clock=clock, destinations=LABS)
    add(store, f"{url}/bdt")
    assert deliver(sender) == [1]
    assert rows(store) == []
    assert [(path, version) for path, version, _ in app.received] == [("/bdt", "2")]


def test_an_untrusted_certificate_is_retried_not_delivered(tls_nef, store, clock, monkeypatch):
    app, url = tls_nef
    monkeypatch.delenv("SSL_CERT_FILE")  # the public roots only: the test CA is unknown
    sender = NotificationSender(store.unit_of_work, POLICY, clock=clock, destinations=LABS)
    add(store, f"{url}/bdt")
    deliver(sender)
    ((_, state, attempts, _, error),) = rows(store)
    assert (state, attempts) == ("pending", 1) and "CERTIFICATE_VERIFY_FAILED" in error
    assert app.received == []


class Mute:
    """Accepts connections, reads what the client says first, and closes without a word."""

    def __init__(self) -> None:
        self.openings: list[bytes] = []
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen()
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                try:
                    self.openings.append(conn.recv(24))
                except OSError:
                    self.openings.append(b"")

    def close(self) -> None:
        self._sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() of the serving thread
        self._sock.close()
        self._thread.join(timeout=5)


@pytest.fixture
def mute() -> Iterator[Mute]:
    peer = Mute()
    try:
        yield peer
    finally:
        peer.close()


def test_a_peer_failing_both_h2c_and_http_1_1_is_retried_and_not_downgraded(
    mute, store, clock
) -> None:
    sender = NotificationSender(store.unit_of_work, POLICY, clock=clock, destinations=LABS)
    add(store, f"{mute.url}/bdt")
    deliver(sender)
    ((_, state, attempts, next_at, error),) = rows(store)
    assert (state, attempts) == ("pending", 1)
    assert error.split(":")[0] in ("RemoteProtocolError", "ReadError", "WriteError")
    assert next_at > T0
    clock.now = next_at
    deliver(sender)
    assert rows(store)[0][1:3] == ("pending", 2)
    # Each round tried h2c first, then HTTP/1.1: a failure of both is no proof that the
    # peer lacks h2c, so it is not marked HTTP/1.1-only.
    kinds = [
        b"h2c" if opening.startswith(b"PRI * HTTP/2.0") else opening[:4]
        for opening in mute.openings
    ]
    assert kinds == [b"h2c", b"POST", b"h2c", b"POST"]


@pytest.fixture
def nef() -> Iterator[tuple[Nef, str]]:
    app = Nef()
    with background(app) as url:
        yield app, url


@pytest.mark.parametrize("status", [307, 308])
def test_a_redirection_without_location_is_dead_not_retried(nef, store, clock, status) -> None:
    app, url = nef
    app.answers["/moved"] = (status, [])
    sender = NotificationSender(store.unit_of_work, POLICY, clock=clock, destinations=LABS)
    add(store, f"{url}/moved")
    deliver(sender)
    assert [r[1:3] + r[4:] for r in rows(store)] == [("dead", 1, f"HTTP {status}")]
    assert [path for path, _, _ in app.received] == ["/moved"]  # followed nowhere
