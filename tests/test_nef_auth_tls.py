"""OAuth 2.0 with a real NRF token endpoint, and HTTP/2 over TLS (ALPN, CA, client cert)."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import trustme
from npcf_bdt_client.api.individual_bdt_policy_document import get_bdt_policy
from npcf_bdt_client.models import BdtPolicy

import nef_client
from nef_client import AsyncClient, Client, NrfAuth, NrfClientCredentials
from nef_client._serving import background
from nef_client.testing import PcfStub, redacted
from tests.asgi import read_body
from tests.dates import SATURDAY, future_day

START = future_day(SATURDAY) + timedelta(hours=1)
WINDOW = (START, START + timedelta(hours=6))
NF_ID = "6f1c7d2e-0000-4000-8000-000000000001"


@dataclass
class TokenEndpoint:
    """A small NRF: POST /oauth2/token (TS 29.510 clause 6.3), tokens tok-1, tok-2, ..."""

    expires_in: int = 3600
    refuse_with: str | None = None
    forms: list[dict[str, str]] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)
    http_versions: list[str] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = await read_body(receive)
        if scope["path"] != "/oauth2/token" or scope["method"] != "POST":
            await self._reply(send, 404, {})
            return
        headers = dict(scope["headers"])
        self.content_types.append(headers.get(b"content-type", b"").decode())
        self.http_versions.append(scope["http_version"])
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        self.forms.append(form)
        if self.refuse_with:
            await self._reply(send, 400, {"error": self.refuse_with})
            return
        await self._reply(
            send,
            200,
            {
                "access_token": f"tok-{len(self.forms)}",
                "token_type": "Bearer",
                "expires_in": self.expires_in,
                "scope": form.get("scope"),
            },
        )

    @staticmethod
    async def _reply(send: Any, status: int, document: dict[str, Any]) -> None:
        body = json.dumps(document).encode()
        headers = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@pytest.fixture
def nrf() -> Iterator[tuple[str, TokenEndpoint]]:
    endpoint = TokenEndpoint()
    with background(endpoint) as url:
        yield url, endpoint


def credentials(url: str) -> NrfClientCredentials:
    return NrfClientCredentials(nrf_url=url, nf_instance_id=NF_ID)


def create(client: Client) -> nef_client.PolicyResult:
    return client.create("asp", volume_per_ue=1, number_of_ues=1, desired_window=WINDOW)


def bearer(pcf_stub: PcfStub) -> list[tuple[str | None, int | None]]:
    """(token, status) of each request; the journal shows each token's digest only."""
    tokens = {redacted(f"tok-{n}"): f"Bearer tok-{n}" for n in range(1, 10)}
    return [(tokens.get(r.headers.get("authorization", "")), r.status) for r in pcf_stub.requests()]


def test_token_is_requested_as_ts_29510_says_and_reused(
    pcf_stub: PcfStub, nrf: tuple[str, TokenEndpoint]
) -> None:
    url, endpoint = nrf
    with Client(pcf_stub.url, auth=credentials(url)) as client:
        created = create(client)
        client.get(created.policy_id)
        client.get(created.policy_id)
    assert endpoint.forms == [
        {
            "grant_type": "client_credentials",
            "nfInstanceId": NF_ID,
            "nfType": "NEF",
            "targetNfType": "PCF",
            "scope": "npcf-bdtpolicycontrol",
        }
    ]
    assert endpoint.content_types == ["application/x-www-form-urlencoded"]
    assert endpoint.http_versions == ["2"]  # same pool, h2c like the PCF
    assert bearer(pcf_stub) == [("Bearer tok-1", 201), ("Bearer tok-1", 200), ("Bearer tok-1", 200)]


