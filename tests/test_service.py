from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from pcf_server.service import (
    BdtPolicyControl,
    EquivalentPolicyExists,
    InvalidSelection,
    PolicyNotFound,
    PolicyPatch,
)
from pcf_server.storage import SqliteStore
from pcf_server.wire import DocumentError
from pcf_server.wire.bdt import create_command
from tests.dates import TUESDAY, future_day, window
from tests.even_split import EvenSplitDecider

DAY = future_day(TUESDAY)
NOW = DAY - timedelta(hours=12)  # the service's clock: the day before the requests
REQUEST = {
    "aspId": "asp",
    "desTimeInt": window(DAY + timedelta(hours=1), DAY + timedelta(hours=5)),
    "numOfUes": 10,
    "volPerUe": {"downlinkVolume": 450_000_000, "uplinkVolume": 9_000_000},
}


@pytest.fixture
def service(tmp_path: Path) -> BdtPolicyControl:
    store = SqliteStore(tmp_path / "s.db")
    return BdtPolicyControl(store.unit_of_work, EvenSplitDecider(), clock=lambda: NOW)


def test_create_offers_ids_from_one_with_rates_per_direction(service: BdtPolicyControl) -> None:
    policy = service.create(create_command(REQUEST))
    assert policy.offered_ids == (1, 2, 3)
    whole = policy.transfer_policies[0]
    # 10 UEs x 450 MB over 4 h = 2.5 Mbit/s downlink, 50 kbit/s uplink.
    assert whole.max_bitrate_dl == pytest.approx(2.5e6)
    assert whole.max_bitrate_ul == pytest.approx(5e4)
    assert service.get(policy.policy_id) == policy


WITH_NOTIFICATIONS = {**REQUEST, "suppFeat": "1", "notifUri": "http://nef.example/bdt"}


def test_select_and_switch_warnings(service: BdtPolicyControl) -> None:
    policy = service.create(create_command(WITH_NOTIFICATIONS))
    assert policy.supported_features == "1"
    updated = service.update(policy.policy_id, PolicyPatch(selected_id=3, warn_notif_req=True))
    assert updated is not None and updated.selected_id == 3
    assert updated.request_document["warnNotifReq"] is True
    stored = service.get(policy.policy_id)
    assert stored.selected_id == 3 and stored.request.warn_notif_req is True


def test_selecting_what_was_not_offered_is_refused(service: BdtPolicyControl) -> None:
    policy = service.create(create_command(REQUEST))
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
        "desTimeInt": window(DAY + timedelta(hours=5), DAY + timedelta(hours=1)),
    }
    with pytest.raises(DocumentError):
        service.create(create_command(bad))


def test_without_bdt_notification_5g_notification_fields_are_off(service: BdtPolicyControl):
    asked = {**REQUEST, "warnNotifReq": True, "notifUri": "http://nef.example/bdt"}
    policy = service.create(create_command(asked))
    # No suppFeat: no optional feature, and none echoed (TS 29.500 clause 6.6.2).
    assert policy.supported_features is None
    assert policy.request.warn_notif_req is False and policy.request.notif_uri is None
    assert policy.request_document == asked  # the raw request is still echoed
    stored = service.get(policy.policy_id)
    assert stored.request.warn_notif_req is False and stored.request.notif_uri is None
    # A later switch is ignored, not applied.
    service.update(policy.policy_id, PolicyPatch(warn_notif_req=True))
    assert service.get(policy.policy_id).request.warn_notif_req is False


def test_supported_features_are_the_intersection(service: BdtPolicyControl) -> None:
    # Bits 1, 2, 3 are ours; 5 and 8 are unknown to this PCF.
    policy = service.create(create_command({**WITH_NOTIFICATIONS, "suppFeat": "097"}))
    assert policy.supported_features == "7"
    without = service.create(create_command({**REQUEST, "suppFeat": "6"}))
    assert without.supported_features == "6"
    assert without.request.warn_notif_req is False


def test_bdt_notification_5g_needs_a_notif_uri(service: BdtPolicyControl) -> None:
    with pytest.raises(DocumentError) as caught:
        service.create(create_command({**REQUEST, "suppFeat": "1"}))
    assert caught.value.pointer == "/notifUri" and caught.value.missing


