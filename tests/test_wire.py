from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any

import pytest

from pcf_server import wire
from pcf_server.policy.model import BdtPolicy, TimeWindow, TransferPolicy
from tests.dates import future_day, window

DAY = future_day()
DATE = f"{DAY:%Y-%m-%d}"


@pytest.mark.parametrize(
    ("bps", "text"),
    [
        (0, "0 bps"),
        (999, "999 bps"),
        (1000, "1 Kbps"),
        (12_500_000, "12.5 Mbps"),
        (5555.5555, "5.556 Kbps"),
        (3e12, "3 Tbps"),
        (2.5e15, "2500 Tbps"),
    ],
)
def test_bitrate_format(bps: float, text: str) -> None:
    assert wire.format_bitrate(bps) == text
    assert wire.parse_bitrate(text) == pytest.approx(bps, rel=1e-3)


def test_bitrate_strings_match_the_3gpp_pattern() -> None:
    import re

    pattern = re.compile(r"^\d+(\.\d+)? (bps|Kbps|Mbps|Gbps|Tbps)$")
    for value in (0.001, 1, 999.9999, 1e3, 123456789.123, 1e20):
        assert pattern.match(wire.format_bitrate(value)), value


def test_parse_bitrate_rejects_other_shapes() -> None:
    for text in ("12.5Mbps", "12.5 mbps", "-1 bps", "1e3 bps"):
        with pytest.raises(ValueError):
            wire.parse_bitrate(text)


def test_datetimes_need_an_offset_and_come_back_in_utc() -> None:
    with pytest.raises(wire.DocumentError) as caught:
        wire.parse_datetime(f"{DATE}T01:00:00", "/desTimeInt/startTime")
    assert caught.value.pointer == "/desTimeInt/startTime"
    value = wire.parse_datetime(f"{DATE}T02:00:00+01:00", "/x")
    assert wire.format_datetime(value) == f"{DATE}T01:00:00Z"


def test_window_must_end_after_it_starts() -> None:
    with pytest.raises(wire.DocumentError) as caught:
        wire.window_from_document(
            {"startTime": f"{DATE}T05:00:00Z", "stopTime": f"{DATE}T05:00:00Z"},
            "/desTimeInt",
        )
    assert caught.value.pointer == "/desTimeInt/stopTime"


def test_policy_documents_round_trip() -> None:
    start = DAY + timedelta(hours=1)
    request_doc = {
        "aspId": "a",
        "desTimeInt": window(start, start + timedelta(hours=4)),
        "numOfUes": 3,
        "volPerUe": {"totalVolume": 10},
        "warnNotifReq": True,
        "suppFeat": "1",
        "notifUri": "http://nef.example/n",
    }
    policy = BdtPolicy(
        policy_id="p",
        bdt_ref_id="r",
        request=wire.request_from_document(request_doc),
        request_document=request_doc,
        transfer_policies=(
            TransferPolicy(1, TimeWindow(start, start + timedelta(hours=1)), 5, 1e6, None),
            TransferPolicy(2, TimeWindow(start, start + timedelta(hours=2)), 6, None, 2e3),
        ),
        selected_id=2,
        supported_features="1",
        version=4,
    )
    data = wire.policy_data_to_document(policy)
    assert data["transfPolicies"][0]["maxBitRateDl"] == "1 Mbps"
    assert "maxBitRateUl" not in data["transfPolicies"][0]
    again = wire.policy_from_documents("p", request_doc, data, 4)
    assert again == policy
    assert again.request.warn_notif_req is True
    assert again.request.desired_window.start.tzinfo is not None
    offset = timezone(timedelta(hours=2))
    assert again.request.desired_window.start == start.astimezone(offset)