class Clock:
    """The token cache's clock, moved by the test instead of by waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_expired_token_is_replaced(pcf_stub: PcfStub, nrf: tuple[str, TokenEndpoint]) -> None:
    url, endpoint = nrf
    endpoint.expires_in = 60
    clock = Clock()
    with Client(pcf_stub.url, auth=NrfAuth(credentials(url), clock=clock)) as client:
        created = create(client)
        clock.now += 50  # within the lifetime less the renewal margin: cached
        client.get(created.policy_id)
        clock.now += 10
        client.get(created.policy_id)
    assert len(endpoint.forms) == 2
    assert [auth for auth, _ in bearer(pcf_stub)] == [
        "Bearer tok-1",
        "Bearer tok-1",
        "Bearer tok-2",
    ]


def test_calls_through_the_generated_client_carry_the_token(
    pcf_stub: PcfStub, nrf: tuple[str, TokenEndpoint]
) -> None:
    url, _ = nrf
    with Client(pcf_stub.url, auth=credentials(url)) as client:
        created = create(client)
        policy = get_bdt_policy.sync(created.policy_id, client=client.generated)
    assert isinstance(policy, BdtPolicy)
    assert bearer(pcf_stub) == [("Bearer tok-1", 201), ("Bearer tok-1", 200)]


def test_401_fetches_a_new_token_once_and_retries(
    pcf_stub: PcfStub, nrf: tuple[str, TokenEndpoint]
) -> None:
    url, _ = nrf
    pcf_stub.fail_next(1, status=401, cause=None)
    with Client(pcf_stub.url, auth=credentials(url)) as client:
        created = create(client)
    assert created.policy_id
    assert bearer(pcf_stub) == [("Bearer tok-1", 401), ("Bearer tok-2", 201)]
    bodies = [r.body for r in pcf_stub.requests()]
    assert bodies[0] == bodies[1]


def test_second_401_raises_unauthorized(pcf_stub: PcfStub, nrf: tuple[str, TokenEndpoint]) -> None:
    url, endpoint = nrf
    pcf_stub.fail_next(2, status=401, cause=None)
    client = Client(pcf_stub.url, auth=credentials(url))
    with client, pytest.raises(nef_client.Unauthorized) as caught:
        create(client)
    assert caught.value.status == 401
    assert len(endpoint.forms) == 2
    assert bearer(pcf_stub) == [("Bearer tok-1", 401), ("Bearer tok-2", 401)]


def test_nrf_refusal_is_a_token_error(pcf_stub: PcfStub, nrf: tuple[str, TokenEndpoint]) -> None:
    url, endpoint = nrf
    endpoint.refuse_with = "invalid_scope"
    client = Client(pcf_stub.url, auth=credentials(url))
    with client, pytest.raises(nef_client.TokenError) as caught:
        create(client)
    assert (caught.value.status, caught.value.error) == (400, "invalid_scope")
    assert pcf_stub.requests() == []


def test_async_concurrent_calls_share_one_token(
    pcf_stub: PcfStub, nrf: tuple[str, TokenEndpoint]
) -> None:
    url, endpoint = nrf

    async def scenario() -> None:
        async with AsyncClient(pcf_stub.url, auth=credentials(url)) as client:
            created = await client.create(
                "asp", volume_per_ue=1, number_of_ues=1, desired_window=WINDOW
            )
            await asyncio.gather(*(client.get(created.policy_id) for _ in range(10)))

    asyncio.run(scenario())
    assert len(endpoint.forms) == 1
    assert {auth for auth, _ in bearer(pcf_stub)} == {"Bearer tok-1"}


# TLS: a PCF stand-in on hypercorn with TLS answers 404 ProblemDetails to everything and
# records what protocol each request came over.


@dataclass
class TlsEndpoint:
    seen: list[str] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.seen.append(scope["http_version"])
        body = json.dumps({"status": 404, "cause": "BDT_POLICY_NOT_FOUND"}).encode()
        headers = [(b"content-type", b"application/problem+json")]
        await send({"type": "http.response.start", "status": 404, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, made by trustme.

    trustme writes the extensions a CA needs (keyUsage, basicConstraints) that Python
    3.13's stricter verification requires; files: ca.pem, {server,client}.{pem,key}.
    """
    d = tmp_path_factory.mktemp("pki")
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(d / "ca.pem"))
    for name, cert in (
        ("server", ca.issue_cert("127.0.0.1")),
        ("client", ca.issue_cert("nef.example")),
    ):
        cert.private_key_pem.write_to_path(str(d / f"{name}.key"))
        cert.cert_chain_pems[0].write_to_path(str(d / f"{name}.pem"))
    return d


def test_https_negotiates_http2_with_alpn_and_a_ca_bundle(pki: Path) -> None:
    endpoint = TlsEndpoint()
    tls = {"ssl_cert": pki / "server.pem", "ssl_key": pki / "server.key"}
    with background(endpoint, **tls) as url:
        client = Client(url, ca_bundle=pki / "ca.pem")
        with client, pytest.raises(nef_client.NotFound) as caught:
            client.get("x")
        assert caught.value.cause == "BDT_POLICY_NOT_FOUND"
        # Without the CA the server is not trusted.
        with Client(url) as untrusted, pytest.raises(nef_client.TransportError):
            untrusted.get("x")
    assert endpoint.seen == ["2"]


def test_mutual_tls_presents_the_client_certificate(pki: Path) -> None:
    endpoint = TlsEndpoint()
    tls = {
        "ssl_cert": pki / "server.pem",
        "ssl_key": pki / "server.key",
        "ssl_ca": pki / "ca.pem",
        "client_verify": True,
    }
    with background(endpoint, **tls) as url:
        cert = (pki / "client.pem", pki / "client.key")
        client = Client(url, ca_bundle=pki / "ca.pem", client_cert=cert)
        with client, pytest.raises(nef_client.NotFound):
            client.get("x")
        retry = nef_client.NO_RETRY
        without = Client(url, ca_bundle=pki / "ca.pem", retry=retry)
        with without, pytest.raises(nef_client.TransportError):
            without.get("x")
    assert endpoint.seen == ["2"]


def test_ssl_context_and_verify_false_are_accepted(pki: Path) -> None:
    endpoint = TlsEndpoint()
    tls = {"ssl_cert": pki / "server.pem", "ssl_key": pki / "server.key"}
    context = ssl.create_default_context(cafile=str(pki / "ca.pem"))
    with background(endpoint, **tls) as url:
        for client in (Client(url, ssl_context=context), Client(url, verify=False)):
            with client, pytest.raises(nef_client.NotFound):
                client.get("x")
    assert endpoint.seen == ["2", "2"]
