"""The load-aware decision, pure: a fake LoadView stands in for the store."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import pytest

from pcf_server.config import network_from_document
from pcf_server.policy.decision import NoTransferWindow
from pcf_server.policy.engine import LoadAwareDecider, demand_bytes
from pcf_server.policy.model import Volume
from pcf_server.policy.network import Rates
from pcf_server.wire import format_bitrate, request_from_document, transfer_policy_to_document
from tests.bdt_config import VILLAGE_TAI, config
from tests.dates import TUESDAY, future_day, window

DAY = future_day(TUESDAY)
NOW = DAY - timedelta(hours=12)  # the engine's clock: the day before the requests below
MBPS = 1e6


class FakeLoad:
    """Reservations as a flat rate per (area, slot); overrides and degradations."""

    def __init__(self) -> None:
        self.taken: dict[tuple[str, int], Rates] = {}
        self.overrides: dict[str, Rates] = {}
        self.factors: dict[tuple[str, int], float] = {}

    def reserved(self, area_id: str, first_slot: int, stop_slot: int) -> Mapping[int, Rates]:
        return {
            s: r for (a, s), r in self.taken.items() if a == area_id and first_slot <= s < stop_slot
        }

    def capacity_override(self, area_id: str) -> Rates | None:
        return self.overrides.get(area_id)

    def degradation(self, area_id: str, first_slot: int, stop_slot: int) -> Mapping[int, float]:
        return {
            s: f
            for (a, s), f in self.factors.items()
            if a == area_id and first_slot <= s < stop_slot
        }


def hours(h: float) -> timedelta:
    return timedelta(hours=h)


def request(start: datetime, stop: datetime, ues: int, **volume: int) -> dict:
    return {
        "aspId": "asp",
        "desTimeInt": window(start, stop),
        "numOfUes": ues,
        "volPerUe": volume,
    }


def bytes_for(rate_bps: float, duration: timedelta) -> int:
    return int(rate_bps * duration.total_seconds() / 8)


@pytest.fixture
def engine() -> LoadAwareDecider:
    return LoadAwareDecider(network_from_document(config()))


def decide(engine: LoadAwareDecider, doc: dict, load: FakeLoad | None = None):
    return engine.decide(request_from_document(doc), load or FakeLoad(), NOW)


def test_offers_ids_from_one_with_tariff_rating_groups_and_bitrates(engine) -> None:
    # 1000 UEs x 27 MB down over the 6 h night = 10 Mbps: fits everywhere.
    doc = request(DAY, DAY + hours(6), 1000, downlinkVolume=bytes_for(10e3, hours(6)))
    decision = decide(engine, doc)
    ids = [o.transfer_policy_id for o in decision.offers]
    assert ids == list(range(1, len(ids) + 1)) and len(ids) == 3
    for offer in decision.offers:
        assert DAY <= offer.window.start < offer.window.stop <= DAY + hours(6)
        assert offer.rating_group == 1  # night tier
        assert offer.max_bitrate_ul is None  # nothing to send up
        document = transfer_policy_to_document(offer)
        assert document["maxBitRateDl"] == format_bitrate(offer.max_bitrate_dl)
    assert decision.offers[0].window.duration == hours(6)  # the whole night is cheapest
    assert decision.offers[0].max_bitrate_dl == pytest.approx(10 * MBPS, rel=1e-3)
    assert [r.transfer_policy_id for r in decision.reservations] == ids


def test_the_busy_evening_is_avoided(engine) -> None:
    # 17:00-24:00 desired; 500 Gbit = 139 Mbps over an hour: more than the evening's
    # 100 Mbps headroom, so no short window can sit in 18-22; long ones are dearer.
    start = DAY + hours(17)
    doc = request(start, DAY + hours(24), 1000, downlinkVolume=62_500_000)
    decision = decide(engine, doc)
    busy = (DAY + hours(18), DAY + hours(22))
    best = decision.offers[0].window
    assert best.stop <= busy[0] or best.start >= busy[1]
    for offer in decision.offers:
        w = offer.window
        inside_busy = min(w.stop, busy[1]) - max(w.start, busy[0])
        assert inside_busy < w.duration / 2, w  # never mostly in the busy hours


def test_uplink_and_downlink_are_judged_separately(engine) -> None:
    night = (DAY, DAY + hours(6))
    volume = bytes_for(80 * MBPS, hours(6))  # 80 Mbps for the whole night
    # Downlink has 600 Mbps free at night: fits.
    down_only = request(*night, 1, downlinkVolume=volume)
    assert decide(engine, down_only).offers[0].window.start == night[0]
    # The same volume up: uplink has 60 Mbps at best, never 80, even though the
    # downlink figures alone would allow it.
    with pytest.raises(NoTransferWindow):
        decide(engine, request(*night, 1, uplinkVolume=volume))
    with pytest.raises(NoTransferWindow):
        decide(engine, request(*night, 1, downlinkVolume=volume, uplinkVolume=volume))

    # A downlink already full at night does not stop an uplink-only transfer...
    load = FakeLoad()
    net = engine.network
    for slot in range(net.slot_of(night[0]), net.slot_of(night[1])):
        load.taken[("town", slot)] = Rates(600 * MBPS, 0.0)
    up_only = request(*night, 1, uplinkVolume=bytes_for(20 * MBPS, hours(6)))
    offer = decide(engine, up_only, load).offers[0]
    assert offer.window.start == night[0] and offer.max_bitrate_dl is None
    # ... but does push a downlink one out of the night.
    assert all(o.window.start >= night[1] for o in decide(engine, down_only, load).offers)


def test_existing_reservations_make_offers_thinner_or_later(engine) -> None:
    night = (DAY, DAY + hours(6))
    doc = request(*night, 1, downlinkVolume=bytes_for(200 * MBPS, hours(6)))
    free = decide(engine, doc)
    load = FakeLoad()
    net = engine.network
    for slot in range(net.slot_of(night[0]), net.slot_of(night[1])):
        load.taken[("town", slot)] = Rates(450 * MBPS, 0.0)  # 150 Mbps left tonight
    busy = decide(engine, doc, load)
    assert [o.window for o in busy.offers] != [o.window for o in free.offers]
    assert all(o.window.start >= night[1] for o in busy.offers)


def test_fallback_later_in_the_horizon_then_rejection(engine) -> None:
    # The evening cannot take 150 Mbps; later windows of at most 2 h are offered.
    evening = (DAY + hours(19), DAY + hours(21))
    doc = request(*evening, 1, downlinkVolume=bytes_for(150 * MBPS, hours(2)))
    decision = decide(engine, doc)
    assert decision.offers
    for offer in decision.offers:
        assert offer.window.start >= evening[1]
        assert offer.window.duration <= hours(2)
        assert offer.window.stop <= NOW + engine.network.search_horizon
    huge = request(*evening, 1, downlinkVolume=bytes_for(700 * MBPS, hours(2)))
    with pytest.raises(NoTransferWindow):
        decide(engine, huge)


def test_every_area_of_the_request_must_have_room(engine) -> None:
    night = (DAY, DAY + hours(6))
    doc = request(*night, 1, downlinkVolume=bytes_for(100 * MBPS, hours(6)))
    assert decide(engine, doc).offers[0].window.start == night[0]  # town: 600 Mbps free
    doc["nwAreaInfo"] = {"tais": [VILLAGE_TAI]}  # village: 60 Mbps free
    with pytest.raises(NoTransferWindow):
        decide(engine, doc)


def test_degradation_and_capacity_override_shrink_headroom(engine) -> None:
    night = (DAY, DAY + hours(6))
    doc = request(*night, 1, downlinkVolume=bytes_for(300 * MBPS, hours(6)))
    assert decide(engine, doc).offers[0].window.start == night[0]
    load = FakeLoad()
    net = engine.network
    for slot in range(net.slot_of(night[0]), net.slot_of(night[1])):
        load.factors[("town", slot)] = 0.3  # 0.24 usable < 0.2 expected + 0.3 asked
    assert all(o.window.start >= night[1] for o in decide(engine, doc, load).offers)
    override = FakeLoad()
    override.overrides["town"] = Rates(10 * 1e9, 1e9)
    offers = decide(engine, doc, override).offers
    assert offers[0].window.start == night[0]


def test_total_volume_split_by_the_downlink_share() -> None:
    assert demand_bytes(Volume(total=1000), 2, 0.9) == (1800, 200)
    assert demand_bytes(Volume(total=1000, uplink=100), 1, 0.9) == (900, 100)
    assert demand_bytes(Volume(total=1000, downlink=700), 1, 0.9) == (700, 300)
    assert demand_bytes(Volume(downlink=5, uplink=7, total=1), 3, 0.9) == (15, 21)
    assert demand_bytes(Volume(), 3, 0.9) == (0, 0)


def test_unknown_cells_count_in_the_default_area(engine) -> None:
    keys = request_from_document(
        {**request(DAY, DAY + hours(1), 1), "nwAreaInfo": {"tais": [
            {"plmnId": {"mcc": "999", "mnc": "99"}, "tac": "FFFF"}, VILLAGE_TAI]}}
    ).area_keys  # fmt: skip
    assert engine.network.resolve(keys) == ("town", "village")
    assert engine.network.resolve(None) == ("town",)


def test_fallback_is_anchored_on_a_far_future_desired_window(engine) -> None:
    """A window a year ahead gets later windows too, not a refusal naming a date before it.

    The fallback once searched up to ``now + search_horizon`` only, which for a desired
    window beyond that horizon is nothing at all.
    """
    far = DAY + timedelta(days=333)  # a Saturday, most of a year ahead
    evening = (far + hours(19), far + hours(21))
    assert evening[0] > NOW + engine.network.search_horizon
    doc = request(*evening, 1, downlinkVolume=bytes_for(150 * MBPS, hours(2)))
    decision = decide(engine, doc)
    assert decision.offers
    for offer in decision.offers:
        assert evening[1] <= offer.window.start
        assert offer.window.stop <= evening[1] + engine.network.search_horizon
        assert offer.window.duration <= hours(2)
    huge = request(*evening, 1, downlinkVolume=bytes_for(700 * MBPS, hours(2)))
    last = evening[1] + engine.network.search_horizon
    with pytest.raises(NoTransferWindow, match=f"up to {last:%Y-%m-%dT%H:%M}Z"):
        decide(engine, huge)


def test_windows_start_on_whole_seconds(engine) -> None:
    """Windows begun at ``now`` used to carry its microseconds (03:06:46.233092Z)."""
    now = DAY + timedelta(hours=1, minutes=6, seconds=46, microseconds=233092)
    doc = request(DAY, DAY + hours(6), 1, downlinkVolume=bytes_for(10 * MBPS, hours(4)))
    decision = engine.decide(request_from_document(doc), FakeLoad(), now)
    assert decision.offers
    slot = engine.network.slot_seconds
    for offer in decision.offers:
        start = offer.window.start
        assert start.microsecond == 0 and start >= now
        # Either where the search began (now, rounded up) or a slot boundary.
        assert start == now.replace(microsecond=0) + timedelta(seconds=1) or (
            start.timestamp() % slot == 0
        )
        stop = offer.window.stop
        assert stop == DAY + hours(6) or stop.timestamp() % slot == 0


def test_the_last_representable_days_are_refused_not_overflowed(engine) -> None:
    # The horizon beyond a window on 9999-12-31 is not a datetime: a 403, not a 500.
    end = datetime(9999, 12, 31, 20, tzinfo=UTC)
    doc = request(end, end + hours(2), 1, downlinkVolume=1000)
    with pytest.raises(NoTransferWindow):
        decide(engine, doc)


@pytest.mark.parametrize("day", [DAY, datetime(9000, 1, 5, tzinfo=UTC)], ids=["soon", "far"])
def test_the_rate_is_the_volume_over_the_exact_length_of_the_window(engine, day) -> None:
    """b = 8 D / |W| to the microsecond of a desired stop, however far ahead it is.

    Epoch microseconds outgrow a float's exact integers some centuries ahead (by 9000 a
    float of them is a multiple of 32), so the length of a window must not be worked out
    through one.
    """
    start, stop = day + hours(2), day + hours(3) + timedelta(microseconds=40)
    volume = bytes_for(10 * MBPS, hours(1))
    decision = decide(engine, request(start, stop, 1, downlinkVolume=volume))
    assert stop in {offer.window.stop for offer in decision.offers}
    for offer in decision.offers:
        assert offer.max_bitrate_dl == 8 * volume / offer.window.duration.total_seconds()
