"""The clients of the core's services without a network: NEF discovery and failover,
the PCF's NRF registration and NWDAF calls (httpx.MockTransport, injected clocks)."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

import nef_client
from nef_client._discovery import Discovery, pcf_instances
from nf_common.oauth2 import NrfAuth
from pcf_server.consumer._http import SbiClient
from pcf_server.consumer.nrf import NrfRegistration
from pcf_server.consumer.nwdaf import NwdafClient, token_credentials
from pcf_server.policy.degradation import AnalyticsRequest
from pcf_server.policy.model import TimeWindow
from pcf_server.policy.network import PerformanceThreshold
from pcf_server.service.ports import AnalyticsUnavailable
from pcf_server.wire.nrf import PcfProfile, nf_profile_document
from tests.dates import future_day

NRF = "http://nrf.example"
START = future_day()
WINDOW = (START, START + timedelta(hours=6))


def profile(instance: str, root: str, priority: int | None = None, **service: Any) -> dict:
    document = nf_profile_document(PcfProfile(instance, root, 60))
    if priority is not None:
        document["priority"] = priority
    for entry in document["nfServices"]:
        entry.update(service)
    document.pop("nfServiceList")
    return document


def search_result(*profiles: dict, validity: int = 60) -> dict:
    return {"validityPeriod": validity, "nfInstances": list(profiles)}


# -- reading a SearchResult ----------------------------------------------------------


def test_the_profiles_our_pcf_registers_are_read_back_with_their_api_root() -> None:
    found = pcf_instances(
        search_result(
            profile("b", "http://10.0.0.2:8080", priority=5),
            profile("a", "https://pcf.example/prefix", priority=1),
            profile("v6", "http://[2001:db8::1]:80", priority=9),
        )
    )
    assert [(i.nf_instance_id, i.base_url) for i in found] == [
        ("a", "https://pcf.example:443/prefix/npcf-bdtpolicycontrol/v1"),
        ("b", "http://10.0.0.2:8080/npcf-bdtpolicycontrol/v1"),
        ("v6", "http://[2001:db8::1]:80/npcf-bdtpolicycontrol/v1"),
    ]


def test_unusable_profiles_are_skipped() -> None:
    good = profile("good", "http://10.0.0.1:8080")
    suspended = {**profile("s", "http://10.0.0.2:8080"), "nfStatus": "SUSPENDED"}
    other_version = profile("v2", "http://10.0.0.3:8080", versions=[{"apiVersionInUri": "v2"}])
    other_service = profile("x", "http://10.0.0.4:8080", serviceName="npcf-smpolicycontrol")
    not_a_pcf = {**profile("n", "http://10.0.0.5:8080"), "nfType": "NEF"}
    found = pcf_instances(
        search_result(suspended, other_version, other_service, not_a_pcf, good, {"junk": 1})
    )
    assert [i.nf_instance_id for i in found] == ["good"]
    assert pcf_instances("not a document") == []


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_result_is_kept_for_its_validity_period_and_the_query_is_the_standards() -> None:
    clock = Clock()
    discovery = Discovery(NRF, requester_nf_instance_id="nef-1", clock=clock)
    assert discovery.due()
    request = discovery.build_request()
    assert request.url.path == "/nnrf-disc/v1/nf-instances"
    assert dict(request.url.params) == {
        "target-nf-type": "PCF",
        "requester-nf-type": "NEF",
        "service-names": "npcf-bdtpolicycontrol",
        "requester-nf-instance-id": "nef-1",
    }
    answer = httpx.Response(200, json=search_result(profile("a", "http://10.0.0.1:1"), validity=30))
    discovery.accept(answer)
    clock.now += 29.9
    assert not discovery.due()
    clock.now += 0.1
    assert discovery.due()
    discovery.failed("NRF down")  # a stale result beats none
    assert discovery.current() == "http://10.0.0.1:1/npcf-bdtpolicycontrol/v1"


def test_no_pcf_or_no_nrf_is_a_discovery_error() -> None:
    discovery = Discovery(NRF)
    with pytest.raises(nef_client.DiscoveryError, match="knows no PCF"):
        discovery.accept(httpx.Response(200, json=search_result()))
    with pytest.raises(nef_client.DiscoveryError, match="503"):
        discovery.accept(httpx.Response(503))
    with pytest.raises(nef_client.DiscoveryError):
        discovery.failed("cannot reach the NRF")


# -- the clients: discovery, failover, tokens ------------------------------------------


class FakeCore:
    """An NRF (discovery, tokens) and PCFs at ``pcfs`` answering with ``statuses``."""

    def __init__(self, pcfs: dict[str, int | str]) -> None:
        self.pcfs = pcfs  # origin -> status to answer, or "refuse" (connection refused)
        self.seen: list[str] = []
        self.discoveries = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        origin = f"{request.url.scheme}://{request.url.netloc.decode()}"
        self.seen.append(f"{request.method} {origin}")
        if origin == NRF and request.url.path == "/oauth2/token":
            return httpx.Response(200, json={"access_token": "t", "token_type": "Bearer"})
        if origin == NRF:
            self.discoveries += 1
            assert "authorization" not in request.headers
            profiles = [profile(f"p{n}", o, priority=n) for n, o in enumerate(self.pcfs)]
            return httpx.Response(200, json=search_result(*profiles))
        outcome = self.pcfs[origin]
        if outcome == "refuse":
            raise httpx.ConnectError("connection refused", request=request)
        assert request.headers["authorization"] == "Bearer t"
        if outcome != 201:
            return httpx.Response(int(outcome), json={"status": outcome, "cause": "NF_CONGESTION"})
        location = f"{origin}/npcf-bdtpolicycontrol/v1/bdtpolicies/p1"
        return httpx.Response(201, json=_policy(), headers={"location": location})


def _policy() -> dict:
    return {
        "bdtReqData": {
            "aspId": "asp",
            "desTimeInt": {"startTime": START.isoformat(), "stopTime": WINDOW[1].isoformat()},
            "numOfUes": 1,
            "volPerUe": {"totalVolume": 1},
        },
        "bdtPolData": {"bdtRefId": "r", "transfPolicies": [{
            "transPolicyId": 1, "ratingGroup": 1,
            "recTimeInt": {"startTime": START.isoformat(), "stopTime": WINDOW[1].isoformat()}}]},
    }  # fmt: skip


def mocked(kind: type, core: FakeCore) -> Any:
    transport_type = httpx.MockTransport

    class Mocked(kind):  # type: ignore[misc, valid-type]
        def _pool(self, **options: Any) -> Any:
            pool = httpx.AsyncClient if kind is nef_client.AsyncClient else httpx.Client
            return pool(**options, transport=transport_type(core))

    return Mocked


CREDENTIALS = nef_client.NrfClientCredentials(NRF, "nef-1")
PCF_A, PCF_B, PCF_C = "http://10.0.0.1:8080", "http://10.0.0.2:8080", "http://10.0.0.3:8080"


def test_refused_and_overloaded_pcfs_are_failed_over_to_the_next() -> None:
    core = FakeCore({PCF_A: "refuse", PCF_B: 503, PCF_C: 201})
    with mocked(nef_client.Client, core)(nrf=CREDENTIALS, retry=nef_client.NO_RETRY) as client:
        result = client.create("asp", volume_per_ue=1, number_of_ues=1, desired_window=WINDOW)
        assert result.location.startswith(PCF_C)
        assert client.base_url == PCF_C + "/npcf-bdtpolicycontrol/v1"  # the good one first now
        client.create("asp", volume_per_ue=1, number_of_ues=1, desired_window=WINDOW)
    calls = [s for s in core.seen if not s.startswith(("GET " + NRF, "POST " + NRF))]
    assert calls == [f"POST {PCF_A}", f"POST {PCF_B}", f"POST {PCF_C}", f"POST {PCF_C}"]
    assert core.discoveries == 1  # cached for its validity period


def test_the_async_twin_fails_over_the_same_way() -> None:
    core = FakeCore({PCF_A: 503, PCF_B: 201})

    async def scenario() -> str:
        async with mocked(nef_client.AsyncClient, core)(nrf=CREDENTIALS) as client:
            created = await client.create(
                "asp", volume_per_ue=1, number_of_ues=1, desired_window=WINDOW
            )
            return created.location

    assert asyncio.run(scenario()).startswith(PCF_B)


def test_every_pcf_failing_is_the_last_answer() -> None:
    core = FakeCore({PCF_A: 503, PCF_B: 503})
    client = mocked(nef_client.Client, core)(nrf=CREDENTIALS, retry=nef_client.NO_RETRY)
    with client, pytest.raises(nef_client.ServiceUnavailable):
        client.create("asp", volume_per_ue=1, number_of_ues=1, desired_window=WINDOW)


def test_a_client_needs_a_pcf_url_or_an_nrf() -> None:
    with pytest.raises(ValueError, match="base_url"):
        nef_client.Client()
    with pytest.raises(ValueError, match="base_url"):
        nef_client.Client("http://pcf:8080", nrf=NRF)


# -- the PCF's side: NRF registration, NWDAF calls --------------------------------------


class Nrf:
    def __init__(self) -> None:
        self.known = False
        self.calls: list[str] = []
        self.answer_timer: int | None = 7
        self.fail_next = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request.method)
        if self.fail_next:
            self.fail_next -= 1
            return httpx.Response(500)
        if request.method == "PUT":
            body = json.loads(request.content)
            assert request.headers["content-type"] == "application/json"
            created = not self.known
            self.known = True
            if self.answer_timer is not None:
                body["heartBeatTimer"] = self.answer_timer
            return httpx.Response(201 if created else 200, json=body)
        if not self.known:
            return httpx.Response(404)
        if request.method == "PATCH":
            assert request.headers["content-type"] == "application/json-patch+json"
            assert json.loads(request.content) == [
                {"op": "replace", "path": "/nfStatus", "value": "REGISTERED"}
            ]
            return httpx.Response(204)
        self.known = False
        return httpx.Response(204)


def registration(nrf: Nrf, heartbeat: int = 60) -> NrfRegistration:
    profile = PcfProfile("0e6c1fd4-3c5b-4b59-9b0e-1f2d3c4b5a69", "http://10.0.0.9:8080", heartbeat)
    return NrfRegistration(NRF, profile, SbiClient(transport=httpx.MockTransport(nrf)))


def test_register_heartbeat_reregister_deregister() -> None:
    nrf = Nrf()
    agent = registration(nrf)
    assert agent.step() == 7  # the NRF's heartBeatTimer, not the 60 s proposed
    assert agent.step() == 7 and nrf.calls == ["PUT", "PATCH"]
    nrf.known = False  # the NRF restarted
    assert agent.step() == 7
    assert nrf.calls == ["PUT", "PATCH", "PATCH", "PUT"]  # 404, then registered again
    agent.deregister()
    assert nrf.calls[-1] == "DELETE" and not nrf.known
    agent.deregister()  # not registered any more: nothing sent
    assert nrf.calls.count("DELETE") == 1


def test_failures_are_retried_sooner_than_the_heartbeat_and_the_proposal_is_kept() -> None:
    nrf = Nrf()
    nrf.answer_timer = None
    nrf.fail_next = 3
    agent = registration(nrf, heartbeat=5)
    assert [agent.step() for _ in range(3)] == [1.0, 2.0, 4.0]
    assert agent.step() == 5  # registered; no timer in the answer: the proposal
    nrf.fail_next = 1
    assert agent.step() == 1.0  # a failed heartbeat is tried again soon


REQUEST = AnalyticsRequest(
    "town",
    {"tais": [{"plmnId": {"mcc": "001", "mnc": "01"}, "tac": "0001"}]},
    TimeWindow(*WINDOW),
    (PerformanceThreshold("GNB_ACTIVE_RATIO", 90),),
    "http://pcf.example/pcf-bdt-callbacks/v1/nwdaf-notifications",
)


def test_the_nwdaf_client_reads_the_subscription_from_the_location() -> None:
    def nwdaf(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            body = json.loads(request.content)
            assert body["eventSubscriptions"][0]["event"] == "NETWORK_PERFORMANCE"
            assert body["notificationURI"] == REQUEST.notification_uri
            return httpx.Response(201, json=body, headers={"location": "/elsewhere/sub-7"})
        if request.url.path.endswith("/gone"):
            return httpx.Response(404)
        if request.url.path.endswith("/broken"):
            return httpx.Response(500)
        return httpx.Response(204)

    client = NwdafClient("http://nwdaf.example", SbiClient(transport=httpx.MockTransport(nwdaf)))
    subscription_id, uri = client.subscribe(REQUEST)
    assert subscription_id == "sub-7"
    assert uri == "http://nwdaf.example/nnwdaf-eventssubscription/v1/subscriptions/sub-7"
    assert client.update(uri, REQUEST)
    assert not client.update(uri.replace("sub-7", "gone"), REQUEST)
    client.unsubscribe(uri.replace("sub-7", "gone"))  # gone already: fine
    with pytest.raises(AnalyticsUnavailable, match="500"):
        client.update(uri.replace("sub-7", "broken"), REQUEST)


# -- the NWDAF client with access tokens from an NRF (--nwdaf-oauth2) -----------------

PCF_ID = "2a0c1d2e-0000-4000-8000-00000000000d"


class TokenedCore:
    """An NRF token endpoint and an NWDAF that takes the tokens it lists, in memory."""

    def __init__(self, nwdaf_takes: Any = lambda token: True) -> None:
        self.forms: list[dict[str, str]] = []
        self.nwdaf_seen: list[str | None] = []  # the Authorization of each NWDAF request
        self.nrf_authorization: list[str | None] = []
        self.nrf_answer: Any = None  # an httpx.Response or exception instead of a token
        self.nwdaf_takes = nwdaf_takes

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "nrf.example":
            self.nrf_authorization.append(request.headers.get("authorization"))
            self.forms.append({k: v[0] for k, v in parse_qs(request.content.decode()).items()})
            if isinstance(self.nrf_answer, Exception):
                raise self.nrf_answer
            if self.nrf_answer is not None:
                return self.nrf_answer
            token = f"tok-{len(self.forms)}"
            return httpx.Response(
                200, json={"access_token": token, "token_type": "Bearer", "expires_in": 3600}
            )
        authorization = request.headers.get("authorization")
        self.nwdaf_seen.append(authorization)
        if not self.nwdaf_takes((authorization or "").removeprefix("Bearer ")):
            return httpx.Response(401, json={"status": 401})
        if request.method == "POST":
            return httpx.Response(201, json={}, headers={"location": "/subscriptions/s-1"})
        return httpx.Response(204)

    def client(self) -> NwdafClient:
        auth = NrfAuth(token_credentials(NRF, PCF_ID))
        return NwdafClient(
            "http://nwdaf.example", SbiClient(transport=httpx.MockTransport(self), auth=auth)
        )


def test_the_nwdaf_client_sends_one_nrf_token_on_every_call() -> None:
    core = TokenedCore()
    client = core.client()
    _, uri = client.subscribe(REQUEST)
    assert client.update(uri, REQUEST)
    client.unsubscribe(uri)
    assert core.forms == [
        {
            "grant_type": "client_credentials",
            "nfInstanceId": PCF_ID,
            "nfType": "PCF",
            "targetNfType": "NWDAF",
            "scope": "nnwdaf-eventssubscription",
        }
    ]  # one token for the three calls
    assert core.nrf_authorization == [None]  # no token is sent to the NRF
    assert core.nwdaf_seen == ["Bearer tok-1"] * 3


def test_a_401_from_the_nwdaf_gets_one_fresh_token_and_one_retry() -> None:
    core = TokenedCore(nwdaf_takes=lambda token: token != "tok-1")  # tok-1 was revoked
    client = core.client()
    assert client.subscribe(REQUEST)[0] == "s-1"
    assert core.nwdaf_seen == ["Bearer tok-1", "Bearer tok-2"]
    assert len(core.forms) == 2

    refusing = TokenedCore(nwdaf_takes=lambda token: False)
    client = refusing.client()
    with pytest.raises(AnalyticsUnavailable, match="HTTP 401"):
        client.subscribe(REQUEST)
    assert refusing.nwdaf_seen == ["Bearer tok-1", "Bearer tok-2"]  # one retry, no more


def test_an_nrf_refusal_or_absence_is_analytics_unavailable() -> None:
    core = TokenedCore()
    core.nrf_answer = httpx.Response(400, json={"error": "invalid_scope"})
    client = core.client()
    for _ in range(2):  # the second call is not stuck behind the first's failure
        with pytest.raises(AnalyticsUnavailable, match=r"no access token: .*400 invalid_scope"):
            client.subscribe(REQUEST)
    core.nrf_answer = httpx.ConnectError("connection refused")
    with pytest.raises(AnalyticsUnavailable, match=r"token request to http://nrf\.example/oauth2"):
        client.update("http://nwdaf.example/x", REQUEST)
    assert core.nwdaf_seen == []  # nothing went to the NWDAF without a token
    core.nrf_answer = None  # the NRF is back: the next round subscribes
    assert client.subscribe(REQUEST)[0] == "s-1"
    assert core.nwdaf_seen == [f"Bearer tok-{len(core.forms)}"]
