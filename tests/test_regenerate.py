"""The one-command regeneration pipeline: idempotent, checkable, and fit for real 3GPP files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from scripts import regenerate
from tests.conftest import RELEASES, REPO, SPECS, official_release
from tests.dates import future_day, window

SCRIPT = REPO / "scripts" / "regenerate.py"


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def test_committed_output_is_up_to_date() -> None:
    result = run_script("--check")
    assert result.returncode == 0, result.stderr


def test_running_twice_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_script("--out", str(out)).returncode == 0
    first = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert run_script("--out", str(out)).returncode == 0
    second = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert first == second
    # The same as what is committed: the output depends on the inputs alone.
    assert regenerate.stale_files(out, REPO / "generated") == []


def test_check_names_stale_missing_and_extra_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(REPO / "generated", out)
    (out / "npcf_bdt_client" / "models" / "tai.py").unlink()
    (out / "npcf_bdt_client" / "leftover.py").write_text("")
    (out / "nnef_bdt_client" / "models" / "bdt_patch.py").unlink()
    with (out / "openapi.yaml").open("a") as handle:
        handle.write("# edited by hand\n")
    result = run_script("--check", "--out", str(out))
    assert result.returncode == 1
    assert "missing: npcf_bdt_client/models/tai.py" in result.stderr
    assert "extra: npcf_bdt_client/leftover.py" in result.stderr
    assert "stale: openapi.yaml" in result.stderr
    assert "missing: nnef_bdt_client/models/bdt_patch.py" in result.stderr


def test_check_sees_a_spec_change(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    root = specs / "TS29554_Npcf_BDTPolicyControl.yaml"
    root.write_text(root.read_text().replace("numOfUes:\n", "numberOfUes:\n"))
    result = run_script("--check", "--specs", str(specs))
    assert result.returncode == 1
    assert "stale: npcf_bdt_client/models/bdt_req_data.py" in result.stderr
    assert "stale: openapi.yaml" in result.stderr
    assert "nnef_bdt_client" not in result.stderr  # 3gpp-bdt does not reach BdtReqData


def test_check_covers_the_northbound_client(tmp_path: Path) -> None:
    """3gpp-bdt has its own package and bundle, and --check watches both."""
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    root = specs / "TS29122_ResourceManagementOfBdt.yaml"
    root.write_text(root.read_text().replace("numberOfUEs:\n", "numberOfUes:\n"))
    result = run_script("--check", "--specs", str(specs))
    assert result.returncode == 1
    assert "stale: nnef_bdt_client/models/bdt.py" in result.stderr
    assert "stale: openapi-3gpp-bdt.yaml" in result.stderr
    assert "npcf_bdt_client" not in result.stderr


NORTHBOUND_ROUND_TRIP = r"""
import json, sys
from nnef_bdt_client.models import Bdt, BdtPatch, ExNotification, Polygon, ProblemDetails
samples = json.loads(sys.argv[1])
models = {"Bdt": Bdt, "BdtPatch": BdtPatch, "ExNotification": ExNotification,
          "ProblemDetails": ProblemDetails}
out = {}
for name, payload in samples.items():
    obj = models[name].from_dict(payload)
    out[name] = {"dict": obj.to_dict(), "extra": sorted(obj.additional_properties)}
shape = Bdt.from_dict(samples["Bdt"]).location_area_5g.geographic_areas[0]
out["shape"] = type(shape).__name__
print(json.dumps(out))
"""


def test_the_northbound_client_round_trips_3gpp_payloads() -> None:
    """Every attribute of Bdt, BdtPatch, ExNotification is a typed field of the client."""
    policy = {
        "bdtPolicyId": 2,
        "timeWindow": WINDOW,
        "ratingGroup": 7,
        "maxDownlinkBandwidth": 12_500_000,
        "maxUplinkBandwidth": 800_000,
    }
    polygon = {
        "shape": "POLYGON",
        "pointList": [
            {"lon": 2.29, "lat": 48.85},
            {"lon": 2.30, "lat": 48.86},
            {"lon": 2.31, "lat": 48.85},
        ],
    }
    area = {
        "geographicAreas": [polygon],
        "civicAddresses": [{"country": "FR", "A1": "IDF"}],
        "nwAreaInfo": AREA,
    }
    payloads = {
        "Bdt": {
            "self": "https://nef.example/3gpp-bdt/v1/af-1/subscriptions/s-1",
            "supportedFeatures": "0",
            "aspId": "asp-1",
            "volumePerUE": {"downlinkVolume": 500_000_000, "duration": 3600},
            "numberOfUEs": 1000,
            "desiredTimeWindow": WINDOW,
            "locationArea": {"trackingAreaIds": ["00101-0001"], "geographicAreas": [polygon]},
            "locationArea5G": area,
            "referenceId": "ref-1",
            "transferPolicies": [policy],
            "selectedPolicy": 2,
            "externalGroupId": "fleet@af.example",
            "notificationDestination": "https://af.example/bdt-warnings",
            "warnNotifEnabled": True,
            "trafficDes": "abc",
        },
        "BdtPatch": {
            "selectedPolicy": 2,
            "warnNotifEnabled": False,
            "notificationDestination": "https://af.example/w",
        },
        "ExNotification": {
            "bdtRefId": "ref-1",
            "locationArea5G": area,
            "timeWindow": WINDOW,
            "candPolicies": [policy],
        },
        "ProblemDetails": {
            "status": 403,
            "cause": "REQUEST_NOT_AUTHORIZED",
            "invalidParams": [{"param": "/aspId"}],
            "supportedFeatures": "0",
        },
    }
    result = subprocess.run(
        [sys.executable, "-c", NORTHBOUND_ROUND_TRIP, json.dumps(payloads)],
        capture_output=True, text=True, cwd=REPO / "generated", check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert got.pop("shape") == "Polygon"
    for name, payload in payloads.items():
        assert got[name]["dict"] == payload, name
        assert got[name]["extra"] == [], name


ROUND_TRIP = r"""
import json, sys
from npcf_bdt_client.models import BdtPolicy, BdtReqData, GlobalRanNodeId, ProblemDetails
samples = json.loads(sys.argv[1])
models = {"BdtReqData": BdtReqData, "BdtPolicy": BdtPolicy, "ProblemDetails": ProblemDetails}
try:
    from npcf_bdt_client.models import Notification
    models["Notification"] = Notification
