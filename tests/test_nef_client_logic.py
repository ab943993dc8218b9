"""nef_client's decisions without I/O: the retry/redirect state machine and the token flow.

``Exchange`` and ``TokenCache`` take their clock and random source as arguments, and
``NrfAuth`` is an ``httpx.Auth``, so these tests drive them with made-up answers (httpx's
``MockTransport`` for the flow, as httpx tests its own auth) and a clock they move by
hand: nothing here sleeps, opens a socket or depends on the machine's speed. The same
behaviour over the wire, against the real PCF, is in test_nef_client.py and
test_nef_auth_tls.py.
"""

from __future__ import annotations

import ast
import asyncio
import json
import random
import time
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import npcf_bdt_client
import pytest
from npcf_bdt_client.api.bdt_policies_collection import create_bdt_policy

import nef_client
from nef_client import NrfAuth, NrfClientCredentials, RetryPolicy
from nef_client._auth import TokenCache
from nef_client._retry import Action, Exchange
from nef_client.exceptions import TokenError, TooManyRedirects, TransportError, UnexpectedResponse

API = "http://pcf.example/npcf-bdtpolicycontrol/v1"
TIMEOUT = {"connect": 1.0, "read": 2.0, "write": 3.0, "pool": 4.0}


class Clock:
    """A clock that moves only when the test says so."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Ceiling(random.Random):
    """Draws the top of every range, so each backoff shows its ceiling."""

    def uniform(self, a: float, b: float) -> float:
        return b


def post(url: str = f"{API}/bdtpolicies") -> httpx.Request:
    return httpx.Request(
        "POST",
        url,
        json={"aspId": "asp"},
        headers={"Authorization": "Bearer old"},
        extensions={"timeout": TIMEOUT},
    )


def answer(status: int, request: httpx.Request, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers, request=request)


def exchange(
    request: httpx.Request | None = None,
    retry: RetryPolicy | None = None,
    max_redirects: int = 5,
    clock: Clock | None = None,
) -> Exchange:
    return Exchange(
        request or post(),
        retry or RetryPolicy(),
        max_redirects,
        rng=Ceiling(),
        clock=clock or Clock(),
    )


# --- Exchange: retries ---------------------------------------------------------------


@pytest.mark.parametrize("status", [200, 201, 204, 303, 400, 401, 404, 500, 502])
def test_answers_other_than_429_503_and_307_308_are_the_callers(status: int) -> None:
    call = exchange()
    step = call.on_response(answer(status, call.request))
    assert step.action is Action.DONE


@pytest.mark.parametrize("status", [429, 503])
def test_overload_is_retried_with_doubling_backoff_up_to_the_attempts(status: int) -> None:
    retry = RetryPolicy(attempts=4, backoff=0.5, max_backoff=1.5)
    call = exchange(retry=retry)
    first = call.request
    delays = []
    for _ in range(3):
        step = call.on_response(answer(status, call.request))
        assert step.action is Action.RETRY
        assert step.request is first  # the same request, body and all
        delays.append(step.delay)
    assert delays == [0.5, 1.0, 1.5]  # 0.5 doubling, capped by max_backoff
    assert call.on_response(answer(status, call.request)).action is Action.DONE


def test_backoff_is_drawn_from_the_injected_rng() -> None:
    retry = RetryPolicy(attempts=3, backoff=0.4)
    delays = []
    for seed in (1, 1, 2):
        call = Exchange(post(), retry, 5, rng=random.Random(seed), clock=Clock())
        delays.append(call.on_response(answer(503, call.request)).delay)
    assert delays[0] == delays[1] != delays[2]
    assert all(0 <= d <= 0.4 for d in delays)


def test_retry_after_seconds_is_the_delay() -> None:
    call = exchange()
    step = call.on_response(answer(503, call.request, **{"Retry-After": "7"}))
    assert (step.action, step.delay) == (Action.RETRY, 7.0)


def test_retry_after_date_is_measured_on_the_injected_clock() -> None:
    clock = Clock(now=float(int(time.time())) + 86_400 * 400)  # any instant will do
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(clock.now + 12))
    call = exchange(clock=clock)
    step = call.on_response(answer(429, call.request, **{"Retry-After": date}))
    assert (step.action, step.delay) == (Action.RETRY, 12.0)


def test_retry_after_beyond_the_limit_is_given_to_the_caller_at_once() -> None:
    call = exchange(retry=RetryPolicy(max_retry_after=30))
    step = call.on_response(answer(503, call.request, **{"Retry-After": "31"}))
    assert step.action is Action.DONE
    within = exchange(retry=RetryPolicy(max_retry_after=30))
    assert within.on_response(answer(503, within.request, **{"Retry-After": "30"})).delay == 30


def test_unreadable_retry_after_falls_back_to_the_backoff() -> None:
    call = exchange(retry=RetryPolicy(backoff=0.25))
    step = call.on_response(answer(503, call.request, **{"Retry-After": "soon"}))
    assert (step.action, step.delay) == (Action.RETRY, 0.25)


def test_no_retry_and_custom_statuses() -> None:
    call = exchange(retry=nef_client.NO_RETRY)
    assert call.on_response(answer(503, call.request)).action is Action.DONE
    call = exchange(retry=RetryPolicy(statuses=frozenset({500})))
    assert call.on_response(answer(503, call.request)).action is Action.DONE
    assert call.on_response(answer(500, call.request)).action is Action.RETRY


def test_retry_policy_needs_one_attempt() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RetryPolicy(attempts=0)


def test_only_connections_that_never_opened_are_retried() -> None:
    call = exchange(retry=RetryPolicy(attempts=2, backoff=0.3))
    step = call.on_transport_error(httpx.ConnectError("refused"))
    assert (step.action, step.delay) == (Action.RETRY, 0.3)
    with pytest.raises(TransportError, match="ConnectError: refused") as caught:
        call.on_transport_error(httpx.ConnectError("refused"))  # attempts used up
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    # The request may have reached the PCF: not sent twice.
    for error in (httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("reset")):
        with pytest.raises(TransportError):
            exchange().on_transport_error(error)


def test_transport_retries_and_overload_retries_share_the_attempts() -> None:
    call = exchange(retry=RetryPolicy(attempts=3))
    assert call.on_transport_error(httpx.ConnectError("x")).action is Action.RETRY
    assert call.on_response(answer(503, call.request)).action is Action.RETRY
    assert call.on_response(answer(503, call.request)).action is Action.DONE


# --- Exchange: redirects -------------------------------------------------------------


@pytest.mark.parametrize("status", [307, 308])
def test_redirect_keeps_method_body_and_timeouts(status: int) -> None:
    call = exchange()
    original = call.request
    step = call.on_response(answer(status, original, Location="http://pcf-2.example:8080/x?y=1"))
    assert step.action is Action.REDIRECT and step.delay == 0
    moved = step.request
    assert call.request is moved
    assert str(moved.url) == "http://pcf-2.example:8080/x?y=1"
    assert moved.method == "POST"
    assert moved.content == original.content
    assert moved.headers["content-type"] == "application/json"
    assert moved.headers["host"] == "pcf-2.example:8080"
    assert "authorization" not in moved.headers  # the auth flow sets it for the new target
    assert moved.extensions["timeout"] == TIMEOUT


def test_relative_location_is_resolved_against_the_request() -> None:
    call = exchange()
    step = call.on_response(answer(307, call.request, Location="/other/bdtpolicies"))
    assert str(step.request.url) == "http://pcf.example/other/bdtpolicies"


def test_redirects_are_bounded_and_do_not_use_up_retries() -> None:
    call = exchange(retry=RetryPolicy(attempts=2), max_redirects=2)
    for _ in range(2):
        assert call.on_response(answer(308, call.request, Location="/a")).action is Action.REDIRECT
    assert call.on_response(answer(503, call.request)).action is Action.RETRY
    with pytest.raises(TooManyRedirects, match="more than 2"):
        call.on_response(answer(307, call.request, Location="/a"))


def test_redirect_without_location_is_unexpected() -> None:
    call = exchange()
    with pytest.raises(UnexpectedResponse, match="307 without a Location"):
        call.on_response(answer(307, call.request))


# --- TokenCache ----------------------------------------------------------------------

CREDENTIALS = NrfClientCredentials(
    nrf_url="http://nrf.example/", nf_instance_id="6f1c7d2e-0000-4000-8000-000000000001"
)


def token_answer(status: int = 200, **document: object) -> httpx.Response:
    if status == 200:
        document = {"access_token": "tok", "token_type": "Bearer", **document}
    return httpx.Response(status, json=document)


def test_token_request_is_the_ts_29510_form_with_the_callers_timeouts() -> None:
    request = TokenCache(CREDENTIALS).build_request(TIMEOUT)
    assert (request.method, str(request.url)) == ("POST", "http://nrf.example/oauth2/token")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["accept"] == "application/json"
    assert {k: v[0] for k, v in parse_qs(request.content.decode()).items()} == {
        "grant_type": "client_credentials",
        "nfInstanceId": CREDENTIALS.nf_instance_id,
        "nfType": "NEF",
        "targetNfType": "PCF",
        "scope": "npcf-bdtpolicycontrol",
    }
    assert request.extensions["timeout"] == TIMEOUT


@pytest.mark.parametrize(("expires_in", "renew_after"), [(1, 0.9), (30, 27.0), (3600, 3595.0)])
def test_token_is_renewed_shortly_before_it_expires(expires_in: int, renew_after: float) -> None:
    clock = Clock()
    cache = TokenCache(CREDENTIALS, clock)
    assert cache.current() is None
    assert cache.accept(token_answer(expires_in=expires_in)) == "tok"
    clock.now += renew_after - 0.001
    assert cache.current() == "tok"
    clock.now += 0.001
    assert cache.current() is None


def test_token_without_a_lifetime_is_kept_until_refused() -> None:
    clock = Clock()
    cache = TokenCache(CREDENTIALS, clock)
    cache.accept(token_answer())
    clock.now += 10 * 365 * 86_400
    assert cache.current() == "tok"
    cache.invalidate("another")  # a token another call already replaced: no effect
    assert cache.current() == "tok"
    cache.invalidate("tok")
    assert cache.current() is None


def test_nrf_refusal_is_a_token_error_with_the_oauth_code() -> None:
    cache = TokenCache(CREDENTIALS)
    with pytest.raises(TokenError) as caught:
        cache.accept(token_answer(400, error="invalid_scope"))
    assert (caught.value.status, caught.value.error) == (400, "invalid_scope")
    with pytest.raises(TokenError) as caught:
        cache.accept(httpx.Response(500, content=b"oops"))
    assert (caught.value.status, caught.value.error) == (500, None)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        json.dumps({"token_type": "Bearer"}).encode(),
        json.dumps({"access_token": "", "token_type": "Bearer"}).encode(),
        json.dumps({"access_token": 7, "token_type": "Bearer"}).encode(),
        json.dumps({"access_token": "t", "token_type": "MAC"}).encode(),
    ],
)
def test_unusable_access_token_rsp_is_a_token_error(body: bytes) -> None:
    cache = TokenCache(CREDENTIALS)
    with pytest.raises(TokenError, match="unusable AccessTokenRsp") as caught:
        cache.accept(httpx.Response(200, content=body))
    assert caught.value.status == 200
    assert cache.current() is None


# --- NrfAuth: the flow on httpx's MockTransport ---------------------------------------


class Network:
    """An NRF token endpoint and a PCF, answered in memory; records what was sent."""

    def __init__(self, expires_in: int = 60, pcf_refusals: int = 0) -> None:
        self.expires_in = expires_in
        self.pcf_refusals = pcf_refusals
        self.tokens_issued = 0
        self.seen: list[tuple[str, str | None]] = []  # (host, Authorization)

    def answer(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.url.host, request.headers.get("authorization")))
        if request.url.host == "nrf.example":
            self.tokens_issued += 1
            return token_answer(
                access_token=f"tok-{self.tokens_issued}", expires_in=self.expires_in
            )
        if self.pcf_refusals:
            self.pcf_refusals -= 1
            return httpx.Response(401)
        return httpx.Response(200, json={})

    async def answer_async(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "nrf.example":
            await asyncio.sleep(0)  # let every other task reach the token step meanwhile
        return self.answer(request)

    def bearers(self) -> list[str | None]:
        return [auth for host, auth in self.seen if host == "pcf.example"]


def sync_client(network: Network, auth: NrfAuth) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(network.answer), auth=auth, base_url=API)


def test_a_token_is_fetched_once_and_reused() -> None:
    network = Network()
    with sync_client(network, NrfAuth(CREDENTIALS, Clock())) as http:
        for _ in range(3):
            assert http.get("/bdtpolicies/1").status_code == 200
    assert network.tokens_issued == 1
    assert network.bearers() == ["Bearer tok-1"] * 3
    assert network.seen[0] == ("nrf.example", None)  # no token is sent to the NRF


def test_an_expiring_token_is_replaced_when_the_clock_says_so() -> None:
    network, clock = Network(expires_in=1), Clock()
    with sync_client(network, NrfAuth(CREDENTIALS, clock)) as http:
        http.get("/bdtpolicies/1")
        clock.now += 0.89  # still inside the renewal margin
        http.get("/bdtpolicies/1")
        clock.now += 0.01
        http.get("/bdtpolicies/1")
    assert network.bearers() == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


def test_401_gets_one_fresh_token_and_one_resend() -> None:
    network = Network(pcf_refusals=1)
    with sync_client(network, NrfAuth(CREDENTIALS, Clock())) as http:
        response = http.post("/bdtpolicies", json={"aspId": "asp"})
    assert response.status_code == 200
    assert network.bearers() == ["Bearer tok-1", "Bearer tok-2"]
    assert [r.status_code for r in response.history] == [200, 401, 200]  # NRF, PCF, NRF


def test_a_second_401_is_the_answer() -> None:
    network = Network(pcf_refusals=5)
    with sync_client(network, NrfAuth(CREDENTIALS, Clock())) as http:
        assert http.get("/bdtpolicies/1").status_code == 401
        assert http.get("/bdtpolicies/1").status_code == 401
    # Each request tries one fresh token; the second reuses the last one first.
    assert network.bearers() == ["Bearer tok-1", "Bearer tok-2", "Bearer tok-2", "Bearer tok-3"]


def test_token_error_reaches_the_caller_and_nothing_goes_to_the_pcf() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        if request.url.host == "nrf.example":
            return token_answer(400, error="invalid_client")
        raise AssertionError("the PCF must not be called without a token")

    transport = httpx.MockTransport(refuse)
    with httpx.Client(transport=transport, auth=NrfAuth(CREDENTIALS)) as http:
        with pytest.raises(TokenError, match="invalid_client"):
            http.get(f"{API}/bdtpolicies/1")
        # The lock was released on the way out: the next request is not stuck.
        with pytest.raises(TokenError):
            http.get(f"{API}/bdtpolicies/1")


def test_token_request_carries_the_timeouts_of_the_request_it_serves() -> None:
    seen: dict[str, object] = {}

    def record(request: httpx.Request) -> httpx.Response:
        seen[request.url.host] = request.extensions.get("timeout")
        if request.url.host == "nrf.example":
            return token_answer()
        return httpx.Response(200)

    timeout = httpx.Timeout(connect=1, read=2, write=3, pool=4)
    transport = httpx.MockTransport(record)
    with httpx.Client(transport=transport, auth=NrfAuth(CREDENTIALS), timeout=timeout) as http:
        http.get(f"{API}/bdtpolicies/1")
    assert seen["nrf.example"] == seen["pcf.example"] == TIMEOUT


def test_concurrent_async_requests_fetch_one_token() -> None:
    network = Network()

    async def scenario() -> list[int]:
        transport = httpx.MockTransport(network.answer_async)
        auth = NrfAuth(CREDENTIALS, Clock())
        async with httpx.AsyncClient(transport=transport, auth=auth, base_url=API) as http:
            answers = await asyncio.gather(*(http.get("/bdtpolicies/1") for _ in range(10)))
        return [a.status_code for a in answers]

    assert asyncio.run(scenario()) == [200] * 10
    assert network.tokens_issued == 1
    assert network.bearers() == ["Bearer tok-1"] * 10


def test_async_401_gets_one_fresh_token() -> None:
    network = Network(pcf_refusals=1)

    async def scenario() -> int:
        transport = httpx.MockTransport(network.answer_async)
        async with httpx.AsyncClient(transport=transport, auth=NrfAuth(CREDENTIALS)) as http:
            return (await http.get(f"{API}/bdtpolicies/1")).status_code

    assert asyncio.run(scenario()) == 200
    assert network.bearers() == ["Bearer tok-1", "Bearer tok-2"]


# --- The package's surface -----------------------------------------------------------

PUBLIC_API = {
    "AsyncClient", "BadRequest", "Client", "ClientError", "DiscoveryError", "Forbidden",
    "NO_RETRY", "NefClientError", "NotFound", "NrfAuth", "NrfClientCredentials",
    "PolicyRemoved", "PolicyResult", "ProblemDetailsError", "RetryPolicy", "ServerError",
    "ServiceUnavailable", "TokenError", "TooManyRedirects", "TooManyRequests",
    "TransportError", "Unauthorized",
    "UnexpectedResponse",
}  # fmt: skip


def test_public_names_stay() -> None:
    assert set(nef_client.__all__) == PUBLIC_API
    assert len(nef_client.__all__) == len(PUBLIC_API)
    assert all(hasattr(nef_client, name) for name in nef_client.__all__)
    assert set(nef_client.exceptions.__all__) <= PUBLIC_API


def private_names_of_the_generated_package() -> set[str]:
    """Top-level names starting with ``_`` in npcf_bdt_client: the generator's, free to change."""
    names = set()
    for source in Path(npcf_bdt_client.__file__).parent.rglob("*.py"):
        for node in ast.parse(source.read_text(), str(source)).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def test_nef_client_uses_no_private_name_of_the_generated_package() -> None:
    private = private_names_of_the_generated_package()
    assert "_build_response" in private  # the scan sees the generator's own helpers
    # What nef_client needs is public (scripts/templates/endpoint_module.py.jinja).
    assert callable(create_bdt_policy.request_kwargs)
    assert callable(create_bdt_policy.parse_response)
    found = []
    for source in sorted(Path(nef_client.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(), str(source))):
            used = []
            if isinstance(node, ast.Attribute):
                used = [node.attr]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("npcf_bdt"):
                used = [alias.name for alias in node.names]
            found += [f"{source.name}:{node.lineno}: {name}" for name in used if name in private]
    assert found == []
