from __future__ import annotations

from pathlib import Path

import pytest

from pcf_server.policy.decision import EvenSplitDecider
from pcf_server.service import BdtPolicyControl, InvalidSelection, PolicyNotFound, PolicyPatch
from pcf_server.storage import SqliteStore
from pcf_server.wire import DocumentError

REQUEST = {
    "aspId": "asp",
    "desTimeInt": {"startTime": "2026-12-01T01:00:00Z", "stopTime": "2026-12-01T05:00:00Z"},
    "numOfUes": 10,
    "volPerUe": {"downlinkVolume": 450_000_000, "uplinkVolume": 9_000_000},
}


@pytest.fixture
def service(tmp_path: Path) -> BdtPolicyControl:
    return BdtPolicyControl(SqliteStore(tmp_path / "s.db").unit_of_work, EvenSplitDecider())


def test_create_offers_ids_from_one_with_rates_per_direction(service: BdtPolicyControl) -> None:
    policy = service.create(REQUEST)
    assert policy.offered_ids == (1, 2, 3)
    whole = policy.transfer_policies[0]
    # 10 UEs x 450 MB over 4 h = 2.5 Mbit/s downlink, 50 kbit/s uplink.
    assert whole.max_bitrate_dl == pytest.approx(2.5e6)
    assert whole.max_bitrate_ul == pytest.approx(5e4)
    assert service.get(policy.policy_id) == policy


def test_select_and_switch_warnings(service: BdtPolicyControl) -> None:
    policy = service.create(REQUEST)
    updated = service.update(policy.policy_id, PolicyPatch(selected_id=3, warn_notif_req=True))
    assert updated.selected_id == 3
    assert updated.request_document["warnNotifReq"] is True
    stored = service.get(policy.policy_id)
    assert stored.selected_id == 3 and stored.request.warn_notif_req is True


def test_selecting_what_was_not_offered_is_refused(service: BdtPolicyControl) -> None:
    policy = service.create(REQUEST)
    with pytest.raises(InvalidSelection) as caught:
        service.update(policy.policy_id, PolicyPatch(selected_id=9))
    assert caught.value.pointer == "/bdtPolData/selTransPolicyId"
    assert service.get(policy.policy_id).selected_id is None


def test_unknown_policy(service: BdtPolicyControl) -> None:
    with pytest.raises(PolicyNotFound):
        service.get("nope")
    with pytest.raises(PolicyNotFound):
        service.update("nope", PolicyPatch(selected_id=1))


def test_inverted_window_is_refused(service: BdtPolicyControl) -> None:
    bad = {
        **REQUEST,
        "desTimeInt": {"startTime": "2026-12-01T05:00:00Z", "stopTime": "2026-12-01T01:00:00Z"},
    }
    with pytest.raises(DocumentError):
        service.create(bad)
