"""Issue 8's abuse attacks on input, degradations and configuration, against real servers.

Each test is one attack from the issue, tried as a hostile peer would over HTTP (or at
the command line), and what the PCF must do instead.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from pcf_server.settings import ADMIN_BASE_PATH as ADMIN
from pcf_server.settings import NWDAF_BASE_PATH
from tests.bdt_config import TOWN_TAI, config, write_config
from tests.dates import future_day, iso, window
from tests.problems import params, problem_of
from tests.server_process import free_port, kill_hard, running_pcf

DAY = future_day()
NIGHT = window(DAY + timedelta(hours=1), DAY + timedelta(hours=5))


def request(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "aspId": f"asp-{uuid.uuid4().hex[:8]}",
        "desTimeInt": NIGHT,
        "numOfUes": 1,
        "volPerUe": {"downlinkVolume": 10_000_000},
    }
    doc.update(changes)
    return doc


@dataclass(frozen=True)
class Pcf:
    root: str  # the 3GPP API's apiRoot (and the NWDAF endpoint's)
    admin: str  # the operator listener's
    db: Path


@pytest.fixture(scope="module")
def pcf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pcf]:
    """A PCF on the test configuration."""
    folder = tmp_path_factory.mktemp("bounds")
    db = folder / "pcf.db"
    args = ["--config", str(write_config(folder / "c.yaml"))]
    with running_pcf(db, extra_args=args) as (url, process):
        yield Pcf(url.rsplit("/npcf-bdtpolicycontrol", 1)[0], process.admin_root, db)


def post_raw(root: str, body: bytes) -> httpx.Response:
    return httpx.post(
        f"{root}/npcf-bdtpolicycontrol/v1/bdtpolicies",
        content=body,
        headers={"content-type": "application/json"},
        timeout=30,
    )


# -- input bounds (point 8) -----------------------------------------------------------


def test_a_900_kb_asp_id_is_refused_not_stored(pcf: Pcf) -> None:
    root, db = pcf.root, pcf.db
    for _ in range(5):  # 60 of them once made a 114 MB database
        response = post_raw(root, json.dumps(request(aspId="a" * 900_000)).encode())
        body = problem_of(response, 400)
        assert (body["cause"], params(body)) == ("MANDATORY_IE_INCORRECT", ["/aspId"])
        assert len(response.content) < 2000  # the answer does not echo the 900 kB either
    with closing(sqlite3.connect(db)) as connection:
        longest = connection.execute("SELECT max(length(request_document)) FROM bdt_policy")
        assert (longest.fetchone()[0] or 0) < 10_000
    assert post_raw(root, json.dumps(request(aspId="a" * 255)).encode()).status_code == 201


def test_area_lists_and_other_strings_have_bounds(pcf: Pcf) -> None:
    root = pcf.root
    tais = [{"plmnId": TOWN_TAI["plmnId"], "tac": f"{i:04X}"} for i in range(1001)]
    doc = request(nwAreaInfo={"tais": tais}, dnn="d" * 101, extra="x" * 2049)
    body = problem_of(post_raw(root, json.dumps(doc).encode()), 400)
    assert params(body) == ["/dnn", "/extra", "/nwAreaInfo/tais"]
    assert body["cause"] == "OPTIONAL_IE_INCORRECT"
    fits = request(nwAreaInfo={"tais": tais[:1000]}, dnn="d" * 100)
    assert post_raw(root, json.dumps(fits).encode()).status_code == 201


@pytest.mark.parametrize(
    "volume",
    [{"downlinkVolume": 0}, {"totalVolume": 0}, {"downlinkVolume": 0, "uplinkVolume": 0}, {}],
)
def test_a_zero_volume_is_refused(pcf: Pcf, volume: dict[str, int]) -> None:
    root = pcf.root
    body = problem_of(post_raw(root, json.dumps(request(volPerUe=volume)).encode()), 400)
    assert (body["cause"], params(body)) == ("MANDATORY_IE_INCORRECT", ["/volPerUe"])


@pytest.mark.parametrize(
    "body",
    [
        # an "extra" member of 1e400 was stored, and every GET answered Infinity (not JSON)
        b'{"extra": 1e400, "aspId": "a", "desTimeInt": %(window)s, "numOfUes": 1,'
        b' "volPerUe": {"downlinkVolume": 10}}',
        # a lone surrogate in aspId was a 500
        b'{"aspId": "\\ud800", "desTimeInt": %(window)s, "numOfUes": 1,'
        b' "volPerUe": {"downlinkVolume": 10}}',
        b'{"aspId": "a", "desTimeInt": %(window)s, "numOfUes": 1,'
        b' "volPerUe": {"downlinkVolume": 10}, "x": {"\\udfff": 1}}',
        # duplicate keys were silently accepted (the last one won)
        b'{"aspId": "a", "aspId": "b", "desTimeInt": %(window)s, "numOfUes": 1,'
        b' "volPerUe": {"downlinkVolume": 10}}',
        b'{"aspId": "a", "desTimeInt": %(window)s, "numOfUes": 1,'
        b' "volPerUe": {"downlinkVolume": 10, "downlinkVolume": 20}}',
    ],
    ids=["non-finite", "lone-surrogate", "surrogate-name", "duplicate-key", "duplicate-nested"],
)
def test_json_that_cannot_be_kept_is_an_invalid_message(pcf: Pcf, body: bytes) -> None:
    root = pcf.root
    raw = body % {b"window": json.dumps(NIGHT).encode()}
    answer = problem_of(post_raw(root, raw), 400)
    assert answer["cause"] == "INVALID_MSG_FORMAT"
    json.dumps(answer).encode("utf-8")  # the answer itself is text


# -- degradations (point 4) -------------------------------------------------------------


def nwdaf_report(ana_period: dict[str, str], ratio: int = 1) -> list[dict[str, Any]]:
    return [
        {
            "subscriptionId": "sub-1",
            "eventNotifications": [
                {
                    "event": "NETWORK_PERFORMANCE",
                    "nwPerfs": [
                        {
                            "networkArea": {"tais": [TOWN_TAI]},
                            "nwPerfType": "GNB_ACTIVE_RATIO",
                            "relativeRatio": ratio,
                            "anaPeriod": ana_period,
                        }
                    ],
                }
            ],
        }
    ]


def test_a_forged_nwdaf_report_until_9999_is_refused(pcf: Pcf) -> None:
    root = pcf.root
    forever = {"startTime": iso(DAY), "stopTime": "9999-12-31T23:59:59Z"}
    url = f"{root}{NWDAF_BASE_PATH}/nwdaf-notifications"
    body = problem_of(httpx.post(url, json=nwdaf_report(forever)), 400)
    assert params(body) == ["/0/eventNotifications/0/nwPerfs/0/anaPeriod"]
    assert "168 hours" in body["detail"]
    assert httpx.post(f"{root}/npcf-bdtpolicycontrol/v1/bdtpolicies", json=request()).is_success
    # a week is still a degradation
    week = {"startTime": iso(DAY), "stopTime": iso(DAY + timedelta(days=7))}
    assert httpx.post(url, json=nwdaf_report(week, ratio=90)).status_code == 204


def test_an_operator_degradation_to_zero_for_ever_is_refused(pcf: Pcf) -> None:
    root, admin = pcf.root, pcf.admin
    forever = {"startTime": iso(DAY), "stopTime": "9999-12-31T23:59:59Z"}
    attack = {"areaId": "town", "timeWindow": forever, "factor": 0}
    body = problem_of(httpx.post(f"{admin}{ADMIN}/degradations", json=attack), 400)
    assert (body["cause"], params(body)) == ("MANDATORY_IE_INCORRECT", ["/timeWindow"])
    assert httpx.post(f"{root}/npcf-bdtpolicycontrol/v1/bdtpolicies", json=request()).is_success


def test_a_degradation_can_be_listed_and_removed_which_restores_the_capacity(
    tmp_path: Path,
) -> None:
    db = tmp_path / "pcf.db"
    args = ["--config", str(write_config(tmp_path / "c.yaml"))]
    with running_pcf(db, extra_args=args) as (url, process):
        root, admin = url.rsplit("/npcf-bdtpolicycontrol", 1)[0], process.admin_root
        # the whole search range of the request: nothing can be offered while it lasts
        span = {"startTime": iso(DAY), "stopTime": iso(DAY + timedelta(days=3))}
        outage = {"areaId": "town", "timeWindow": span, "factor": 0}
        added = httpx.post(f"{admin}{ADMIN}/degradations", json=outage).json()
        nwdaf = httpx.post(
            f"{root}{NWDAF_BASE_PATH}/nwdaf-notifications", json=nwdaf_report(NIGHT, ratio=50)
        )
        assert nwdaf.status_code == 204
        listed = httpx.get(f"{admin}{ADMIN}/degradations").json()
        assert [(d["areaId"], d["factor"], d["source"]) for d in listed] == [
            ("town", 0, "operator"),
            ("town", 0.5, "nwdaf"),
        ]
        assert listed[0]["id"] == added["id"] and listed[0]["timeWindow"] == span
        refused = httpx.post(f"{url}/bdtpolicies", json=request())
        assert problem_of(refused, 403)["cause"] == "BDT_CAPACITY_UNAVAILABLE"

        removed = httpx.delete(f"{admin}{ADMIN}/degradations/{added['id']}")
        assert removed.status_code == 204
        assert [d["source"] for d in httpx.get(f"{admin}{ADMIN}/degradations").json()] == ["nwdaf"]
        assert httpx.post(f"{url}/bdtpolicies", json=request()).status_code == 201
        again = httpx.delete(f"{admin}{ADMIN}/degradations/{added['id']}")
        assert problem_of(again, 404)["cause"] == "DEGRADATION_NOT_FOUND"


def test_a_960_kb_nwdaf_body_is_refused_at_once(pcf: Pcf) -> None:
    """It used to be acted on report by report, holding the write lock for 12-20 s."""
    root, admin = pcf.root, pcf.admin
    before = httpx.get(f"{admin}{ADMIN}/degradations").json()
    perf = nwdaf_report(NIGHT, ratio=50)[0]["eventNotifications"][0]["nwPerfs"][0]
    perfs = [{**perf, "relativeRatio": 1 + i % 99} for i in range(4500)]
    body = [{"subscriptionId": "s", "eventNotifications": [{"event": "NETWORK_PERFORMANCE",
             "nwPerfs": perfs[i: i + 750]}]} for i in range(0, 4500, 750)]  # fmt: skip
    raw = json.dumps(body).encode()
    assert 900_000 < len(raw) < 1_048_576
    response = httpx.post(
        f"{root}{NWDAF_BASE_PATH}/nwdaf-notifications",
        content=raw,
        headers={"content-type": "application/json"},
        timeout=60,
    )
    answer = problem_of(response, 400)
    assert params(answer) == ["/0/eventNotifications/0/nwPerfs/100"]
    assert httpx.get(f"{admin}{ADMIN}/degradations").json() == before  # nothing recorded


# -- per-consumer limits (point 8) ------------------------------------------------------


def test_unselected_offers_are_limited_per_consumer(tmp_path: Path) -> None:
    """51 unselected offers held for 300 s once made every other ASP's Create fail."""
    conf = write_config(tmp_path / "c.yaml", held_offers_per_consumer=3)
    with running_pcf(tmp_path / "pcf.db", extra_args=["--config", str(conf)]) as (url, _):
        created = []
        for _ in range(3):
            response = httpx.post(f"{url}/bdtpolicies", json=request())
            assert response.status_code == 201
            assert len(response.json()["bdtPolData"]["transfPolicies"]) > 1
            created.append(response.headers["location"])
        body = problem_of(httpx.post(f"{url}/bdtpolicies", json=request()), 403)
        assert body["cause"] == "BDT_OFFER_LIMIT_REACHED"
        # selecting an offer commits it and frees the consumer's allowance
        select = {"bdtPolData": {"selTransPolicyId": 1}}
        patched = httpx.patch(
            created[0], json=select, headers={"content-type": "application/merge-patch+json"}
        )
        assert patched.status_code == 200
        assert httpx.post(f"{url}/bdtpolicies", json=request()).status_code == 201


