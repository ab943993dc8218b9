"""The gateway's service and domain in-process, with a PCF double where N30 cannot be steered.

The stub PCF always negotiates BdtNotification_5G; what the gateway does with a PCF that
does not (DELETE ends the subscription locally), or when a warning lands while the AF's
selection is on its way to the PCF, is shown here with a scripted ``PolicyControl``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from nef_gateway.domain import (
    Change,
    ConfiguredGroups,
    PolicyState,
    RequestError,
    TransferRequest,
    bdt_document,
    ex_notification,
    northbound_pointer,
    transfer_request,
)
from nef_gateway.service import BdtSubscriptions, NotAuthorized, SubscriptionNotFound
from nef_gateway.storage import SqliteStore
from nf_common.bitrate import bandwidth
from tests.dates import future_day, window

DAY = future_day()
W1 = window(DAY + timedelta(hours=1), DAY + timedelta(hours=3))
W2 = window(DAY + timedelta(hours=4), DAY + timedelta(hours=6))
W3 = window(DAY + timedelta(hours=7), DAY + timedelta(hours=9))


def offer(number: int, time_window: dict[str, str]) -> dict[str, Any]:
    return {"transPolicyId": number, "recTimeInt": time_window, "ratingGroup": 1,
            "maxBitRateDl": "12.5 Mbps"}  # fmt: skip


@dataclass
class FakePcf:
    features: str | None = "7"
    calls: list[tuple[str, Any]] = field(default_factory=list)
    candidates: tuple[dict[str, Any], ...] = (offer(1, W1), offer(2, W2))
    selected: int | None = None
    during_select: Callable[[], None] = lambda: None

    def _state(self) -> PolicyState:
        return PolicyState("p-1", "ref-1", self.candidates, self.selected, self.features)

    def create(self, request: TransferRequest, notification_uri: str) -> PolicyState:
        self.calls.append(("create", notification_uri))
        return self._state()

    def get(self, policy_id: str) -> PolicyState:
        self.calls.append(("get", policy_id))
        return self._state()

    def select(self, policy_id: str, transfer_policy_id: int) -> PolicyState | None:
        self.calls.append(("select", transfer_policy_id))
        if transfer_policy_id == 0:
            return None
        self.selected = transfer_policy_id
        answer = self._state()
        self.during_select()
        return answer

    def switch_warnings(self, policy_id: str, enabled: bool) -> PolicyState:
        self.calls.append(("warnings", enabled))
        return self._state()


def service(tmp_path: Path, pcf: FakePcf, **options: Any) -> BdtSubscriptions:
    store = SqliteStore(tmp_path / "gw.db")
    return BdtSubscriptions(store.unit_of_work, pcf, lambda sid: f"http://nef/cb/{sid}", **options)


def request(**extra: Any) -> TransferRequest:
    body = {"volumePerUE": {"totalVolume": 10}, "numberOfUEs": 1, "desiredTimeWindow": W1}
    return transfer_request("af-1", {**body, **extra}, ConfiguredGroups())


def test_delete_without_bdt_notification_5g_ends_the_subscription_locally(
    tmp_path: Path,
) -> None:
    pcf = FakePcf(features="6")  # no feature 1: N30 has no way to remove the policy
    subscriptions = service(tmp_path, pcf)
    created = subscriptions.create("af-1", request())
    assert not created.removable
    subscriptions.delete("af-1", created.subscription_id)
    assert [call for call, _ in pcf.calls] == ["create"]  # nothing sent to the PCF
    with pytest.raises(SubscriptionNotFound):
        subscriptions.stored("af-1", created.subscription_id)


def test_delete_with_it_removes_the_policy(tmp_path: Path) -> None:
    pcf = FakePcf(features="7")
    subscriptions = service(tmp_path, pcf)
    created = subscriptions.create("af-1", request())
    assert created.removable
    subscriptions.delete("af-1", created.subscription_id)
    assert pcf.calls[-1] == ("select", 0)


def test_none_acceptable_ends_a_removable_subscription(tmp_path: Path) -> None:
    pcf = FakePcf()
    subscriptions = service(tmp_path, pcf)
    created = subscriptions.create("af-1", request())
    assert subscriptions.change("af-1", created.subscription_id, Change(selected=0)) is None
    assert subscriptions.list("af-1") == []


def test_a_warning_during_a_selection_leaves_the_pcfs_latest_state(tmp_path: Path) -> None:
    """The PCF processed the selection, then warned: the warning must not be overwritten."""
    pcf = FakePcf()
    subscriptions = service(tmp_path, pcf)
    created = subscriptions.create("af-1", request(notificationDestination="http://af/w"))
    sid = created.subscription_id

    def warned_meanwhile() -> None:
        # The PCF accepts the selection, then degrades and warns before the NEF writes.
        pcf.candidates, pcf.selected = (offer(3, W3),), None
        subscriptions.pcf_notification(sid, {"bdtRefId": "ref-1", "candPolicies": [offer(3, W3)]})

    pcf.during_select = warned_meanwhile
    result = subscriptions.change("af-1", sid, Change(selected=2))
    assert result is not None
    assert (result.selected, result.valid) == (None, False)
    assert result.offered_ids == (3,)
    assert ("get", "p-1") in pcf.calls  # the PCF was asked again


def test_only_allowed_afs_and_their_own_subscriptions(tmp_path: Path) -> None:
    subscriptions = service(tmp_path, FakePcf(), allowed_afs=frozenset({"af-1", "af-2"}))
    created = subscriptions.create("af-1", request())
    with pytest.raises(NotAuthorized):
        subscriptions.create("af-3", request())
    with pytest.raises(SubscriptionNotFound):
        subscriptions.get("af-2", created.subscription_id)
    assert subscriptions.get("af-1", created.subscription_id).subscription_id == (
        created.subscription_id
    )


def test_warnings_are_queued_only_for_afs_that_asked(tmp_path: Path) -> None:
    woken: list[int] = []
    store = SqliteStore(tmp_path / "gw.db")
    subscriptions = BdtSubscriptions(
        store.unit_of_work, FakePcf(), lambda sid: sid, outbox_written=lambda: woken.append(1)
    )
    asked = subscriptions.create(
        "af-1", request(notificationDestination="http://af/w", warnNotifEnabled=True)
    )
    silent = subscriptions.create("af-1", request(notificationDestination="http://af/w"))
    note = {"bdtRefId": "ref-1", "candPolicies": [offer(3, W3)], "timeWindow": W1}
    assert subscriptions.pcf_notification(asked.subscription_id, note)
    assert subscriptions.pcf_notification(silent.subscription_id, note)
    assert not subscriptions.pcf_notification("unknown", note)
    with store.unit_of_work(write=False) as uow:
        rows = uow.outbox.rows()
        assert len(uow.notifications.of(silent.subscription_id)) == 1
    assert [(row["subscriptionId"], row["uri"]) for row in rows] == [
        (asked.subscription_id, "http://af/w")
    ]
    assert woken == [1]
    for sid in (asked.subscription_id, silent.subscription_id):
        stored = subscriptions.stored("af-1", sid)
        assert (stored.valid, stored.selected, stored.offered_ids) == (False, None, (3,))


def test_the_translation_table() -> None:
    """Each row of the README's table, as the domain module implements it."""
    assert bandwidth("12.5 Mbps") == 12_500_000
    assert bandwidth("740.741 Kbps") == 740_741
    assert bandwidth("1 bps") == 1
    groups = ConfiguredGroups({"g@af": "1234ABCD-001-01-00"})
    body = {
        "aspId": "asp",
        "volumePerUE": {"downlinkVolume": 5},
        "numberOfUEs": 3,
        "desiredTimeWindow": W1,
        "locationArea5G": {"nwAreaInfo": {"tais": [{"plmnId": {"mcc": "001", "mnc": "01"},
                                                    "tac": "0001"}]}},
        "externalGroupId": "g@af",
        "notificationDestination": "https://af/w",
        "warnNotifEnabled": True,
    }  # fmt: skip
    translated = transfer_request("af-1", body, groups)
    assert (translated.asp_id, translated.number_of_ues) == ("asp", 3)
    assert translated.volume_per_ue == {"downlinkVolume": 5}
    assert translated.desired_window == W1
    assert translated.nw_area_info == body["locationArea5G"]["nwAreaInfo"]
    assert translated.internal_group_id == "1234ABCD-001-01-00"
    assert (translated.warnings, translated.notification_destination) == (True, "https://af/w")
    note = ex_notification({"bdtRefId": "r", "candPolicies": [offer(2, W2)],
                            "nwAreaInfo": {"tais": []}, "timeWindow": W1})  # fmt: skip
    assert note == {
        "bdtRefId": "r",
        "locationArea5G": {"nwAreaInfo": {"tais": []}},
        "timeWindow": W1,
        "candPolicies": [{"bdtPolicyId": 2, "ratingGroup": 1, "timeWindow": W2,
                          "maxDownlinkBandwidth": 12_500_000}],
    }  # fmt: skip
    assert northbound_pointer("/desTimeInt/startTime") == "/desiredTimeWindow/startTime"
    assert northbound_pointer("/nwAreaInfo/tais/0/tac") == "/locationArea5G/nwAreaInfo/tais/0/tac"
    assert northbound_pointer("/interGroupId") == "/externalGroupId"
    assert northbound_pointer("/bdtPolData/selTransPolicyId") == "/selectedPolicy"
    with pytest.raises(RequestError) as refused:
        transfer_request("af-1", {**body, "externalGroupId": "other@af"}, groups)
    assert refused.value.pointer == "/externalGroupId"


def test_the_representation_echoes_the_request_and_adds_the_answer(tmp_path: Path) -> None:
    subscriptions = service(tmp_path, FakePcf())
    created = subscriptions.create("af-1", request(aspId="asp"))
    document = bdt_document(created, "http://nef/x")
    assert document == {
        "self": "http://nef/x",
        "aspId": "asp",
        "volumePerUE": {"totalVolume": 10},
        "numberOfUEs": 1,
        "desiredTimeWindow": W1,
        "referenceId": "ref-1",
        "transferPolicies": [
            {"bdtPolicyId": 1, "ratingGroup": 1, "timeWindow": W1,
             "maxDownlinkBandwidth": 12_500_000},
            {"bdtPolicyId": 2, "ratingGroup": 1, "timeWindow": W2,
             "maxDownlinkBandwidth": 12_500_000},
        ],
    }  # fmt: skip
