"""Logs of a real ``pcf-bdt serve`` (issue 14, point 3): its stderr, read as a collector would.

One JSON line per record with ``--log-format json``: a line per request (method, path,
status, duration, the consumer its token named) and per domain event (created with its
bdtRefId, selected, removed, refused with its cause, warned, delivery failed and dead);
no token or ``Authorization`` anywhere. With the default text format, start-up says
what the server listens on, its store, configuration, areas and version, and no warning.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from nef_client.testing import start_nrf_stub
from pcf_server import __version__
from pcf_server.logs import without_password
from tests.bdt_config import write_config
from tests.dates import WEDNESDAY, future_day, window
from tests.server_process import free_port, running_pcf
from tests.test_metrics_process import scrape, value

pytestmark = pytest.mark.slow
DAY = future_day(WEDNESDAY)
NEF = "6f1c7d2e-0000-4000-8000-00000000000a"
MERGE_PATCH = {"content-type": "application/merge-patch+json"}


class _Nef(BaseHTTPRequestHandler):
    """A NEF answering every notification with ``status`` (HTTP/1.1 only)."""

    status = 204

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(self.status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


class _Refusing(_Nef):
    status = 404  # it will never take it: the sender gives up at once


@contextmanager
def nef(handler: type[_Nef]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/bdt"
    finally:
        server.shutdown()
        server.server_close()


def request(asp: str, notif_uri: str) -> dict[str, Any]:
    return {
        "aspId": asp,
        "desTimeInt": window(DAY, DAY + timedelta(hours=8)),
        "numOfUes": 5,
        "volPerUe": {"totalVolume": 1_000_000},
        "suppFeat": "1",
        "notifUri": notif_uri,
        "warnNotifReq": True,
    }


def json_lines(log: Path) -> list[dict[str, Any]]:
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # every line is one JSON object


def wait_for_events(log: Path, wanted: set[str], timeout: float = 30) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        records = json_lines(log)
        if wanted <= {r.get("event") for r in records} or time.monotonic() > deadline:
            return records
        time.sleep(0.1)


def delivered_once(admin_root: str) -> bool:
    result = {"result": "delivered"}
    return value(scrape(admin_root), "pcf_bdt_notification_attempts_total", **result) >= 1


def test_json_lines_for_each_request_and_domain_event_and_no_secret(tmp_path: Path) -> None:
    db = tmp_path / "pcf.db"
    config = write_config(tmp_path / "bdt.yaml")
    with start_nrf_stub() as nrf:
        key = tmp_path / "nrf.pem"
        key.write_bytes(nrf.public_key_pem)
        token = nrf.issue(NEF)
        auth = {"Authorization": f"Bearer {token}"}
        args = ["--oauth2-key", str(key), "--config", str(config), "--log-format", "json"]
        closed = f"http://127.0.0.1:{free_port()}/bdt"  # nobody listens: retried
        with (
            nef(_Refusing) as refusing,
            nef(_Nef) as accepting,
            running_pcf(db, extra_args=args, probe_headers=auth) as (url, process),
            httpx.Client(timeout=30, headers=auth) as client,
        ):
            created = {}
            targets = {"retried": closed, "refused": refusing, "accepted": accepting}
            for name, notif_uri in [*targets.items(), ("declined", closed)]:
                answer = client.post(f"{url}/bdtpolicies", json=request(name, notif_uri))
                assert answer.status_code == 201, answer.text
                created[name] = answer.json()
                created[name]["id"] = answer.headers["location"].rsplit("/", 1)[1]
            declined = client.patch(
                f"{url}/bdtpolicies/{created['declined']['id']}",
                json={"bdtPolData": {"selTransPolicyId": 0}},
                headers=MERGE_PATCH,
            )
            assert declined.status_code == 204
            for name in targets:
                selected = client.patch(
                    f"{url}/bdtpolicies/{created[name]['id']}",
                    json={"bdtPolData": {"selTransPolicyId": 1}},
                    headers=MERGE_PATCH,
                )
                assert selected.status_code == 200, selected.text
                chosen = selected.json()["bdtPolData"]["transfPolicies"][0]["recTimeInt"]
                degraded = httpx.post(  # the window it selected loses its capacity
                    f"{process.admin_root}/pcf-bdt-admin/v1/degradations",
                    json={"areaId": "town", "timeWindow": chosen, "factor": 0.0},
                )
                assert degraded.status_code in (200, 201), degraded.text
            huge = request("huge", closed) | {"numOfUes": 1_000_000}
            huge["volPerUe"] = {"totalVolume": 10**15}
            assert client.post(f"{url}/bdtpolicies", json=huge).status_code == 403
            assert client.get(f"{url}/bdtpolicies/{uuid.uuid4().hex}").status_code == 404
            assert httpx.get(f"{url}/bdtpolicies/x").status_code == 401  # no token
            log = db.with_suffix(".log")
            wanted = {"created", "selected", "removed", "refused", "warned"}
            wanted |= {"delivery_failed", "delivery_dead"}
            deadline = time.monotonic() + 30
            while not delivered_once(process.admin_root) and time.monotonic() < deadline:
                time.sleep(0.1)
            records = wait_for_events(log, wanted)
            samples = scrape(process.admin_root)
    text = log.read_text()
    assert token not in text and token[-20:] not in text
    assert "authorization" not in text.lower() and "bearer" not in text.lower()
    events = {}
    for record in records:
        events.setdefault(record.get("event"), []).append(record)
    assert wanted <= set(events), set(events)
    refs = {r["bdt_ref_id"] for r in events["created"]}
    assert refs == {created[n]["bdtPolData"]["bdtRefId"] for n in created}
    assert all(r["bdt_ref_id"] in r["message"] and r["consumer"] == NEF for r in events["created"])
    assert [r["policy_id"] for r in events["removed"]] == [created["declined"]["id"]]
    assert {r["policy_id"] for r in events["selected"]} == {created[n]["id"] for n in targets}
    assert [r["cause"] for r in events["refused"]] == ["BDT_CAPACITY_UNAVAILABLE"]
    assert {r["policy_id"] for r in events["warned"]} == {created[n]["id"] for n in targets}
    assert {r["uri"] for r in events["delivery_dead"]} == {refusing}
    assert closed in {r["uri"] for r in events["delivery_failed"]}
    requests = [r for r in records if r["logger"] == "pcf_server.requests"]
    posts = [r for r in requests if r["method"] == "POST" and r["operation"] == "CreateBDTPolicy"]
    assert sorted(r["status"] for r in posts) == [201] * len(created) + [403]
    assert all(r["consumer"] == NEF and r["duration_ms"] > 0 for r in posts)
    assert all(r["path"] == "/npcf-bdtpolicycontrol/v1/bdtpolicies" for r in posts)
    patches = [r for r in requests if r["method"] == "PATCH"]
    assert sorted(r["status"] for r in patches) == [200] * len(targets) + [204]
    unknown = [r for r in requests if r["method"] == "GET" and r["status"] == 404]
    assert unknown and all(r["consumer"] == NEF for r in unknown)
    (anonymous,) = [r for r in requests if r["status"] == 401]
    assert anonymous["consumer"] is None and anonymous["path"].endswith("/bdtpolicies/x")
    # The same deliveries in the metrics: one each delivered and dead, one pending retries.
    attempts = {
        result: value(samples, "pcf_bdt_notification_attempts_total", result=result)
        for result in ("delivered", "dead", "failed")
    }
    failed_lines = len(events["delivery_failed"])
    assert attempts["delivered"] == 1 and attempts["dead"] == 1
    assert attempts["failed"] >= failed_lines >= 1  # lines written before the scrape
    assert value(samples, "pcf_bdt_notification_delivery_seconds_count") == 1
    assert value(samples, "pcf_bdt_notification_delivery_attempt_count_count") == 2
    assert value(samples, "pcf_bdt_outbox_rows", state="dead") == 1
    assert value(samples, "pcf_bdt_outbox_rows", state="pending") == 1
    warned = {"event": "warned", "cause": ""}
    assert value(samples, "pcf_bdt_policy_events_total", **warned) == len(targets)


def test_start_up_says_where_and_what_and_warns_of_nothing(tmp_path: Path) -> None:
    db = tmp_path / "pcf.db"
    config = write_config(tmp_path / "bdt.yaml")
    with running_pcf(db, extra_args=["--config", str(config), "--workers", "2"]) as (url, p):
        assert httpx.get(f"{url}/bdtpolicies/x").status_code == 404
    start = db.with_suffix(".log").read_text()
    assert "warning" not in start.lower(), start
    assert "Traceback" not in start and "x-tokenInfoFunc" not in start
    (line,) = [entry for entry in start.splitlines() if f"pcf-bdt {__version__}" in entry]
    port = url.split(":")[2].split("/")[0]
    assert f"http://127.0.0.1:{port}" in line and p.admin_root in line
    assert str(db) in line and str(config) in line and "areas town, village" in line
    request_lines = [entry for entry in start.splitlines() if "pcf_server.requests" in entry]
    assert any('"GET /npcf-bdtpolicycontrol/v1/bdtpolicies/x" 404' in e for e in request_lines)


def test_a_store_named_by_uri_is_logged_without_its_password() -> None:
    assert (
        without_password("postgresql://pcf:s3cret@db.example:5432/pcf")
        == "postgresql://pcf:***@db.example:5432/pcf"
    )
    assert without_password("postgresql://db.example/pcf") == "postgresql://db.example/pcf"
    assert without_password("/var/lib/pcf/pcf.db") == "/var/lib/pcf/pcf.db"
