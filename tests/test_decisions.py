"""The load-aware decision, pinned by what an operator would check on the offers.

Each test states one rule of the decision (README "How the PCF decides") with numbers
worked out by hand from ``tests/bdt_config.py``: area "town" has 1 Gbps down and 100 Mbps
up, a ceiling of 0.8 and an expected load of 0.2 at night (00-06), 0.5 by day (06-18),
0.7 in the evening (18-22) and 0.3 late (22-24); so its headroom is 600 / 300 / 100 /
500 Mbps down and a tenth of that up. Tariffs: night rating group 1 (price 1), day 2
(price 2), evening and late 3 (price 4).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from pcf_server.config import network_from_document
from pcf_server.policy.decision import NoTransferWindow
from pcf_server.policy.engine import LoadAwareDecider, demand_bytes
from pcf_server.policy.model import TimeWindow, TransferPolicy, Volume
from pcf_server.policy.network import Rates
from pcf_server.wire import request_from_document
from tests.bdt_config import VILLAGE_TAI, config
from tests.test_engine import DAY, MBPS, NOW, FakeLoad, bytes_for, hours, request

NIGHT = (DAY, DAY + hours(6))


def decider(**changes: Any) -> LoadAwareDecider:
    return LoadAwareDecider(network_from_document(config(**changes)))


def offers(
    engine: LoadAwareDecider, doc: dict, load: FakeLoad | None = None, now: datetime = NOW
) -> tuple[TransferPolicy, ...]:
    return engine.decide(request_from_document(doc), load or FakeLoad(), now).offers


def windows(found: tuple[TransferPolicy, ...]) -> list[TimeWindow]:
    return [offer.window for offer in found]


def book(engine: LoadAwareDecider, load: FakeLoad, start: datetime, stop: datetime, rates: Rates):
    """Reservations already made in town over [start, stop)."""
    net = engine.network
    for slot in range(net.slot_of(start), net.slot_after(stop)):
        load.taken[("town", slot)] = rates


def flat(rate_bps: float, start: datetime, stop: datetime) -> int:
    """Bytes that take exactly ``rate_bps`` over [start, stop)."""
    return bytes_for(rate_bps, stop - start)


# -- tariffs ---------------------------------------------------------------------------


def test_a_window_crossing_tariff_tiers_is_priced_by_its_dearest_tier() -> None:
    """05:00-07:00 at 200 Mbps for two hours: an hour fits only at night (the day has
    300 Mbps), longer windows reach into the day and are charged as day windows."""
    engine = decider()
    desired = (DAY + hours(5), DAY + hours(7))
    found = offers(engine, request(*desired, 1, downlinkVolume=flat(200 * MBPS, *desired)))
    assert found[0].window == TimeWindow(DAY + hours(5), DAY + hours(6))
    assert found[0].rating_group == 1  # night only
    assert len(found) > 1
    for offer in found[1:]:
        assert offer.window.stop > DAY + hours(6)
        assert offer.rating_group == 2, offer  # touches the day: the dearer tier
    evening = (DAY + hours(17), DAY + hours(19))
    crossing = offers(engine, request(*evening, 1, downlinkVolume=flat(1 * MBPS, *evening)))
    for offer in crossing:
        expected = 3 if offer.window.stop > DAY + hours(18) else 2
        assert offer.rating_group == expected, offer


def test_of_two_tiers_with_the_same_price_the_first_one_touched_is_charged() -> None:
    tariffs = [
        {"from": "00:00", "to": "03:00", "rating_group": 7, "price": 1.0},
        {"from": "03:00", "to": "24:00", "rating_group": 8, "price": 1.0},
    ]
    engine = decider(tariffs=tariffs)
    found = offers(engine, request(*NIGHT, 1, downlinkVolume=flat(10 * MBPS, *NIGHT)))
    assert found[0].window == TimeWindow(*NIGHT)
    for offer in found:
        assert offer.rating_group == (7 if offer.window.start < DAY + hours(3) else 8), offer


# -- ranking: price, then load -----------------------------------------------------------


@pytest.mark.parametrize("direction", ["downlink", "uplink"])
def test_of_two_equal_price_windows_the_less_booked_ranks_first(direction: str) -> None:
    """00:00-02:00, a small transfer; the first hour is half booked already. The second
    hour beats both the first and the whole two hours, though those start earlier."""
    engine = decider()
    desired = (DAY, DAY + hours(2))
    load = FakeLoad()
    booked = Rates(300 * MBPS, 0.0) if direction == "downlink" else Rates(0.0, 30 * MBPS)
    book(engine, load, DAY, DAY + hours(1), booked)
    volume = {f"{direction}Volume": flat(1 * MBPS, *desired)}
    found = offers(engine, request(*desired, 1, **volume), load)
    assert found[0].window == TimeWindow(DAY + hours(1), DAY + hours(2))
    # Load booked in the other direction does not count against this transfer.
    other = Rates(0.0, 30 * MBPS) if direction == "downlink" else Rates(300 * MBPS, 0.0)
    elsewhere = FakeLoad()
    book(engine, elsewhere, DAY, DAY + hours(1), other)
    found = offers(engine, request(*desired, 1, **volume), elsewhere)
    assert found[0].window == TimeWindow(*desired)


@pytest.mark.parametrize("direction", ["downlink", "uplink"])
def test_a_lower_rate_over_a_longer_window_costs_less(direction: str) -> None:
    engine = decider()
    volume = {f"{direction}Volume": flat(5 * MBPS, *NIGHT)}
    found = offers(engine, request(*NIGHT, 1, **volume))
    assert found[0].window == TimeWindow(*NIGHT)
    assert [o.window.duration for o in found] == sorted(
        (o.window.duration for o in found), reverse=True
    )


@pytest.mark.parametrize(
    ("direction", "capacity"),
    [("downlink", 1e9), ("uplink", 1e8)],
)
@pytest.mark.parametrize(("penalty", "winner"), [(7.5, 5), (8.5, 6)])
def test_the_congestion_penalty_trades_price_against_utilisation(
    direction: str, capacity: float, penalty: float, winner: int
) -> None:
    """Hourly slots; 05:00-07:00 desired; the night hour is booked to 3/4 of its usable
    capacity, the day hour is at 5/8 from ordinary traffic; the transfer takes 1/10 of
    the usable capacity over an hour. Costs (price + P x mean utilisation):

    - 05-06: 1 + P x (0.75 + 0.1)              = 1 + 0.85 P
    - 06-07: 2 + P x (0.625 + 0.1)             = 2 + 0.725 P
    - 05-07: 2 + P x ((0.75 + 0.625) / 2 + 0.05) = 2 + 0.7375 P

    The cheap night hour wins below P = 8, the day hour above it.
    """
    engine = decider(slot_minutes=60, congestion_penalty=penalty)
    usable = 0.8 * capacity
    load = FakeLoad()
    booked = 0.75 * usable - 0.2 * capacity  # with the expected 0.2, 3/4 of usable
    book(engine, load, DAY + hours(5), DAY + hours(6), Rates(booked, booked))
    desired = (DAY + hours(5), DAY + hours(7))
    volume = {f"{direction}Volume": flat(0.1 * usable, desired[0], desired[0] + hours(1))}
    found = offers(engine, request(*desired, 1, **volume), load)
    night, day = (TimeWindow(DAY + hours(h), DAY + hours(h + 1)) for h in (5, 6))
    both = TimeWindow(*desired)  # always 0.0125 P dearer than the day hour
    expected = [night, day, both] if winner == 5 else [day, night, both]
    assert windows(found) == expected
    assert [o.rating_group for o in found] == [1 if w == night else 2 for w in expected]


def test_without_a_congestion_penalty_the_earliest_longest_cheapest_window_wins() -> None:
    engine = decider(congestion_penalty=0.0)
    desired = (DAY + hours(4), DAY + hours(8))
    found = offers(engine, request(*desired, 1, downlinkVolume=flat(10 * MBPS, *desired)))
    # Price alone: only windows within the night (04:00-06:00) cost 1; among them the
    # earliest start, and at that start the longest.
    assert found[0].window == TimeWindow(DAY + hours(4), DAY + hours(6))
    assert found[0].rating_group == 1


# -- feasibility: every slot, every direction ------------------------------------------


def test_an_exact_fit_is_accepted_and_one_bit_per_second_more_is_not() -> None:
    engine = decider()
    # 600 Mbps down and 60 Mbps up are free at night: exactly that over the whole night.
    for direction, headroom in (("downlinkVolume", 600 * MBPS), ("uplinkVolume", 60 * MBPS)):
        exact = offers(engine, request(*NIGHT, 1, **{direction: flat(headroom, *NIGHT)}))
        assert windows(exact) == [TimeWindow(*NIGHT)], direction
        more = request(*NIGHT, 1, **{direction: flat(headroom + 1, *NIGHT)})
        with pytest.raises(NoTransferWindow):  # nor anywhere else: the night is the best
            offers(engine, more)


def test_an_exact_fit_with_the_other_candidates_is_offered_and_no_more() -> None:
    """Uplink, 20 Mbps over the night: the night (20), then its halves (40 each) fill
    the 60 Mbps of uplink headroom exactly; the candidates hold capacity together."""
    engine = decider()
    found = offers(engine, request(*NIGHT, 1, uplinkVolume=flat(20 * MBPS, *NIGHT)))
    halves = [TimeWindow(DAY, DAY + hours(3)), TimeWindow(DAY + hours(3), NIGHT[1])]
    assert windows(found) == [TimeWindow(*NIGHT), *halves]
    assert [o.max_bitrate_ul for o in found] == [20 * MBPS, 40 * MBPS, 40 * MBPS]
    assert all(o.max_bitrate_dl is None for o in found)
    # One bit per second more and neither half fits beside the night any more.
    more = offers(engine, request(*NIGHT, 1, uplinkVolume=flat(20 * MBPS + 1, *NIGHT)))
    assert windows(more)[0] == TimeWindow(*NIGHT)
    assert not set(halves) & set(windows(more))
    for slot_start in (DAY + hours(h) for h in range(6)):
        in_use = sum(
            o.max_bitrate_ul or 0.0 for o in more if o.window.start <= slot_start < o.window.stop
        )
        assert in_use <= 60 * MBPS, slot_start


def test_a_request_with_uplink_volume_is_judged_on_the_uplink() -> None:
    """The first half of the night has its uplink booked; its downlink is free. A
    transfer that also sends 30 Mbps up cannot take it, a download alone can."""
    engine = decider()
    load = FakeLoad()
    book(engine, load, DAY, DAY + hours(3), Rates(0.0, 50 * MBPS))
    half = (DAY, DAY + hours(3))
    both = request(
        *NIGHT,
        1,
        downlinkVolume=flat(100 * MBPS, *half),
        uplinkVolume=flat(30 * MBPS, *half),
    )
    found = offers(engine, both, load)
    assert found
    for offer in found:
        assert offer.window.start >= DAY + hours(3), offer
        seconds = offer.window.duration.total_seconds()
        assert offer.max_bitrate_dl == pytest.approx(8 * flat(100 * MBPS, *half) / seconds)
        assert offer.max_bitrate_ul == pytest.approx(8 * flat(30 * MBPS, *half) / seconds)
    down_only = request(*NIGHT, 1, downlinkVolume=flat(100 * MBPS, *half))
    assert offers(engine, down_only, load)[0].window == TimeWindow(*NIGHT)


def test_a_full_slot_takes_nothing_more_not_even_a_trickle() -> None:
    engine = decider()
    load = FakeLoad()
    book(engine, load, *NIGHT, Rates(600 * MBPS, 60 * MBPS))
    for direction in ("downlinkVolume", "uplinkVolume"):
        trickle = request(*NIGHT, 1, **{direction: 100})  # 100 bytes: 0.04 bit/s
        found = offers(engine, trickle, load)
        assert all(o.window.start >= NIGHT[1] for o in found), direction


def test_an_area_degraded_to_nothing_offers_nothing_there() -> None:
    """0 % of the gNBs active: factor 0, no usable capacity at all (and no crash)."""
    engine = decider()
    load = FakeLoad()
    net = engine.network
    for slot in range(net.slot_of(NIGHT[0]), net.slot_of(NIGHT[1])):
        load.factors[("town", slot)] = 0.0
    for direction in ("downlinkVolume", "uplinkVolume"):
        found = offers(engine, request(*NIGHT, 1, **{direction: 1000}), load)
        assert found and all(o.window.start >= NIGHT[1] for o in found), direction


def test_a_lower_capacity_override_pushes_a_transfer_out_of_the_night() -> None:
    engine = decider()
    doc = request(*NIGHT, 1, uplinkVolume=flat(30 * MBPS, *NIGHT))
    assert offers(engine, doc)[0].window == TimeWindow(*NIGHT)
    load = FakeLoad()
    load.overrides["town"] = Rates(1e9, 40 * MBPS)  # 0.6 x 40 = 24 Mbps up at night
    with pytest.raises(NoTransferWindow):  # and less by day
        offers(engine, doc, load)


def test_the_limit_is_ceiling_times_capacity_times_factor_less_expected_load() -> None:
    """``M = u*C*g - L`` per direction, never negative; what the store's guard checks."""
    engine = decider()
    net = engine.network
    load = FakeLoad()
    first = net.slot_of(DAY)
    evening = net.slot_of(DAY + hours(18))

    def limits(area: str, first: int, stop: int) -> list[tuple[float, float]]:
        return [(r.downlink, r.uplink) for r in engine.limits(area, first, stop, load)]

    assert limits("town", first, first + 1) == [pytest.approx((600 * MBPS, 60 * MBPS))]
    assert limits("village", first, first + 1) == [pytest.approx((60 * MBPS, 6 * MBPS))]
    load.factors[("town", first + 1)] = 0.5  # 0.4 - 0.2 of the capacity
    load.overrides["town"] = Rates(2e9, 300 * MBPS)
    assert limits("town", first, first + 2) == [
        pytest.approx((1200 * MBPS, 180 * MBPS)),
        pytest.approx((400 * MBPS, 60 * MBPS)),
    ]
    load.factors[("town", evening)] = 0.5  # 0.4 usable, 0.7 expected: nothing, not less
    assert limits("town", evening, evening + 1) == [(0.0, 0.0)]


