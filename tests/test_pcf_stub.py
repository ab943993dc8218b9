"""The stub PCF and the pytest plugin: reset, faults, journal, the operator API."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from nef_client import Client, PolicyResult
from nef_client.testing import NotificationSink, PcfStub, PcfStubError, start_pcf_stub
from tests.dates import SATURDAY, future_day

START = future_day(SATURDAY) + timedelta(hours=1)
WINDOW = (START, START + timedelta(hours=6))

# Set by part 1, read by part 2: a policy created in one test must not be seen by the next.
_CARRIED: dict[str, str] = {}


def test_plugin_is_registered_through_the_entry_point(pytestconfig: pytest.Config) -> None:
    plugin = pytestconfig.pluginmanager.get_plugin("nef_client")
    assert plugin is not None and plugin.__name__ == "nef_client.pytest_plugin"


def test_each_test_gets_an_empty_store_part_1(pcf_stub: PcfStub) -> None:
    with Client(pcf_stub.url) as client:
        created = client.create("a", volume_per_ue=1, number_of_ues=1, desired_window=WINDOW)
    _CARRIED["policy_id"] = created.policy_id
    pcf_stub.fail_next(3, status=500)  # left pending on purpose


def test_each_test_gets_an_empty_store_part_2(pcf_stub: PcfStub) -> None:
    policy_id = _CARRIED.get("policy_id")
    if policy_id is None:
        pytest.skip("runs after part 1 only")
    assert pcf_stub.requests() == []
    response = httpx.get(f"{pcf_stub.url}/bdtpolicies/{policy_id}")
    assert response.status_code == 404  # the policy of part 1 is gone, and no fault is left


def test_fault_body_and_headers_follow_ts_29500(pcf_stub: PcfStub) -> None:
    pcf_stub.fail_next(1, status=503, cause="NF_CONGESTION", retry_after=3)
    response = httpx.get(f"{pcf_stub.url}/bdtpolicies/x")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "3"
    assert response.json()["cause"] == "NF_CONGESTION"
    assert httpx.get(f"{pcf_stub.url}/bdtpolicies/x").status_code == 404  # only one


def test_fault_filtered_by_method(pcf_stub: PcfStub) -> None:
    pcf_stub.fail_next(1, status=500, method="PATCH")
    assert httpx.get(f"{pcf_stub.url}/bdtpolicies/x").status_code == 404
    patched = httpx.patch(
        f"{pcf_stub.url}/bdtpolicies/x",
        content=b"{}",
        headers={"content-type": "application/merge-patch+json"},
    )
    assert patched.status_code == 500


def test_invalid_fault_is_refused(pcf_stub: PcfStub) -> None:
    with pytest.raises(PcfStubError, match="location"):
        pcf_stub.fail_next(1, status=307)


def test_journal_records_bodies_headers_and_clears(pcf_stub: PcfStub) -> None:
    httpx.post(f"{pcf_stub.url}/bdtpolicies", json={"aspId": "x"}, headers={"x-test": "1"})
    (entry,) = pcf_stub.requests()
    assert (entry.method, entry.path, entry.status) == (
        "POST",
        "/npcf-bdtpolicycontrol/v1/bdtpolicies",
        400,
    )
    assert entry.body == {"aspId": "x"}
    assert entry.headers["x-test"] == "1"
    assert entry.http_version == "1.1"
    pcf_stub.clear_requests()
    assert pcf_stub.requests() == []


def test_stub_admin_is_absent_without_the_flag(tmp_path: object) -> None:
    from tests.server_process import running_pcf

    with running_pcf(tmp_path / "plain.db") as (url, _):  # type: ignore[operator]
        root = url.rsplit("/npcf-bdtpolicycontrol", 1)[0]
        assert httpx.get(f"{root}/pcf-bdt-admin/v1/requests").status_code == 404


def test_set_capacity_and_areas(pcf_stub: PcfStub) -> None:
    pcf_stub.set_capacity("suburbs", downlink="1 Gbps", uplink="100 Mbps")
    areas = {area["areaId"]: area for area in pcf_stub.areas()}
    assert set(areas) == {"metro", "suburbs"}
    assert areas["suburbs"]["capacity"] == {"downlink": "1 Gbps", "uplink": "100 Mbps"}
    with pytest.raises(PcfStubError, match="AREA_NOT_FOUND"):
        pcf_stub.set_capacity("nowhere", downlink="1 Gbps", uplink="1 Gbps")


def test_infinite_capacity_is_refused(pcf_stub: PcfStub) -> None:
    """400 digits match the BitRate pattern but parse to infinity: refused, not stored."""
    configured = {a["areaId"]: a["capacity"] for a in pcf_stub.areas()}
    endless = "9" * 400 + " Tbps"
    response = httpx.put(
        f"{pcf_stub.admin_root}/pcf-bdt-admin/v1/areas/metro/capacity",
        json={"downlink": endless, "uplink": "100 Mbps"},
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["cause"] == "MANDATORY_IE_INCORRECT"
    assert [p["param"] for p in problem["invalidParams"]] == ["/downlink"]
    both = httpx.put(
        f"{pcf_stub.admin_root}/pcf-bdt-admin/v1/areas/metro/capacity",
        json={"downlink": endless, "uplink": endless},
    )
    assert [p["param"] for p in both.json()["invalidParams"]] == ["/downlink", "/uplink"]
    assert {a["areaId"]: a["capacity"] for a in pcf_stub.areas()} == configured


def test_reset_forgets_capacity_overrides(pcf_stub: PcfStub) -> None:
    configured = {a["areaId"]: a["capacity"] for a in pcf_stub.areas()}
    pcf_stub.set_capacity("metro", downlink="1 Gbps", uplink="100 Mbps")
    pcf_stub.reset()
    assert {a["areaId"]: a["capacity"] for a in pcf_stub.areas()} == configured


def _create_with_warnings(
    pcf_stub: PcfStub, client: Client, nef_notifications: NotificationSink
) -> PolicyResult:
    """100 UEs x 50 MB with warnings, in a 10 Gbps metro: small next to the capacity."""
    pcf_stub.set_capacity("metro", downlink="10 Gbps", uplink="1 Gbps")
    return client.create(
        "video",
        volume_per_ue=50_000_000,
        number_of_ues=100,
        desired_window=WINDOW,
        notification_uri=nef_notifications.url + "/bdt",
        warnings=True,
    )


def test_degradation_sends_warning_notifications(
    pcf_stub: PcfStub, nef_notifications: NotificationSink
) -> None:
    with Client(pcf_stub.url) as client:
        created = _create_with_warnings(pcf_stub, client, nef_notifications)
        # The shortest candidate, so that the desired window has room outside it.
        shortest = min(created.candidates, key=lambda c: c.rec_time_int.stop_time
                       - c.rec_time_int.start_time)  # fmt: skip
        client.select(created.policy_id, shortest.trans_policy_id)
    broken = (shortest.rec_time_int.start_time, shortest.rec_time_int.stop_time)
    assert broken[1] - broken[0] <= (WINDOW[1] - WINDOW[0]) / 2
    # Exactly the selected window, heavily: the transfer in force no longer fits.
    outcome = pcf_stub.degrade("metro", broken[0], broken[1], factor=0.01)
    assert (outcome["affected"], outcome["notified"]) == ([created.policy_id],) * 2
    (warning,) = nef_notifications.wait(1)
    assert warning.bdt_ref_id == created.bdt_ref_id
    assert warning.cand_policies
    for candidate in warning.cand_policies:
        window = candidate.rec_time_int
        assert window.stop_time <= broken[0] or window.start_time >= broken[1], window
    # New candidates lie in the rest of the desired window.
    assert any(
        WINDOW[0] <= c.rec_time_int.start_time and c.rec_time_int.stop_time <= WINDOW[1]
        for c in warning.cand_policies
    )


def test_mild_degradation_that_still_fits_notifies_nobody(
    tmp_path: Path, nef_notifications: NotificationSink
) -> None:
    """No warning is written, so none is on its way, whenever the test looks.

    A stub of its own, so that the test knows its database: a warning's outbox row is
    deleted only after the NEF acknowledged it, so reading the outbox first and the
    receiver second leaves no moment for a warning to slip between the two.
    """
    with start_pcf_stub(tmp_path) as stub, Client(stub.url) as client:
        created = _create_with_warnings(stub, client, nef_notifications)
        chosen = created.candidates[0].trans_policy_id
        client.select(created.policy_id, chosen)
        # Half the capacity still carries this small transfer (40 Gbit in hours).
        outcome = stub.degrade("metro", WINDOW[0], WINDOW[1], factor=0.5)
        assert (outcome["affected"], outcome["notified"]) == ([], [])
        kept = client.get(created.policy_id)
        (db,) = tmp_path.glob("*.db")
        with closing(sqlite3.connect(db)) as connection:
            assert connection.execute("SELECT count(*) FROM outbox").fetchone() == (0,)
        assert nef_notifications.received == []
    assert kept.selected_id == chosen
    assert kept.candidates == created.candidates


def test_stub_requests_are_validated_against_its_spec(pcf_stub: PcfStub) -> None:
    """The stub's API is described in stub.yaml and routed (and checked) by connexion."""
    faults = f"{pcf_stub.admin_root}/pcf-bdt-admin/v1/faults"
    wrong = httpx.post(faults, json={"status": 200, "count": 0, "colour": "red"})
    assert wrong.status_code == 400
    assert wrong.headers["content-type"] == "application/problem+json"
    params = {entry["param"] for entry in wrong.json()["invalidParams"]}
    assert params == {"/status", "/count", "/colour"}
    assert httpx.get(faults).json() == []  # nothing was added
    assert httpx.put(faults, json={}).status_code == 405
    assert httpx.get(f"{pcf_stub.admin_root}/pcf-bdt-admin/v1/reset").status_code == 405
    # A 3xx without a location passes the schema and is refused by the handler.
    redirect = httpx.post(faults, json={"status": 307})
    assert redirect.status_code == 400
    assert [p["param"] for p in redirect.json()["invalidParams"]] == ["/location"]


_FIXTURE_TEST = """
def test_uses_it({fixture}):
    pass
"""

_BLOCK_MODULE = """
import sys

# As if the extra were not installed: importing {module} fails, find_spec finds nothing.
sys.modules[{module!r}] = None
"""


@pytest.mark.parametrize(
    ("fixture", "module", "extra"),
    [
        ("nef_notifications", "jsonschema", "receiver"),
        ("nef_notifications", "hypercorn", "receiver"),
        ("nrf_stub", "jwt", "server"),
        ("pcf_stub", "granian", "server"),
    ],
)
def test_a_fixture_without_its_extra_says_which_to_install(
    tmp_path: Path, fixture: str, module: str, extra: str
) -> None:
    import subprocess
    import sys

    (tmp_path / "conftest.py").write_text(_BLOCK_MODULE.format(module=module))
    (tmp_path / "test_user.py").write_text(_FIXTURE_TEST.format(fixture=fixture))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", tmp_path],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"pip install 'npcf-bdt[{extra}]'" in result.stdout, result.stdout
    assert f"{module} (the {extra} extra)" in result.stdout
    assert "ModuleNotFoundError" not in result.stdout
    assert "Traceback" not in result.stdout
