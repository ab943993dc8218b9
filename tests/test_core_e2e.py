"""The PCF in a core, end to end: real server processes, our own minimal NRF and NWDAF.

NRF (nef_client.testing.NrfStub): register, heartbeat, 404 then register again,
deregister on a clean stop, one registration per instance whatever its workers, the NF
instance id kept across restarts, and a NEF that finds the PCF through the NRF and takes
its tokens from it. NWDAF (tests.nwdaf_mock): the subscription per area created,
updated, recreated after an NWDAF restart and deleted, and a full warning round.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import httpx
import pytest

import nef_client
from nef_client.testing import notification_sink, start_nrf_stub
from pcf_server.settings import NWDAF_BASE_PATH
from tests.bdt_config import TOWN_TAI, write_config
from tests.dates import future_day, window
from tests.nwdaf_mock import running_nwdaf
from tests.polling import wait_for
from tests.server_process import free_port, running_pcf

pytestmark = pytest.mark.slow

NEF_ID = "5d1c7d2e-0000-4000-8000-00000000000b"
NIGHT = future_day(days_ahead=2)
MERGE = {"content-type": "application/merge-patch+json"}


def root(url: str) -> str:
    return url.rsplit("/npcf-bdtpolicycontrol", 1)[0]


def count(events: list[tuple[str, str]], method: str) -> int:
    return sum(1 for m, _ in events if m == method)


def test_the_pcf_registers_once_keeps_registered_and_deregisters(tmp_path) -> None:
    db = tmp_path / "pcf.db"
    with start_nrf_stub() as nrf:
        nrf.heartbeat_timer = 1
        with running_pcf(db, extra_args=["--nrf", nrf.url, "--workers", "2"]) as (url, _):
            nrf.wait_for(lambda: count(nrf.events, "PATCH") >= 2)
            registered = {i for m, i in nrf.events if m == "PUT"}
            assert count(nrf.events, "PUT") == 1  # one instance, two workers: one profile
            (instance,) = registered
            profile = nrf.profiles[instance]
            assert profile["nfType"] == "PCF" and profile["nfStatus"] == "REGISTERED"
            (service,) = profile["nfServices"]
            assert service["serviceName"] == "npcf-bdtpolicycontrol"
            assert service["versions"] == [{"apiVersionInUri": "v1", "apiFullVersion": "1.3.0"}]
            assert service["scheme"] == "http" and service["supportedFeatures"] == "7"
            port = int(root(url).rsplit(":", 1)[1])
            assert service["ipEndPoints"] == [
                {"ipv4Address": "127.0.0.1", "transport": "TCP", "port": port}
            ]
            heard = len(nrf.events)
            nrf.forget()  # the NRF restarts without its registrations
            nrf.wait_for(lambda: instance in nrf.profiles)
            assert nrf.events[heard:][-2:] == [("PATCH", instance), ("PUT", instance)]
            nrf.wait_for(lambda: nrf.events[-1] == ("PATCH", instance))  # and heartbeats go on
        assert nrf.events[-1] == ("DELETE", instance)  # the clean stop deregistered it
        assert instance not in nrf.profiles
        # The same instance (the same apiRoot) restarted: the same NF instance id, kept in
        # the store.
        with running_pcf(db, port=port, extra_args=["--nrf", nrf.url]):
            nrf.wait_for(lambda: instance in nrf.profiles)


def test_a_nef_finds_the_pcf_through_the_nrf_and_uses_its_tokens(tmp_path) -> None:
    with start_nrf_stub() as nrf:
        key = tmp_path / "nrf.pem"
        key.write_bytes(nrf.public_key_pem)
        instance = "3b0c1d2e-0000-4000-8000-00000000000c"
        args = ["--nrf", nrf.url, "--nf-instance-id", instance, "--oauth2-key", str(key)]
        args += ["--oauth2-issuer", nrf.issuer]
        with running_pcf(tmp_path / "pcf.db", extra_args=args) as (url, _):
            nrf.wait_for(lambda: instance in nrf.profiles)
            # An instance that is gone but still registered, preferred by priority: the
            # client fails over from it to the live one.
            dead = {**nrf.profiles[instance], "nfInstanceId": "dead", "priority": 0}
            dead["nfServices"] = [
                {**dead["nfServices"][0], "ipEndPoints": [
                    {"ipv4Address": "127.0.0.1", "transport": "TCP", "port": free_port()}]}
            ]  # fmt: skip
            nrf.profiles["dead"] = dead
            start = NIGHT + timedelta(hours=1)
            with nef_client.Client(nrf=nrf.credentials(NEF_ID)) as pcf:
                offer = pcf.create(
                    "asp", volume_per_ue=10**6, number_of_ues=1,
                    desired_window=(start, start + timedelta(hours=2)),
                )  # fmt: skip
                assert offer.location.startswith(url)
                assert pcf.get(offer.policy_id).bdt_ref_id == offer.bdt_ref_id
            (query,) = nrf.discoveries
            assert query == {
                "target-nf-type": "PCF",
                "requester-nf-type": "NEF",
                "service-names": "npcf-bdtpolicycontrol",
                "requester-nf-instance-id": NEF_ID,
            }
            assert nrf.forms and nrf.forms[0]["nfInstanceId"] == NEF_ID


def _policy(asp: str, day: int, sink_url: str) -> dict:
    start = NIGHT + timedelta(days=day)
    return {
        "aspId": asp,
        "desTimeInt": window(start, start + timedelta(hours=4)),
        "numOfUes": 1,
        "volPerUe": {"downlinkVolume": 10**9},
        "notifUri": sink_url,
        "warnNotifReq": True,
        "suppFeat": "1",
    }


def test_nwdaf_subscriptions_follow_the_policies_and_a_report_warns_the_nef(tmp_path) -> None:
    config = write_config(
        tmp_path / "c.yaml", candidates=1, nwdaf_check_seconds=0.2, nwdaf_refresh_seconds=1
    )
    with running_nwdaf() as nwdaf, notification_sink() as sink:
        args = ["--nwdaf", nwdaf.url, "--config", str(config)]
        with (
            running_pcf(tmp_path / "pcf.db", extra_args=args) as (url, _),
            httpx.Client(http1=False, http2=True, timeout=30) as http,
        ):
            callback = f"{root(url)}{NWDAF_BASE_PATH}/nwdaf-notifications"
            first = http.post(f"{url}/bdtpolicies", json=_policy("a", 0, sink.url))
            assert first.status_code == 201, first.text
            first_window = first.json()["bdtPolData"]["transfPolicies"][0]["recTimeInt"]

            nwdaf.wait_for(lambda: count(nwdaf.events, "POST") == 1)
            ((sub_id, document),) = nwdaf.subscriptions.items()
            (event,) = document["eventSubscriptions"]
            assert event["event"] == "NETWORK_PERFORMANCE"
            assert event["networkArea"] == {"tais": [TOWN_TAI]}
            assert event["notificationMethod"] == "THRESHOLD"
            assert event["nwPerfRequs"] == [
                {"nwPerfType": "GNB_ACTIVE_RATIO", "relativeRatio": 90},
                {"nwPerfType": "GNB_RSC_USAGE_OVERALL_TRAFFIC", "relativeRatio": 80},
            ]
            span = {"startTs": first_window["startTime"], "endTs": first_window["stopTime"]}
            assert event["extraReportReq"] == span
            assert document["notificationURI"] == callback

            second = http.post(f"{url}/bdtpolicies", json=_policy("b", 1, sink.url))
            second_window = second.json()["bdtPolData"]["transfPolicies"][0]["recTimeInt"]
            nwdaf.wait_for(
                lambda: (
                    nwdaf.subscriptions[sub_id]["eventSubscriptions"][0]["extraReportReq"]
                    == {"startTs": first_window["startTime"], "endTs": second_window["stopTime"]}
                )
            )  # the union grew: the subscription was updated (PUT)

            nwdaf.restart()  # forgets; the next refresh gets 404 and subscribes again
            nwdaf.wait_for(lambda: len(nwdaf.subscriptions) == 1)
            ((new_id, _),) = nwdaf.subscriptions.items()
            assert new_id != sub_id
            report = {
                "eventNotifications": [{
                    "event": "NETWORK_PERFORMANCE",
                    "nwPerfs": [{"networkArea": {"tais": [TOWN_TAI]},
                                 "nwPerfType": "GNB_ACTIVE_RATIO", "relativeRatio": 10,
                                 "anaPeriod": {"startTime": first_window["startTime"],
                                               "stopTime": first_window["stopTime"]}}],
                }]
            }  # fmt: skip
            stale = nwdaf.notify(sub_id, report)  # the forgotten subscription's report
            assert stale.status_code == 404 and stale.json()["cause"] == "SUBSCRIPTION_NOT_FOUND"
            assert nwdaf.notify(new_id, report).status_code == 204
            (warning,) = sink.wait(1)
            assert warning.bdt_ref_id == first.json()["bdtPolData"]["bdtRefId"]

            # The NEFs decline (0: none acceptable): no policy needs the area any more.
            for created in (first, second):
                declined = http.patch(
                    created.headers["location"],
                    json={"bdtPolData": {"selTransPolicyId": 0}},
                    headers=MERGE,
                )
                assert declined.status_code == 204, declined.text
            nwdaf.wait_for(lambda: ("DELETE", new_id) in nwdaf.events)
            assert nwdaf.subscriptions == {}


def test_with_nwdaf_oauth2_the_pcf_subscribes_with_a_token_from_the_nrf(tmp_path) -> None:
    """An NWDAF that requires the NRF's tokens: refused without, subscribed with.

    The run without ``--nwdaf-oauth2`` shows the NWDAF does refuse (the test can fail);
    with it, an NRF refusing tokens at first is an NWDAF unavailable for a while, tried
    again each round, and the PCF subscribes once the NRF issues them.
    """
    config = write_config(
        tmp_path / "c.yaml", candidates=1, nwdaf_check_seconds=0.2, nwdaf_refresh_seconds=1
    )
    with (
        start_nrf_stub() as nrf,
        running_nwdaf(token_key=nrf.public_key_pem) as nwdaf,
        notification_sink() as sink,
        httpx.Client(http1=False, http2=True, timeout=30) as http,
    ):
        args = ["--nrf", nrf.url, "--nwdaf", nwdaf.url, "--config", str(config)]
        with running_pcf(tmp_path / "plain.db", extra_args=args) as (url, _):
            created = http.post(f"{url}/bdtpolicies", json=_policy("a", 0, sink.url))
            assert created.status_code == 201, created.text
            nwdaf.wait_for(lambda: nwdaf.refused >= 2)  # refused, and tried again
            assert nwdaf.subscriptions == {} and nrf.forms == []

        nrf.refuse_with = "invalid_client"
        instance = "3b0c1d2e-0000-4000-8000-00000000000e"
        args += ["--nwdaf-oauth2", "--nf-instance-id", instance]
        refused = nwdaf.refused
        with running_pcf(tmp_path / "oauth2.db", extra_args=args) as (url, process):
            created = http.post(f"{url}/bdtpolicies", json=_policy("a", 0, sink.url))
            assert created.status_code == 201, created.text
            wait_for(lambda: len(nrf.forms) >= 2)  # no token: retried the next round
            assert nwdaf.events == [] and process.poll() is None
            nrf.refuse_with = None
            nwdaf.wait_for(lambda: len(nwdaf.subscriptions) == 1)
        assert nwdaf.refused == refused  # every request had a valid token
        assert nrf.forms[-1] == {
            "grant_type": "client_credentials",
            "nfInstanceId": instance,
            "nfType": "PCF",
            "targetNfType": "NWDAF",
            "scope": "nnwdaf-eventssubscription",
        }


def test_core_options_mistaken_at_the_command_line_are_one_line(tmp_path) -> None:
    serve = [sys.executable, "-m", "pcf_server", "serve", "--db", str(tmp_path / "x.db"),
             "--port", str(free_port())]  # fmt: skip
    cases = {
        "is not an http:// or https:// URL": ["--nrf", "nrf.example:8000"],
        "is not a UUID": ["--nrf", "http://nrf", "--nf-instance-id", "pcf-1"],
        "--nf-instance-id goes with --nrf": [
            "--nf-instance-id", "3b0c1d2e-0000-4000-8000-00000000000c"],
        "give the address they reach it by with --api-root": [
            "--host", "0.0.0.0", "--nwdaf", "http://nwdaf"],
    }  # fmt: skip
    for expected, more in cases.items():
        started = subprocess.run([*serve, *more], capture_output=True, text=True, timeout=60)
        assert started.returncode == 2, (more, started.stderr)
        last = started.stderr.strip().splitlines()[-1]
        assert expected in last, last
        assert "Traceback" not in started.stderr