# -- what is offered ---------------------------------------------------------------------


def test_a_total_volume_is_split_and_both_rates_are_offered() -> None:
    engine = decider()
    total = flat(100 * MBPS, *NIGHT)
    found = offers(engine, request(*NIGHT, 2, totalVolume=total))
    first = found[0]
    assert first.window == TimeWindow(*NIGHT)
    seconds = first.window.duration.total_seconds()
    downlink = round(total * 0.9)
    assert first.max_bitrate_dl == pytest.approx(8 * 2 * downlink / seconds)
    assert first.max_bitrate_ul == pytest.approx(8 * 2 * (total - downlink) / seconds)


def test_the_refusal_names_the_areas_of_the_request() -> None:
    engine = decider()
    doc = request(*NIGHT, 1, downlinkVolume=flat(5000 * MBPS, *NIGHT))
    doc["nwAreaInfo"] = {"tais": [VILLAGE_TAI, {"plmnId": VILLAGE_TAI["plmnId"], "tac": "0001"}]}
    with pytest.raises(NoTransferWindow, match=r"areas \(town, village\) has the headroom"):
        offers(engine, doc)


def test_a_window_never_falls_short_of_the_minimum_by_a_second() -> None:
    """Begun at now (00:00:01): the window to 01:00 would be 3599 s, under the 1 h
    minimum. With 01:00-02:00 booked full, nothing else is left in the desired window."""
    engine = decider()
    load = FakeLoad()
    book(engine, load, DAY + hours(1), DAY + hours(2), Rates(600 * MBPS, 60 * MBPS))
    now = DAY + timedelta(seconds=1)
    desired = (DAY, DAY + hours(2))
    found = offers(engine, request(*desired, 1, downlinkVolume=1000), load, now=now)
    assert found and all(o.window.start >= desired[1] for o in found), windows(found)
    assert all(o.window.duration >= hours(1) for o in found)


