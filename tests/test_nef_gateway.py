"""The NEF gateway: 3gpp-bdt (TS 29.122) served in front of the real PCF (stub), over N30.

Each test gets the session's gateway and PCF processes with empty stores (the
``nef_gateway`` fixture of the pytest plugin); what the PCF received is read from its
request journal and its own API, so the N30 side of each translation is checked where it
arrives.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

import nef_client
from nef_client.testing import NefGateway, NrfStub, PcfStub, start_nef_gateway
from nef_gateway.storage import SqliteStore
from tests.dates import SATURDAY, future_day, window

NIGHT = future_day(SATURDAY)
DESIRED = window(NIGHT + timedelta(hours=1), NIGHT + timedelta(hours=6))
MERGE_PATCH = {"content-type": "application/merge-patch+json"}
TAI = {"plmnId": {"mcc": "001", "mnc": "01"}, "tac": "0010"}


def bdt(**extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "volumePerUE": {"downlinkVolume": 200_000_000, "uplinkVolume": 1_000_000},
        "numberOfUEs": 100,
        "desiredTimeWindow": DESIRED,
    }
    body.update(extra)
    return body


def create(gateway: NefGateway, scs_as_id: str = "af-1", **extra: Any) -> httpx.Response:
    response = httpx.post(gateway.subscriptions_url(scs_as_id), json=bdt(**extra), timeout=30)
    assert response.status_code == 201, response.text
    return response


def policy_id_of(gateway: NefGateway, location: str) -> str:
    """The Individual BDT policy at the PCF that carries a subscription (from its store)."""
    with SqliteStore(gateway.db).unit_of_work(write=False) as uow:
        subscription = uow.subscriptions.get(location.rsplit("/", 1)[1])
    assert subscription is not None
    return subscription.policy_id


def pcf_policy(pcf_stub: PcfStub, policy_id: str) -> httpx.Response:
    return httpx.get(f"{pcf_stub.url}/bdtpolicies/{policy_id}")


def bits(bit_rate: str) -> int:
    number, unit = bit_rate.split()
    scale = {"bps": 1, "Kbps": 10**3, "Mbps": 10**6, "Gbps": 10**9, "Tbps": 10**12}[unit]
    return round(float(number) * scale)


def problem_of(response: httpx.Response, status: int, cause: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    document: dict[str, Any] = response.json()
    assert document["cause"] == cause, document
    return document


def test_create_translates_every_attribute_both_ways(pcf_stub: PcfStub) -> None:
    groups = {"fleet@af.example": "1234ABCD-001-01-00"}
    with start_nef_gateway(pcf_stub.url, groups=groups) as gateway:
        created = create(
            gateway,
            aspId="video-asp",
            locationArea5G={"nwAreaInfo": {"tais": [TAI]}, "geographicAreas": []},
            externalGroupId="fleet@af.example",
            notificationDestination="https://af.example/warnings",
            warnNotifEnabled=True,
            trafficDes="0a1b",
        )
        location = created.headers["location"]
        assert location.startswith(gateway.subscriptions_url("af-1") + "/")
        policy_id = policy_id_of(gateway, location)
    (sent,) = [r for r in pcf_stub.requests() if r.method == "POST"]
    n30 = sent.body
    subscription_id = location.rsplit("/", 1)[1]
    assert n30["aspId"] == "video-asp"
    assert n30["volPerUe"] == {"downlinkVolume": 200_000_000, "uplinkVolume": 1_000_000}
    assert n30["numOfUes"] == 100
    assert n30["desTimeInt"] == DESIRED
    assert n30["nwAreaInfo"] == {"tais": [TAI]}
    assert n30["interGroupId"] == "1234ABCD-001-01-00"
    assert n30["warnNotifReq"] is True
    assert n30["trafficDes"] == "0a1b"
    # The PCF warns the NEF, at a URI of its own per subscription, never the AF directly.
    assert n30["notifUri"].endswith(f"/nef-bdt-callbacks/v1/pcf-notifications/{subscription_id}")
    assert "af.example" not in n30["notifUri"]

    answer = created.json()
    policy = pcf_policy(pcf_stub, policy_id).json()
    assert policy["bdtReqData"]["trafficDes"] == "0a1b"  # the PCF holds it
    assert answer["self"] == location
    assert answer["referenceId"] == policy["bdtPolData"]["bdtRefId"]
    offered = policy["bdtPolData"]["transfPolicies"]
    assert len(offered) > 1
    assert [tp["bdtPolicyId"] for tp in answer["transferPolicies"]] == [
        tp["transPolicyId"] for tp in offered
    ]
    for north, south in zip(answer["transferPolicies"], offered, strict=True):
        assert north["timeWindow"] == south["recTimeInt"]
        assert north["ratingGroup"] == south["ratingGroup"]
        assert north["maxDownlinkBandwidth"] == bits(south["maxBitRateDl"])
        assert north["maxUplinkBandwidth"] == bits(south["maxBitRateUl"])
    # The AF's own attributes come back as it sent them.
    assert answer["aspId"] == "video-asp"
    assert answer["externalGroupId"] == "fleet@af.example"
    assert answer["notificationDestination"] == "https://af.example/warnings"
    assert answer["warnNotifEnabled"] is True
    assert answer["trafficDes"] == "0a1b"
    assert answer["locationArea5G"] == {"nwAreaInfo": {"tais": [TAI]}, "geographicAreas": []}
    assert "selectedPolicy" not in answer


def test_asp_defaults_to_the_af(nef_gateway: NefGateway, pcf_stub: PcfStub) -> None:
    created = create(nef_gateway, "af-7")
    (sent,) = [r for r in pcf_stub.requests() if r.method == "POST"]
    assert sent.body["aspId"] == "af-7"
    assert "aspId" not in created.json()  # the AF did not send it
    assert "warnNotifReq" not in sent.body  # nor warnNotifEnabled


def test_select_with_patch_and_put_reach_the_pcf(
    nef_gateway: NefGateway, pcf_stub: PcfStub
) -> None:
    created = create(nef_gateway)
    location = created.headers["location"]
    offered = [tp["bdtPolicyId"] for tp in created.json()["transferPolicies"]]
    policy_id = policy_id_of(nef_gateway, location)

    patched = httpx.patch(location, json={"selectedPolicy": offered[-1]}, headers=MERGE_PATCH)
    assert patched.status_code == 200, patched.text
    assert patched.json()["selectedPolicy"] == offered[-1]
    pcf = pcf_policy(pcf_stub, policy_id).json()
    assert pcf["bdtPolData"]["selTransPolicyId"] == offered[-1]
    (update,) = [r for r in pcf_stub.requests() if r.method == "PATCH"]
    assert update.body == {"bdtPolData": {"selTransPolicyId": offered[-1]}}

    # PUT: the representation again, with another choice.
    again = httpx.get(location).json()
    again["selectedPolicy"] = offered[0]
    put = httpx.put(location, json=again)
    assert put.status_code == 200, put.text
    assert put.json()["selectedPolicy"] == offered[0]
    assert pcf_policy(pcf_stub, policy_id).json()["bdtPolData"]["selTransPolicyId"] == offered[0]
    assert httpx.get(location).json()["selectedPolicy"] == offered[0]
    listed = httpx.get(nef_gateway.subscriptions_url("af-1")).json()
    assert [s["self"] for s in listed] == [location]


def test_put_cannot_renegotiate_and_a_choice_not_offered_is_refused(
    nef_gateway: NefGateway,
) -> None:
    created = create(nef_gateway)
    location = created.headers["location"]
    changed = {**created.json(), "numberOfUEs": 5, "selectedPolicy": 1}
    refused = problem_of(httpx.put(location, json=changed), 400, "OPTIONAL_IE_INCORRECT")
    assert [p["param"] for p in refused["invalidParams"]] == ["/numberOfUEs"]
    wrong = httpx.patch(location, json={"selectedPolicy": 99}, headers=MERGE_PATCH)
    problem = problem_of(wrong, 400, "MANDATORY_IE_INCORRECT")
    # The PCF named /bdtPolData/selTransPolicyId; the AF is told about its own attribute.
    assert [p["param"] for p in problem["invalidParams"]] == ["/selectedPolicy"]


def test_delete_removes_the_policy_at_the_pcf(nef_gateway: NefGateway, pcf_stub: PcfStub) -> None:
    created = create(nef_gateway)
    location = created.headers["location"]
    policy_id = policy_id_of(nef_gateway, location)
    assert httpx.delete(location).status_code == 204
    # BdtNotification_5G was negotiated (the gateway always gives its notifUri): the
    # PCF removed the policy and freed its capacity.
    problem_of(pcf_policy(pcf_stub, policy_id), 404, "BDT_POLICY_NOT_FOUND")
    problem_of(httpx.get(location), 404, "SUBSCRIPTION_NOT_FOUND")
    problem_of(httpx.delete(location), 404, "SUBSCRIPTION_NOT_FOUND")


def test_another_afs_subscription_is_not_found(nef_gateway: NefGateway, pcf_stub: PcfStub) -> None:
    location = create(nef_gateway, "af-1").headers["location"]
    theirs = location.replace("/af-1/", "/af-2/")
    problem_of(httpx.get(theirs), 404, "SUBSCRIPTION_NOT_FOUND")
    problem_of(httpx.patch(theirs, json={"selectedPolicy": 1}, headers=MERGE_PATCH), 404,
               "SUBSCRIPTION_NOT_FOUND")  # fmt: skip
    problem_of(httpx.put(theirs, json=bdt(selectedPolicy=1)), 404, "SUBSCRIPTION_NOT_FOUND")
    problem_of(httpx.delete(theirs), 404, "SUBSCRIPTION_NOT_FOUND")
    assert httpx.get(nef_gateway.subscriptions_url("af-2")).json() == []
    assert httpx.get(location).status_code == 200  # untouched
    assert [r.method for r in pcf_stub.requests()] == ["POST", "GET"]  # no PATCH reached it


def test_an_af_the_nef_does_not_serve_is_forbidden(pcf_stub: PcfStub) -> None:
    with start_nef_gateway(pcf_stub.url, allowed_afs=("af-1",)) as gateway:
        create(gateway, "af-1")
        url = gateway.subscriptions_url("intruder")
        problem_of(httpx.post(url, json=bdt()), 403, "REQUEST_NOT_AUTHORIZED")
        problem_of(httpx.get(url), 403, "REQUEST_NOT_AUTHORIZED")
        problem_of(httpx.get(f"{url}/x"), 403, "REQUEST_NOT_AUTHORIZED")
        problem_of(httpx.delete(f"{url}/x"), 403, "REQUEST_NOT_AUTHORIZED")
    assert len([r for r in pcf_stub.requests() if r.method == "POST"]) == 1


@pytest.mark.parametrize(
    ("extra", "cause", "params"),
    [
        ({"selectedPolicy": 1}, "OPTIONAL_IE_INCORRECT", ["/selectedPolicy"]),
        ({"referenceId": "r"}, "OPTIONAL_IE_INCORRECT", ["/referenceId"]),
        ({"locationArea": {"trackingAreaIds": ["00101-0001"]}}, "OPTIONAL_IE_INCORRECT",
         ["/locationArea"]),
        ({"locationArea5G": {"civicAddresses": [{"country": "FR"}]}}, "OPTIONAL_IE_INCORRECT",
         ["/locationArea5G/civicAddresses"]),
        ({"externalGroupId": "nobody@af.example"}, "OPTIONAL_IE_INCORRECT", ["/externalGroupId"]),
        ({"warnNotifEnabled": True}, "MANDATORY_IE_MISSING", ["/notificationDestination"]),
        ({"notificationDestination": "ftp://af.example/x"}, "OPTIONAL_IE_INCORRECT",
         ["/notificationDestination"]),
        ({"numberOfUEs": 0}, "MANDATORY_IE_INCORRECT", ["/numberOfUEs"]),
        ({"desiredTimeWindow": {"startTime": DESIRED["stopTime"],
                                "stopTime": DESIRED["startTime"]}},
         "MANDATORY_IE_INCORRECT", ["/desiredTimeWindow/stopTime"]),
        ({"selectedPolicy": 1, "locationArea": {"cellIds": ["x"]}}, "OPTIONAL_IE_INCORRECT",
         ["/locationArea", "/selectedPolicy"]),
    ],
)  # fmt: skip
def test_requests_it_cannot_carry_out_are_400_naming_the_attribute(
    nef_gateway: NefGateway, pcf_stub: PcfStub, extra: dict[str, Any], cause: str,
    params: list[str],
) -> None:  # fmt: skip
    body = {k: v for k, v in bdt(**extra).items() if v is not None}
    problem = problem_of(httpx.post(nef_gateway.subscriptions_url("af-1"), json=body), 400, cause)
    assert sorted(p["param"] for p in problem["invalidParams"]) == params
    assert pcf_stub.requests() == []  # refused before the PCF was asked


def test_pcf_refusals_keep_their_status_and_cause(
    nef_gateway: NefGateway, pcf_stub: PcfStub
) -> None:
    url = nef_gateway.subscriptions_url("af-1")
    pcf_stub.fail_next(1, status=403, cause="BDT_CAPACITY_UNAVAILABLE")
    problem_of(httpx.post(url, json=bdt()), 403, "BDT_CAPACITY_UNAVAILABLE")
    # A desired window that has ended: the PCF's pointer is given in 3gpp-bdt terms.
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    ended = bdt(desiredTimeWindow=window(past, past + timedelta(hours=1)))
    problem = problem_of(httpx.post(url, json=ended), 400, "MANDATORY_IE_INCORRECT")
    assert [p["param"] for p in problem["invalidParams"]] == ["/desiredTimeWindow/stopTime"]
    # The PCF overloaded beyond the client's retries: 503 with its Retry-After.
    pcf_stub.fail_next(3, status=503, cause="NF_CONGESTION", retry_after=1)
    busy = httpx.post(url, json=bdt())
    problem_of(busy, 503, "NF_CONGESTION")
    assert busy.headers["retry-after"] == "1"
    assert httpx.get(url).json() == []  # nothing half-created


def test_an_unreachable_pcf_is_503(pcf_stub: PcfStub) -> None:
    with start_nef_gateway("http://127.0.0.1:1") as gateway:
        url = gateway.subscriptions_url("af-1")
        problem_of(httpx.post(url, json=bdt(), timeout=60), 503, "TARGET_NF_NOT_REACHABLE")


def test_http_errors_are_problem_details(nef_gateway: NefGateway) -> None:
    problem_of(httpx.get(f"{nef_gateway.url}/af-1"), 404, "RESOURCE_URI_STRUCTURE_NOT_FOUND")
    wrong = httpx.post(f"{nef_gateway.subscriptions_url('af-1')}/x", json=bdt())
    problem_of(wrong, 405, "METHOD_NOT_ALLOWED")
    assert wrong.headers["allow"] == "DELETE, GET, HEAD, PATCH, PUT"
    problem_of(
        httpx.post(nef_gateway.subscriptions_url("af-1"), content=b"{",
                   headers={"content-type": "application/json"}),
        400, "INVALID_MSG_FORMAT",
    )  # fmt: skip
    missing = problem_of(
        httpx.post(nef_gateway.subscriptions_url("af-1"), json={"numberOfUEs": 1}),
        400, "MANDATORY_IE_MISSING",
    )  # fmt: skip
    assert {p["param"] for p in missing["invalidParams"]} == {
        "/volumePerUE", "/desiredTimeWindow"
    }  # fmt: skip
    location = create(nef_gateway).headers["location"]
    problem_of(httpx.patch(location, json={"selectedPolicy": 1}), 415, "UNSUPPORTED_MEDIA_TYPE")
    problem_of(httpx.patch(location, json={}, headers=MERGE_PATCH), 400, "MANDATORY_IE_MISSING")


def test_get_reads_the_pcf_and_ends_a_subscription_whose_policy_is_gone(
    nef_gateway: NefGateway, pcf_stub: PcfStub
) -> None:
    created = create(nef_gateway)
    location = created.headers["location"]
    policy_id = policy_id_of(nef_gateway, location)
    # Selected behind the gateway's back (another NEF instance on the same PCF, say).
    chosen = created.json()["transferPolicies"][1]["bdtPolicyId"]
    selected = httpx.patch(f"{pcf_stub.url}/bdtpolicies/{policy_id}",
                           json={"bdtPolData": {"selTransPolicyId": chosen}},
                           headers=MERGE_PATCH)  # fmt: skip
    assert selected.status_code == 200
    assert httpx.get(location).json()["selectedPolicy"] == chosen
    pcf_stub.reset()  # the PCF forgot it
    problem_of(httpx.get(location), 404, "SUBSCRIPTION_NOT_FOUND")
    assert httpx.get(nef_gateway.subscriptions_url("af-1")).json() == []


def test_subscriptions_survive_a_restart_of_the_gateway(pcf_stub: PcfStub, tmp_path: Any) -> None:
    with start_nef_gateway(pcf_stub.url, tmp_path) as gateway:
        created = create(gateway)
        port = int(gateway.root.rsplit(":", 1)[1])
    with start_nef_gateway(pcf_stub.url, tmp_path, port=port) as again:
        read = httpx.get(created.headers["location"])
        assert read.status_code == 200
        assert read.json()["referenceId"] == created.json()["referenceId"]
        assert again.db == gateway.db


def test_command_line_mistakes_are_one_line(tmp_path: Path) -> None:
    nef_bdt = str(Path(sys.executable).with_name("nef-bdt"))
    bad = tmp_path / "groups.json"
    bad.write_text('{"ext@af": 7}')
    for groups in (bad, tmp_path / "missing.json"):
        result = subprocess.run(
            [nef_bdt, "gateway", "--pcf", "http://127.0.0.1:1", "--groups", str(groups),
             "--db", str(tmp_path / "gw.db"), "--port", "0"],  # the default may be taken
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and "--groups" in result.stderr


def test_the_gateway_takes_nef_bdts_client_options_to_a_pcf_that_asks_for_tokens(
    pcf_stub_oauth2: PcfStub, nrf_stub: NrfStub
) -> None:
    """``nef-bdt gateway --nrf ... --nf-instance-id ...`` gets its N30 requests tokens.

    The gateway once accepted nef-bdt's client options and dropped them: a PCF that asks
    for tokens refused every subscription.
    """
    nf_id = str(uuid.uuid4())
    with start_nef_gateway(pcf_stub_oauth2.url) as gateway:
        refused = httpx.post(gateway.subscriptions_url("af-1"), json=bdt(), timeout=30)
    assert refused.status_code != 201, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    options = ["--nrf", nrf_stub.url, "--nf-instance-id", nf_id]
    with start_nef_gateway(pcf_stub_oauth2.url, client_options=options) as gateway:
        created = create(gateway)
        policy_id = policy_id_of(gateway, created.headers["location"])
    assert [form["nfInstanceId"] for form in nrf_stub.forms] == [nf_id]
    assert nrf_stub.forms[0]["scope"] == "npcf-bdtpolicycontrol"
    token = nrf_stub.credentials(nf_id)
    with nef_client.Client(pcf_stub_oauth2.url, auth=token) as client:
        assert client.get(policy_id).policy_id == policy_id