def test_selecting_zero_with_notifications_removes_the_policy(service: BdtPolicyControl):
    policy = service.create(create_command(WITH_NOTIFICATIONS))
    assert service.update(policy.policy_id, PolicyPatch(selected_id=0)) is None
    with pytest.raises(PolicyNotFound):
        service.get(policy.policy_id)
    # The request no longer has an equivalent: it creates a new policy.
    assert service.create(create_command(WITH_NOTIFICATIONS)).policy_id != policy.policy_id


def test_selecting_zero_without_notifications_is_not_offered(service: BdtPolicyControl):
    policy = service.create(create_command(REQUEST))
    with pytest.raises(InvalidSelection):
        service.update(policy.policy_id, PolicyPatch(selected_id=0))
    assert service.get(policy.policy_id).selected_id is None


def test_equivalent_request_names_the_existing_policy(service: BdtPolicyControl) -> None:
    first = service.create(create_command(REQUEST))
    same_instants = {
        "volPerUe": REQUEST["volPerUe"],
        "numOfUes": 10,
        "desTimeInt": {
            "startTime": f"{DAY:%Y-%m-%d}T02:00:00+01:00",
            "stopTime": f"{DAY:%Y-%m-%d}T05:00:00.000Z",
        },
        "aspId": "asp",
        "warnNotifReq": False,
    }
    with pytest.raises(EquivalentPolicyExists) as caught:
        service.create(create_command(same_instants))
    assert caught.value.policy_id == first.policy_id


@pytest.mark.parametrize(
    "change",
    [
        {"numOfUes": 11},
        {"aspId": "other"},
        {"suppFeat": "0"},
        {"dnn": "internet"},
        {"desTimeInt": window(DAY + timedelta(hours=1, seconds=1), DAY + timedelta(hours=5))},
    ],
)
def test_different_requests_are_not_equivalent(service: BdtPolicyControl, change) -> None:
    first = service.create(create_command(REQUEST))
    assert service.create(create_command({**REQUEST, **change})).policy_id != first.policy_id


def test_feature_strings_are_compared_as_bits(service: BdtPolicyControl) -> None:
    first = service.create(create_command({**WITH_NOTIFICATIONS, "suppFeat": "1"}))
    with pytest.raises(EquivalentPolicyExists):
        service.create(create_command({**WITH_NOTIFICATIONS, "suppFeat": "0001"}))
    assert first.supported_features == "1"


def test_number_of_ues_must_be_positive(service: BdtPolicyControl) -> None:
    for ues in (0, -1, 2**63):
        with pytest.raises(DocumentError) as caught:
            service.create(create_command({**REQUEST, "numOfUes": ues}))
        assert caught.value.pointer == "/numOfUes"


NEF_A = "6f1c7d2e-0000-4000-8000-00000000000a"
NEF_B = "6f1c7d2e-0000-4000-8000-00000000000b"


def test_a_consumer_sees_and_changes_only_its_own_policies(service: BdtPolicyControl) -> None:
    policy = service.create(create_command(WITH_NOTIFICATIONS, NEF_A))
    assert policy.consumer == NEF_A
    assert service.get(policy.policy_id, consumer=NEF_A) == policy
    for other in (NEF_B, ""):  # another NEF, or a request without a token
        with pytest.raises(PolicyNotFound):
            service.get(policy.policy_id, consumer=other)
        with pytest.raises(PolicyNotFound):
            service.update(policy.policy_id, PolicyPatch(selected_id=0), consumer=other)
        with pytest.raises(PolicyNotFound):
            service.update(policy.policy_id, PolicyPatch(warn_notif_req=True), consumer=other)
    # Untouched: neither removed ("none acceptable") nor switched.
    kept = service.get(policy.policy_id, consumer=NEF_A)
    assert kept.offered_ids == policy.offered_ids and kept.request.warn_notif_req is False


def test_equivalence_is_judged_within_one_consumer(service: BdtPolicyControl) -> None:
    first = service.create(create_command(REQUEST, NEF_A))
    with pytest.raises(EquivalentPolicyExists) as again:
        service.create(create_command(REQUEST, NEF_A))
    assert again.value.policy_id == first.policy_id
    # The same request of another NEF is its own policy, not a 303 to NEF A's.
    other = service.create(create_command(REQUEST, NEF_B))
    assert other.policy_id != first.policy_id and other.consumer == NEF_B
    without_token = service.create(create_command(REQUEST))
    assert without_token.policy_id not in {first.policy_id, other.policy_id}