def test_the_last_half_bit_per_second_of_headroom_still_takes_a_trickle() -> None:
    engine = decider()
    for direction, booked in (
        ("downlinkVolume", Rates(600 * MBPS - 0.5, 0.0)),
        ("uplinkVolume", Rates(0.0, 60 * MBPS - 0.5)),
    ):
        load = FakeLoad()
        book(engine, load, *NIGHT, booked)
        trickle = request(*NIGHT, 1, **{direction: 100})  # 0.04 bit/s over the night
        assert offers(engine, trickle, load)[0].window == TimeWindow(*NIGHT), direction


def test_later_windows_are_never_longer_than_asked_not_even_by_a_second() -> None:
    """A 29 min 59 s window ending at 00:59:59 whose first slot is booked full: later
    windows of at most the 1 h minimum are offered; 00:59:59 to 02:00 would be 3601 s."""
    engine = decider()
    load = FakeLoad()
    full = DAY + timedelta(minutes=30)
    book(engine, load, full, full + timedelta(minutes=15), Rates(600 * MBPS, 60 * MBPS))
    stop = DAY + hours(1) - timedelta(seconds=1)
    desired = (stop - timedelta(minutes=29, seconds=59), stop)
    found = offers(engine, request(*desired, 1, downlinkVolume=1000), load)
    assert found
    for offer in found:
        assert offer.window.start >= stop
        assert offer.window.duration <= hours(1), offer


def test_a_direction_given_as_zero_moves_nothing_and_the_total_goes_to_the_other() -> None:
    assert demand_bytes(Volume(uplink=0), 3, 0.9) == (0, 0)
    assert demand_bytes(Volume(downlink=0), 3, 0.9) == (0, 0)
    assert demand_bytes(Volume(total=1000, uplink=0), 2, 0.9) == (2000, 0)
    assert demand_bytes(Volume(total=1000, downlink=0), 2, 0.9) == (0, 2000)
    assert demand_bytes(Volume(total=100, uplink=300), 1, 0.9) == (0, 300)