@pytest.mark.parametrize(
    ("body", "selected", "warn", "where"),
    [
        # Rel-16 V16.6 .. Rel-18 PatchBdtPolicy (and Rel-15 V15.6 without bdtReqData)
        ({"bdtPolData": {"selTransPolicyId": 2}}, 2, None, "/bdtPolData/selTransPolicyId"),
        ({"bdtReqData": {"warnNotifReq": False}}, None, False, "/bdtPolData/selTransPolicyId"),
        (
            {"bdtPolData": {"selTransPolicyId": 1}, "bdtReqData": {"warnNotifReq": True}},
            1,
            True,
            "/bdtPolData/selTransPolicyId",
        ),
        # Rel-15 V15.2-15.5 and Rel-16 V16.0-16.5 bare BdtPolicyDataPatch
        ({"selTransPolicyId": 3}, 3, None, "/selTransPolicyId"),
        ({"selTransPolicyId": 3, "warnNotifReq": True}, 3, True, "/selTransPolicyId"),
        # RFC 7396: null removes warnNotifReq, whose default is false (both shapes)
        ({"bdtReqData": {"warnNotifReq": None}}, None, False, "/bdtPolData/selTransPolicyId"),
        ({"selTransPolicyId": 3, "warnNotifReq": None}, 3, False, "/selTransPolicyId"),
        ({}, None, None, "/bdtPolData/selTransPolicyId"),
    ],
)
def test_update_bodies_of_every_release(body, selected, warn, where) -> None:
    fields = wire.update_from_document(body)
    assert (fields.selected_id, fields.warn_notif_req, fields.selection_pointer) == (
        selected,
        warn,
        where,
    )


def test_bare_update_reports_every_bad_member() -> None:
    with pytest.raises(wire.DocumentError) as caught:
        wire.update_from_document({"selTransPolicyId": True, "warnNotifReq": "yes"})
    found = [(e.pointer, e.optional) for e in caught.value.all]
    assert found == [("/selTransPolicyId", False), ("/warnNotifReq", True)]


def test_nwdaf_event_period_errors_name_start_and_expiry() -> None:
    """The event's period is start..expiry: an error names those, not a stopTime."""
    event = {
        "event": "NETWORK_PERFORMANCE",
        "start": f"{DATE}T03:00:00Z",
        "expiry": f"{DATE}T01:00:00Z",
        "nwPerfs": [
            {
                "networkArea": {"tais": [{"plmnId": {"mcc": "001", "mnc": "01"}, "tac": "0001"}]},
                "nwPerfType": "GNB_ACTIVE_RATIO",
                "relativeRatio": 30,
            }
        ],
    }
    notification = {"subscriptionId": "s", "eventNotifications": [{"event": "NF_LOAD"}, event]}
    with pytest.raises(wire.DocumentError) as caught:
        wire.network_performance_from_notifications([notification])
    assert caught.value.pointer == "/0/eventNotifications/1/expiry"
    event["start"] = f"{DATE}T01:00:00"  # no offset
    with pytest.raises(wire.DocumentError) as caught:
        wire.network_performance_from_notifications([notification])
    assert caught.value.pointer == "/0/eventNotifications/1/start"
    event["start"] = f"{DATE}T00:00:00Z"
    (report,) = wire.network_performance_from_notifications([notification])
    assert report.window == TimeWindow(DAY, DAY + timedelta(hours=1))


@pytest.mark.parametrize(
    ("body", "where", "reason"),
    [
        # draft 4 integers, in both shapes: 2.0 is not one
        ({"selTransPolicyId": 2.0}, "/selTransPolicyId", "not an integer"),
        ({"bdtPolData": {"selTransPolicyId": 2.0}}, "/bdtPolData/selTransPolicyId", "integer"),
        # null would remove the mandatory selection
        ({"selTransPolicyId": None}, "/selTransPolicyId", "cannot be removed"),
        ({"bdtPolData": {"selTransPolicyId": None}}, "/bdtPolData/selTransPolicyId", "removed"),
    ],
)
def test_update_selection_is_a_json_integer_and_cannot_be_removed(
    body: dict[str, Any], where: str, reason: str
) -> None:
    with pytest.raises(wire.DocumentError) as caught:
        wire.update_from_document(body)
    assert caught.value.pointer == where
    assert reason in caught.value.reason
    assert not caught.value.optional and not caught.value.missing


def test_datetimes_may_have_a_lowercase_t_and_z() -> None:
    """RFC 3339 section 5.6 allows them; the instant is the same."""
    lower = wire.parse_datetime(f"{DATE}t01:00:00z", "/x")
    assert lower == wire.parse_datetime(f"{DATE}T01:00:00Z", "/x")
    assert wire.format_datetime(lower) == f"{DATE}T01:00:00Z"
