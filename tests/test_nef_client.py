"""nef_client.Client and AsyncClient against the real PCF process (``pcf_stub``)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from npcf_bdt_client.api.individual_bdt_policy_document import get_bdt_policy
from npcf_bdt_client.models import BdtPolicy, PlmnId, Tai, UsageThreshold

import nef_client
from nef_client import AsyncClient, Client, RetryPolicy
from nef_client.testing import PcfStub
from tests.dates import SATURDAY, future_day, window

START = future_day(SATURDAY) + timedelta(hours=1)
WINDOW = (START, START + timedelta(hours=6))
FAST = RetryPolicy(attempts=3, backoff=0.01, max_backoff=0.05)


def create(client: Client, **extra: object) -> nef_client.PolicyResult:
    args: dict[str, object] = {
        "volume_per_ue": 500_000_000,
        "number_of_ues": 1000,
        "desired_window": WINDOW,
    }
    args.update(extra)
    return client.create("video-asp", **args)  # type: ignore[arg-type]


def test_create_get_select_over_h2c(pcf_stub: PcfStub) -> None:
    with Client(pcf_stub.url) as client:
        created = create(client)
        assert not created.existing
        assert created.location.endswith(f"/bdtpolicies/{created.policy_id}")
        assert created.bdt_ref_id
        assert len(created.candidates) >= 1
        assert created.selected_id is None and created.selected is None

        read = client.get(created.policy_id)
        assert read.bdt_ref_id == created.bdt_ref_id
        assert [c.to_dict() for c in read.candidates] == [c.to_dict() for c in created.candidates]

        chosen = created.candidates[-1].trans_policy_id
        selected = client.select(created.policy_id, chosen)
        assert selected.selected_id == chosen
        assert selected.selected is not None and selected.selected.trans_policy_id == chosen
        assert client.get(created.policy_id).selected_id == chosen

    seen = pcf_stub.requests()
    assert [(r.method, r.status) for r in seen] == [
        ("POST", 201),
        ("GET", 200),
        ("PATCH", 200),
        ("GET", 200),
    ]
    assert {r.http_version for r in seen} == {"2"}


def test_wire_bodies_carry_only_what_the_caller_set(pcf_stub: PcfStub) -> None:
    with Client(pcf_stub.url) as client:
        created = create(client)
        client.select(created.policy_id, created.candidates[0].trans_policy_id)
        client.switch_warnings(created.policy_id, True)
        client.switch_warnings(created.policy_id, False)
    post, select, warn_on, warn_off = (r.body for r in pcf_stub.requests())
    # The generated BdtReqData would send warnNotifReq false by default.
    assert post == {
        "aspId": "video-asp",
        "desTimeInt": window(*WINDOW),
        "numOfUes": 1000,
        "volPerUe": {"totalVolume": 500_000_000},
        # Without a notification URI, every feature of the client but BdtNotification_5G.
        "suppFeat": "6",
    }
    assert select == {"bdtPolData": {"selTransPolicyId": created.candidates[0].trans_policy_id}}
    assert warn_on == {"bdtReqData": {"warnNotifReq": True}}
    assert warn_off == {"bdtReqData": {"warnNotifReq": False}}
    patches = [r for r in pcf_stub.requests() if r.method == "PATCH"]
    assert {r.headers["content-type"] for r in patches} == {"application/merge-patch+json"}


def test_optional_create_parameters_reach_the_pcf(pcf_stub: PcfStub) -> None:
    tai = Tai(plmn_id=PlmnId(mcc="001", mnc="01"), tac="0001")
    with Client(pcf_stub.url) as client:
        created = create(
            client,
            volume_per_ue=UsageThreshold(downlink_volume=10, uplink_volume=2),
            area=[tai],
            dnn="internet",
            snssai=(1, "010203"),
            notification_uri="http://nef.example/notify",
            warnings=True,
        )
        assert created.warnings_requested is True
    body = pcf_stub.requests()[0].body
    assert body["volPerUe"] == {"downlinkVolume": 10, "uplinkVolume": 2}
    assert body["nwAreaInfo"] == {"tais": [{"plmnId": {"mcc": "001", "mnc": "01"}, "tac": "0001"}]}
    assert body["dnn"] == "internet"
    assert body["snssai"] == {"sst": 1, "sd": "010203"}
    assert body["notifUri"] == "http://nef.example/notify"
    assert body["warnNotifReq"] is True
    # With a notification URI the client also offers BdtNotification_5G (bit 1)...
    assert body["suppFeat"] == "7"
    # ...and the PCF agreed to it, so the warnings really are on.
    assert created.policy.bdt_pol_data.supp_feat == "7"


def test_naive_window_is_refused_before_sending(pcf_stub: PcfStub) -> None:
    with Client(pcf_stub.url) as client, pytest.raises(ValueError, match="time zone"):
        naive = START.replace(tzinfo=None)
        create(client, desired_window=(naive, naive + timedelta(days=1)))
    assert pcf_stub.requests() == []


def test_not_found_carries_the_problem_details(pcf_stub: PcfStub) -> None:
    with Client(pcf_stub.url) as client, pytest.raises(nef_client.NotFound) as caught:
        client.get("does-not-exist")
    error = caught.value
    assert isinstance(error, nef_client.ClientError)
    assert error.status == 404
    assert error.cause == "BDT_POLICY_NOT_FOUND"


def test_bad_selection_carries_invalid_params(pcf_stub: PcfStub) -> None:
    with Client(pcf_stub.url) as client:
        created = create(client)
        with pytest.raises(nef_client.BadRequest) as caught:
            client.select(created.policy_id, 99)
    assert caught.value.invalid_params
    assert caught.value.invalid_params[0].param == "/bdtPolData/selTransPolicyId"


def test_503_is_retried_with_the_same_request(pcf_stub: PcfStub) -> None:
    # Retry-After: 0 so that nothing waits; the delay a Retry-After gives is checked
    # without I/O in test_nef_client_logic.py.
    pcf_stub.fail_next(2, status=503, cause="NF_CONGESTION", retry_after=0)
    with Client(pcf_stub.url, retry=RetryPolicy(attempts=3)) as client:
        created = create(client)
    assert created.policy_id
    assert [r.status for r in pcf_stub.requests()] == [503, 503, 201]
    bodies = [r.body for r in pcf_stub.requests()]
    assert bodies[0] == bodies[1] == bodies[2]


def test_429_retries_are_bounded_and_raise_with_the_cause(pcf_stub: PcfStub) -> None:
    pcf_stub.fail_next(5, status=429, cause="TOO_MANY_REQUESTS")
    client = Client(pcf_stub.url, retry=FAST)
    with client, pytest.raises(nef_client.TooManyRequests) as caught:
        create(client)
    assert caught.value.cause == "TOO_MANY_REQUESTS"
    assert [r.status for r in pcf_stub.requests()] == [429, 429, 429]


def test_retry_after_beyond_the_limit_raises_at_once(pcf_stub: PcfStub) -> None:
    pcf_stub.fail_next(1, status=503, retry_after=120)
    client = Client(pcf_stub.url, retry=RetryPolicy(max_retry_after=5))
    with client, pytest.raises(nef_client.ServiceUnavailable) as caught:
        create(client)
    assert caught.value.retry_after == 120
    assert caught.value.cause == "NF_CONGESTION"
    assert len(pcf_stub.requests()) == 1


def test_500_is_not_retried(pcf_stub: PcfStub) -> None:
    pcf_stub.fail_next(1, status=500, cause="SYSTEM_FAILURE")
    with Client(pcf_stub.url, retry=FAST) as client, pytest.raises(nef_client.ServerError):
        create(client)
    assert len(pcf_stub.requests()) == 1


def test_303_leads_to_the_existing_policy(pcf_stub: PcfStub) -> None:
    with Client(pcf_stub.url) as client:
        first = create(client)
        pcf_stub.clear_requests()
        pcf_stub.fail_next(1, status=303, location=first.location, method="POST")
        again = create(client)
    assert again.existing is True
    assert again.policy_id == first.policy_id
    assert again.bdt_ref_id == first.bdt_ref_id
    assert [(r.method, r.path, r.status) for r in pcf_stub.requests()] == [
        ("POST", "/npcf-bdtpolicycontrol/v1/bdtpolicies", 303),
        ("GET", f"/npcf-bdtpolicycontrol/v1/bdtpolicies/{first.policy_id}", 200),
    ]


def test_307_is_followed_with_method_and_body(pcf_stub: PcfStub) -> None:
    target = pcf_stub.url + "/bdtpolicies?redirected=1"
    pcf_stub.fail_next(1, status=307, location=target, method="POST")
    with Client(pcf_stub.url) as client:
        created = create(client)
    first, second = pcf_stub.requests()
    assert (first.method, first.status, second.method, second.status) == ("POST", 307, "POST", 201)
    assert second.query == "redirected=1"
    assert second.body == first.body
    assert created.policy_id


def test_308_on_patch_is_followed_with_method_and_body(pcf_stub: PcfStub) -> None:
    with Client(pcf_stub.url) as client:
        created = create(client)
        pcf_stub.clear_requests()
        location = created.location + "?moved=1"
        pcf_stub.fail_next(1, status=308, location=location, method="PATCH")
        chosen = created.candidates[0].trans_policy_id
        assert client.select(created.policy_id, chosen).selected_id == chosen
    first, second = pcf_stub.requests()
    assert (first.method, first.status, second.method, second.status) == (
        "PATCH",
        308,
        "PATCH",
        200,
    )
    assert second.body == first.body == {"bdtPolData": {"selTransPolicyId": chosen}}
    assert second.headers["content-type"] == "application/merge-patch+json"


def test_redirect_loops_are_cut(pcf_stub: PcfStub) -> None:
    pcf_stub.fail_next(10, status=307, location=pcf_stub.url + "/bdtpolicies")
    with (
        Client(pcf_stub.url, max_redirects=2) as client,
        pytest.raises(nef_client.TooManyRedirects),
    ):
        create(client)
    assert len(pcf_stub.requests()) == 3


def test_refused_connection_is_a_transport_error() -> None:
    from tests.server_process import free_port

    url = f"http://127.0.0.1:{free_port()}"
    with Client(url, retry=FAST) as client, pytest.raises(nef_client.TransportError):
        client.get("x")


def test_generated_client_shares_the_pool(pcf_stub: PcfStub) -> None:
    with Client(pcf_stub.url) as client:
        created = create(client)
        policy = get_bdt_policy.sync(created.policy_id, client=client.generated)
        assert isinstance(policy, BdtPolicy)
    assert [r.http_version for r in pcf_stub.requests()] == ["2", "2"]


def test_async_client_does_the_same(pcf_stub: PcfStub) -> None:
    async def scenario() -> tuple[nef_client.PolicyResult, ...]:
        async with AsyncClient(pcf_stub.url, retry=FAST) as client:
            created = await client.create(
                "video-asp",
                volume_per_ue=1000,
                number_of_ues=10,
                desired_window=WINDOW,
                notification_uri="http://nef.example/notify",
            )
            many = await asyncio.gather(*(client.get(created.policy_id) for _ in range(5)))
            selected = await client.select(created.policy_id, created.candidates[0].trans_policy_id)
            warned = await client.switch_warnings(created.policy_id, True)
            with pytest.raises(nef_client.NotFound):
                await client.get("nope")
            return (created, *many, selected, warned)

    pcf_stub.fail_next(1, status=503, method="POST")
    created, *reads, selected, warned = asyncio.run(scenario())
    assert all(r.bdt_ref_id == created.bdt_ref_id for r in reads)
    assert selected.selected_id == created.candidates[0].trans_policy_id
    assert warned.warnings_requested is True
    statuses = [r.status for r in pcf_stub.requests()]
    assert statuses == [503, 201, 200, 200, 200, 200, 200, 200, 200, 404]


def test_traffic_descriptor_is_sent_as_traffic_des(pcf_stub: PcfStub) -> None:
    async def twin() -> nef_client.PolicyResult:
        async with AsyncClient(pcf_stub.url) as client:
            return await client.create(
                "video-asp",
                volume_per_ue=1000,
                number_of_ues=10,
                desired_window=WINDOW,
                traffic_descriptor="0b2c",
            )

    with Client(pcf_stub.url) as client:
        created = create(client, traffic_descriptor="0a1b")
        stored = client.get(created.policy_id).policy.bdt_req_data
    awaited = asyncio.run(twin())
    posts = [r.body for r in pcf_stub.requests() if r.method == "POST"]
    assert [body["trafficDes"] for body in posts] == ["0a1b", "0b2c"]
    assert stored.traffic_des == "0a1b"  # type: ignore[union-attr]
    assert awaited.policy.bdt_req_data.traffic_des == "0b2c"  # type: ignore[union-attr]


def test_none_acceptable_answers_that_the_policy_was_removed(pcf_stub: PcfStub) -> None:
    """Selecting 0 (BdtNotification_5G): 204, the policy is gone, and the caller is told so."""

    async def twin(policy_id: str) -> object:
        async with AsyncClient(pcf_stub.url) as client:
            return await client.select(policy_id, 0)

    notify = {"notification_uri": "http://nef.example/notify"}
    with Client(pcf_stub.url) as client:
        first, second = create(client, **notify), create(client, volume_per_ue=1, **notify)
        removed = client.select(first.policy_id, 0)
        with pytest.raises(nef_client.NotFound):
            client.get(first.policy_id)
        # Another selection of a policy that is gone is an error, not a removal.
        with pytest.raises(nef_client.NotFound):
            client.select(first.policy_id, 1)
    assert removed == nef_client.PolicyRemoved(first.policy_id, first.location)
    assert asyncio.run(twin(second.policy_id)) == nef_client.PolicyRemoved(
        second.policy_id, second.location
    )
    assert [(r.method, r.status) for r in pcf_stub.requests()] == [
        ("POST", 201), ("POST", 201),
        ("PATCH", 204), ("GET", 404), ("GET", 404), ("PATCH", 404),
        ("PATCH", 204), ("GET", 404),
    ]  # fmt: skip


def test_none_acceptable_without_bdt_notification_5g_is_an_ordinary_refused_id(
    pcf_stub: PcfStub,
) -> None:
    with Client(pcf_stub.url) as client:
        created = create(client)  # no notification URI: the feature is not offered
        with pytest.raises(nef_client.BadRequest):
            client.select(created.policy_id, 0)
        assert client.get(created.policy_id).policy_id == created.policy_id