except ImportError:
    pass
out = {}
for name, payload in samples.items():
    if name not in models:
        continue
    obj = models[name].from_dict(payload)
    out[name] = {"dict": obj.to_dict(), "extra": sorted(obj.additional_properties)}
node = BdtReqData.from_dict(samples["BdtReqData"]).nw_area_info.g_ran_node_ids[0]
out["node"] = [type(node).__name__, type(node.g_nb_id).__name__]
print(json.dumps(out))
"""

START = future_day()
WINDOW = window(START + timedelta(hours=1), START + timedelta(hours=5, minutes=30))
AREA = {
    "tais": [{"plmnId": {"mcc": "001", "mnc": "01"}, "tac": "0A1B"}],
    "ncgis": [{"plmnId": {"mcc": "001", "mnc": "001"}, "nrCellId": "0000000A1"}],
    "ecgis": [{"plmnId": {"mcc": "001", "mnc": "01"}, "eutraCellId": "00000B1"}],
    "gRanNodeIds": [
        {"plmnId": {"mcc": "001", "mnc": "01"}, "gNbId": {"bitLength": 24, "gNBValue": "00A1B2"}},
        {"plmnId": {"mcc": "001", "mnc": "01"}, "n3IwfId": "0F"},
    ],
}
POLICY = {
    "transPolicyId": 2,
    "recTimeInt": WINDOW,
    "ratingGroup": 7,
    "maxBitRateDl": "12.5 Mbps",
    "maxBitRateUl": "800 Kbps",
}


def samples(release: str) -> dict[str, dict[str, object]]:
    req: dict[str, object] = {
        "aspId": "asp-1",
        "desTimeInt": WINDOW,
        "numOfUes": 1000,
        "volPerUe": {"downlinkVolume": 500000000, "uplinkVolume": 1000, "duration": 3600},
        "nwAreaInfo": AREA,
        "suppFeat": "1",
    }
    if release != "Rel-15":
        req |= {
            "dnn": "internet",
            "snssai": {"sst": 1, "sd": "A1B2C3"},
            "notifUri": "http://nef.example/bdt/notify",
            "warnNotifReq": True,
            "interGroupId": "1234ABCD-001-01-00",
            "trafficDes": "abc",
        }
    result: dict[str, dict[str, object]] = {
        "BdtReqData": req,
        "BdtPolicy": {
            "bdtReqData": req,
            "bdtPolData": {
                "bdtRefId": "ref-1",
                "transfPolicies": [POLICY],
                "selTransPolicyId": 2,
                "suppFeat": "1",
            },
        },
        "ProblemDetails": {
            "type": "urn:x",
            "title": "Bad Request",
            "status": 400,
            "detail": "d",
            "cause": "MANDATORY_IE_INCORRECT",
            "invalidParams": [{"param": "/numOfUes", "reason": "r"}],
            "supportedFeatures": "3",
        },
    }
    if release != "Rel-15":
        result["Notification"] = {
            "bdtRefId": "ref-1",
            "candPolicies": [POLICY],
            "nwAreaInfo": AREA,
            "timeWindow": WINDOW,
        }
    return result


@pytest.mark.slow
@pytest.mark.parametrize("release", RELEASES)
def test_official_release_regenerates_and_round_trips(release: str, tmp_path: Path) -> None:
    folder = official_release(release)
    log = regenerate.build(folder, tmp_path)  # raises on any generator warning
    assert "warning" not in log.lower(), log
    payloads = samples(release)
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", ROUND_TRIP, json.dumps(payloads)],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    expected = {"BdtReqData", "BdtPolicy", "ProblemDetails"} | (
        set() if release == "Rel-15" else {"Notification"}
    )
    assert got.pop("node") == ["GlobalRanNodeId", "GNbId"]  # a typed model, not list[Any]
    assert set(got) == expected
    for name in expected:
        assert got[name]["dict"] == payloads[name], name
        # Every attribute was understood as a typed field, none fell into the extras.
        assert got[name]["extra"] == [], name
