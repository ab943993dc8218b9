"""The HTTP version choice of nef_client and nef-bdt, and transport failures that say why.

``auto`` speaks h2c and falls back to HTTP/1.1 for a server that does not speak it,
remembered per origin; ``"2"`` and ``"1.1"`` force one. Checked against the real PCF
(which speaks both), a stdlib HTTP/1.1-only server (which answers the h2c preface with
505) and a Prism mock made from the official Rel-18 TS 29.554 file (HTTP/1.1 only).
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar

import httpx
import pytest

import nef_client
from nef_client import AsyncClient, Client, RetryPolicy
from nef_client.cli import main as nef_bdt
from nef_client.testing import PcfStub
from tests.conftest import official_release
from tests.dates import future_day
from tests.http11 import http11_server as serve_http11
from tests.prism import prism_mock

START = future_day(days_ahead=2)
WINDOW = (START, START + timedelta(hours=4))
ONCE = RetryPolicy(attempts=1)


def _create(client: Client) -> nef_client.PolicyResult:
    return client.create("asp", volume_per_ue=10**6, number_of_ues=1, desired_window=WINDOW)


@pytest.mark.parametrize(("version", "spoken"), [("auto", "2"), ("2", "2"), ("1.1", "1.1")])
def test_the_pcf_is_spoken_to_in_the_version_chosen(
    pcf_stub: PcfStub, version: str, spoken: str
) -> None:
    with Client(pcf_stub.url, http_version=version) as client:
        assert client.http_version == version
        created = _create(client)
        assert client.get(created.policy_id).policy_id == created.policy_id
    assert [(r.method, r.status, r.http_version) for r in pcf_stub.requests()] == [
        ("POST", 201, spoken),
        ("GET", 200, spoken),
    ]


def test_an_unknown_version_is_refused() -> None:
    with pytest.raises(ValueError, match=r"auto, 2, 1\.1"):
        Client("http://127.0.0.1:9", http_version="3")


class _Http11Only(BaseHTTPRequestHandler):
    """A server that speaks HTTP/1.1 only: every request line it read, 404 to each GET."""

    protocol_version = "HTTP/1.1"
    lines: ClassVar[list[str]] = []

    def parse_request(self) -> bool:
        self.lines.append(self.raw_requestline.decode("latin-1").strip())
        return super().parse_request()

    def do_GET(self) -> None:
        body = json.dumps({"status": 404, "cause": "BDT_POLICY_NOT_FOUND"}).encode()
        self.send_response(404)
        self.send_header("content-type", "application/problem+json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def http11_server() -> Iterator[str]:
    _Http11Only.lines = []
    with serve_http11(_Http11Only) as url:
        yield url


PREFACE = "PRI * HTTP/2.0"
GET_X = "GET /npcf-bdtpolicycontrol/v1/bdtpolicies/x HTTP/1.1"


def test_auto_falls_back_to_http_1_1_once_per_server(http11_server: str) -> None:
    with Client(http11_server, retry=ONCE) as client:
        for _ in range(3):
            with pytest.raises(nef_client.NotFound):
                client.get("x")
    # One h2c attempt, then HTTP/1.1 for the same request and every later one.
    assert _Http11Only.lines == [PREFACE, GET_X, GET_X, GET_X]


def test_the_async_client_falls_back_the_same_way(http11_server: str) -> None:
    async def scenario() -> None:
        async with AsyncClient(http11_server, retry=ONCE) as client:
            for _ in range(2):
                with pytest.raises(nef_client.NotFound):
                    await client.get("x")

    asyncio.run(scenario())
    assert _Http11Only.lines == [PREFACE, GET_X, GET_X]


def test_forced_http_1_1_never_tries_h2c(http11_server: str) -> None:
    with (
        Client(http11_server, retry=ONCE, http_version="1.1") as client,
        pytest.raises(nef_client.NotFound),
    ):
        client.get("x")
    assert _Http11Only.lines == [GET_X]


def test_forced_http_2_names_the_likely_cause(http11_server: str) -> None:
    with (
        Client(http11_server, retry=ONCE, http_version="2") as client,
        pytest.raises(nef_client.TransportError) as raised,
    ):
        client.get("x")
    message = str(raised.value)
    assert message.startswith("RemoteProtocolError")
    assert f"{http11_server} closed the connection or broke the protocol" in message
    assert "HTTP/2 without TLS (h2c); try http_version='1.1'" in message
    assert _Http11Only.lines == [PREFACE]


def test_a_refused_connection_names_its_cause() -> None:
    from tests.server_process import free_port as _free_port

    url = f"http://127.0.0.1:{_free_port()}"
    with Client(url, retry=ONCE) as client, pytest.raises(nef_client.TransportError) as raised:
        client.get("x")
    assert f"nothing accepts connections at {url}" in str(raised.value)


@pytest.mark.slow
def test_create_get_select_through_a_prism_mock_of_the_official_file(tmp_path, capsys) -> None:
    """Prism speaks HTTP/1.1 only: ``auto`` must fall back, ``"2"`` must say why it fails.

    ``--dynamic --seed`` makes Prism answer with schema-valid bodies (its static examples
    of this file are not: it fills a ``oneOf`` with every branch), the same on every run.
    """
    official = official_release("Rel-18") / "TS29554_Npcf_BDTPolicyControl.yaml"
    with prism_mock([official], tmp_path, "pcf", ["--dynamic", "--seed", "14"]) as prism:
        with Client(prism.url, retry=ONCE) as client:
            created = _create(client)
            read = client.get(created.policy_id)
            selected = client.select(created.policy_id, 1)
        assert read.policy_id == selected.policy_id == created.policy_id
        with (
            Client(prism.url, retry=ONCE, http_version="2") as client,
            pytest.raises(nef_client.TransportError, match=r"try http_version='1\.1'"),
        ):
            client.get(created.policy_id)

        # nef-bdt takes the same choice, and says the same.
        out = io.StringIO()
        assert nef_bdt(["--pcf", prism.url, "--json", "show", created.policy_id], out) == 0
        assert json.loads(out.getvalue())
        assert nef_bdt(["--pcf", prism.url, "--http-version", "2", "show", "p"], out) == 1
        assert "h2c); try http_version='1.1' (--http-version 1.1)" in capsys.readouterr().err

        checked = prism.requests()
    policy = "/npcf-bdtpolicycontrol/v1/bdtpolicies/"
    assert [(c.method, c.path.startswith(policy[:-1]), c.passed) for c in checked] == [
        ("POST", True, True),
        ("GET", True, True),
        ("PATCH", True, True),
        ("GET", True, True),
    ]
    assert prism.violations() == []


@pytest.mark.parametrize(
    ("error", "url", "version", "cause"),
    [
        (httpx.ConnectTimeout("timed out"), "http://pcf:80", "auto", "no connection to"),
        (
            httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
            "https://pcf:443",
            "auto",
            "TLS handshake with https://pcf failed (check ca_bundle / verify)",
        ),
        (httpx.ReadTimeout("timed out"), "http://pcf:80", "auto", "did not answer within"),
        (
            httpx.RemoteProtocolError("Server disconnected"),
            "http://pcf:80",
            "auto",
            "over both HTTP/2 (h2c) and HTTP/1.1",
        ),
        (
            httpx.ReadError(""),
            "http://pcf:80",
            "1.1",
            "it may speak only HTTP/2; try http_version='2' (--http-version 2)",
        ),
        (httpx.WriteError("broken pipe"), "https://pcf:443", "2", "closed the connection"),
    ],
)
def test_each_transport_failure_names_its_likely_cause(
    error: httpx.TransportError, url: str, version: str, cause: str
) -> None:
    from nef_client._core import transport_failure

    message = transport_failure(error, httpx.URL(url), version)
    assert message.startswith(type(error).__name__)
    assert cause in message