def test_stored_policies_are_limited_per_consumer(tmp_path: Path) -> None:
    conf = write_config(tmp_path / "c.yaml", policies_per_consumer=2, candidates=1)
    with running_pcf(tmp_path / "pcf.db", extra_args=["--config", str(conf)]) as (url, _):
        for _ in range(2):
            assert httpx.post(f"{url}/bdtpolicies", json=request()).status_code == 201
        body = problem_of(httpx.post(f"{url}/bdtpolicies", json=request()), 403)
        assert body["cause"] == "BDT_POLICY_LIMIT_REACHED"


# -- one database, one configuration (point 9) ---------------------------------------------


def serve(db: Path, conf: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``pcf-bdt serve`` expected to refuse to start; a server that starts is stopped."""
    script = Path(sys.executable).with_name("pcf-bdt")
    command = [str(script), "serve", "--port", str(free_port()), "--db", str(db)]
    process = subprocess.Popen(
        [*command, "--config", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )  # fmt: skip
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_hard(process)  # type: ignore[arg-type]
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_a_store_refuses_a_server_configured_otherwise(tmp_path: Path) -> None:
    """Two servers with other slot lengths on one database purged each other's rows."""
    db = tmp_path / "pcf.db"
    fifteen = write_config(tmp_path / "15.yaml")
    with running_pcf(db, extra_args=["--config", str(fifteen)]) as (url, _):
        assert httpx.post(f"{url}/bdtpolicies", json=request()).status_code == 201
    thirty = write_config(tmp_path / "30.yaml", slot_minutes=30)
    refused = serve(db, thirty)
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr == (
        f"pcf-bdt: error: {db} was made with slot_minutes 15, where this configuration has 30; "
        "start it with the configuration it was made with, or use another --db\n"
    )
    # an area taken away, or made of other cells, is refused the same way
    doc = config()
    del doc["areas"]["village"]
    (tmp_path / "fewer.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    fewer = serve(db, tmp_path / "fewer.yaml")
    assert fewer.returncode == 2 and "area 'village', which this configuration lacks" in (
        fewer.stderr
    )
    assert fewer.stderr.count("\n") == 1 and "Traceback" not in fewer.stderr
    # the same configuration, with another capacity and a new area, starts
    doc = config()
    doc["areas"]["town"]["capacity"] = {"downlink": "2 Gbps", "uplink": "200 Mbps"}
    doc["areas"]["city"] = {
        "capacity": {"downlink": "1 Gbps", "uplink": "100 Mbps"},
        "load_profile": "town",
        "tais": [{"plmnId": TOWN_TAI["plmnId"], "tac": "0003"}],
    }
    (tmp_path / "grown.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    with running_pcf(db, extra_args=["--config", str(tmp_path / "grown.yaml")]) as (url, _):
        assert httpx.get(f"{url}/bdtpolicies/x").status_code == 404


def test_an_alias_bomb_in_the_configuration_is_refused_at_once(tmp_path: Path) -> None:
    """Nine aliases of nine: 387 million values, which the checks used to walk through."""
    lines = ["  - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"  - &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    conf = config()
    del conf["areas"]["town"]["tais"]
    text = yaml.safe_dump(conf)
    text = text.replace(
        "  town:\n", "  town:\n    tais:\n" + "\n".join(f"    {line}" for line in lines) + "\n", 1
    )
    (tmp_path / "bomb.yaml").write_text(text, encoding="utf-8")
    assert yaml.compose(text) is not None  # well-formed YAML: only its size is wrong
    refused = serve(tmp_path / "pcf.db", tmp_path / "bomb.yaml", timeout=30)
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and len(refused.stderr) < 300
    assert "alias" in refused.stderr
