"""Which Create requests are the same request (303 See Other), and what the store keeps.

The rule is in ``pcf_server/policy/equivalence.py``; these tests pin the parts the other
tests of the service do not reach: the default of ``warnNotifReq``, feature strings, and
the fingerprint the store keeps in its UNIQUE column, which a later version of the PCF
must compute identically or it would no longer find the policies an earlier one stored.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, timedelta
from pathlib import Path

import pytest

from pcf_server.policy.equivalence import fingerprint
from pcf_server.policy.features import FeatureSet
from pcf_server.service import BdtPolicyControl, EquivalentPolicyExists
from pcf_server.storage import SqliteStore
from pcf_server.wire import window_from_document
from tests.dates import TUESDAY, future_day, window
from tests.even_split import EvenSplitDecider
from tests.service_calls import create

DAY = future_day(TUESDAY)
NOW = DAY - timedelta(hours=12)
REQUEST = {
    "aspId": "asp",
    "desTimeInt": window(DAY + timedelta(hours=1), DAY + timedelta(hours=5)),
    "numOfUes": 10,
    "volPerUe": {"downlinkVolume": 450_000_000},
    "notifUri": "http://nef.example/warnings",
    "suppFeat": "1",
}


@pytest.fixture
def service(tmp_path: Path) -> BdtPolicyControl:
    store = SqliteStore(tmp_path / "e.db")
    return BdtPolicyControl(store.unit_of_work, EvenSplitDecider(), clock=lambda: NOW)


def test_an_absent_warn_notif_req_is_false_and_not_true(service: BdtPolicyControl) -> None:
    first = create(service, REQUEST)
    with pytest.raises(EquivalentPolicyExists) as caught:
        create(service, {**REQUEST, "warnNotifReq": False})
    assert caught.value.policy_id == first.policy_id
    warned = create(service, {**REQUEST, "warnNotifReq": True})
    assert warned.policy_id != first.policy_id
    with pytest.raises(EquivalentPolicyExists) as caught:
        create(service, {**REQUEST, "warnNotifReq": True})
    assert caught.value.policy_id == warned.policy_id


def test_different_feature_sets_are_different_requests(service: BdtPolicyControl) -> None:
    first = create(service, REQUEST)  # suppFeat "1"
    both = create(service, {**REQUEST, "suppFeat": "3"})
    assert both.policy_id != first.policy_id
    without = {key: value for key, value in REQUEST.items() if key != "suppFeat"}
    assert create(service, without).policy_id not in (first.policy_id, both.policy_id)


def test_the_stored_fingerprint_is_stable_across_versions_and_machines(monkeypatch) -> None:
    """SHA-256 of the normalised request as compact, key-sorted UTF-8 JSON, with instants
    in UTC: whatever the machine's time zone, and byte for byte what the store holds."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")  # +05:30: a local time would show
    time.tzset()
    try:
        start, stop = DAY + timedelta(hours=1), DAY + timedelta(hours=5)
        document = {
            "aspId": "vidéo",
            "desTimeInt": {
                "startTime": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S+01:00"),
                "stopTime": stop.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
            "volPerUe": {"downlinkVolume": 5},
            "numOfUes": 1,
            "suppFeat": "03",
        }
        parsed = window_from_document(document["desTimeInt"], "/desTimeInt")
        canonical = (
            '{"aspId":"vidéo",'
            f'"desTimeInt":{{"startTime":"{start.astimezone(UTC).isoformat()}",'
            f'"stopTime":"{stop.astimezone(UTC).isoformat()}"}},'
            '"numOfUes":1,"suppFeat":"3","volPerUe":{"downlinkVolume":5},'
            '"warnNotifReq":false}'
        )
        assert "+00:00" in canonical
        expected = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        assert fingerprint(document, parsed) == expected
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_feature_string_that_is_not_hexadecimal_is_named() -> None:
    with pytest.raises(ValueError, match="not a SupportedFeatures string: 'x1'"):
        FeatureSet.parse("x1")
