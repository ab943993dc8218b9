"""The operator's picture of the network that BDT decisions are made against.

Everything here is plain data plus arithmetic on time slots: the areas (and which TAIs,
cells and RAN nodes belong to them), their capacity per direction, the expected load
profile, the tariff tiers and the knobs of the search. It is built from the operator's
YAML file by ``pcf_server.config``; the engine only reads it.

Time is cut into fixed slots aligned on the Unix epoch, so every PCF instance sharing a
database numbers the same slot the same way whatever its start time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from nf_common.destinations import Destinations

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_STARTS_KEPT = 100_000  # slots whose start a Network keeps (some years' worth)
_T = TypeVar("_T")


def _per_slot(kept: dict[int, _T], first: int, stop: int, work: Callable[[int], _T]) -> list[_T]:
    """``work`` of each slot of [first, stop), each slot's worked out once.

    ``kept`` holds what was worked out; it starts afresh past ``_STARTS_KEPT`` entries,
    as the slot starts do.
    """
    if len(kept) >= _STARTS_KEPT:
        kept.clear()
    out = []
    for slot in range(first, stop):
        found = kept.get(slot)
        if found is None:
            found = kept[slot] = work(slot)
        out.append(found)
    return out


@dataclass(frozen=True, slots=True)
class Rates:
    """A pair of bit rates (bit/s), one per direction."""

    downlink: float
    uplink: float


@dataclass(frozen=True, slots=True)
class DayProfile:
    """Expected load as a step function of the time of day: (minute of day, fraction)."""

    steps: tuple[tuple[int, float], ...]

    def at(self, minute: int) -> float:
        value = self.steps[0][1]
        for start, fraction in self.steps:
            if start > minute:
                break
            value = fraction
        return value


@dataclass(frozen=True, slots=True)
class LoadProfile:
    """Expected non-BDT load as a fraction of the area's capacity, per weekday.

    ``days`` maps "mon".."sun" to a profile; days without their own use ``default``.
    """

    default: DayProfile
    days: Mapping[str, DayProfile] = field(default_factory=dict)

    def at(self, local: datetime) -> float:
        day = self.days.get(DAYS[local.weekday()], self.default)
        return day.at(local.hour * 60 + local.minute)


@dataclass(frozen=True, slots=True)
class TariffTier:
    """A time-of-day range [start, stop) in minutes, charged with one rating group."""

    start_minute: int
    stop_minute: int
    rating_group: int
    price: float

    def covers(self, minute: int) -> bool:
        return self.start_minute <= minute < self.stop_minute


@dataclass(frozen=True, slots=True)
class Area:
    """A network area: its identifiers, nominal capacity and load profile.

    ``identifiers`` are canonical keys (see ``pcf_server.policy.areas``) of the TAIs,
    cells and RAN nodes in the area; ``nw_area_info`` is the area as a TS 29.554
    NetworkAreaInfo document, which warning notifications carry.
    """

    area_id: str
    capacity: Rates
    load_profile: LoadProfile
    identifiers: frozenset[str]
    nw_area_info: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class PerformanceThreshold:
    """A reporting threshold of NETWORK_PERFORMANCE analytics asked of the NWDAF.

    TS 29.520 NetworkPerfRequirement: report when ``perf_type`` crosses
    ``relative_ratio`` percent (the only measure ``policy.degradation`` reads).
    """

    perf_type: str
    relative_ratio: int


@dataclass(frozen=True)
class Network:
    """The operator configuration the decisions use (validated by ``pcf_server.config``).

    The defaults here are those of a configuration file that leaves a key out.
    """

    areas: Mapping[str, Area]
    tariffs: tuple[TariffTier, ...]
    default_area: str
    slot_seconds: int = 900
    utilisation_ceiling: float = 0.8
    candidates: int = 3
    search_horizon: timedelta = timedelta(hours=48)
    min_window: timedelta = timedelta(hours=1)
    hold: timedelta = timedelta(seconds=300)
    congestion_penalty: float = 2.0
    downlink_share: float = 0.9
    timezone: str = "UTC"
    # What the PCF asks of an NWDAF (pcf-bdt serve --nwdaf): the thresholds of its
    # NETWORK_PERFORMANCE subscriptions, how often the areas in use are compared with
    # the subscriptions held, and how often each is sent again (an NWDAF that answers
    # 404 has forgotten it, after a restart, and it is created anew).
    nwdaf_thresholds: tuple[PerformanceThreshold, ...] = (
        PerformanceThreshold("GNB_ACTIVE_RATIO", relative_ratio=90),
        PerformanceThreshold("GNB_RSC_USAGE_OVERALL_TRAFFIC", relative_ratio=80),
    )
    nwdaf_check: timedelta = timedelta(seconds=5)
    nwdaf_refresh: timedelta = timedelta(minutes=5)
    # How long a NEF has to answer a warning before the PCF removes the invalidated
    # policy (TS 23.502 4.16.7.3 NOTE 3: an operator-configured time).
    unanswered_warning: timedelta = timedelta(hours=1)
    # Bounds against abuse: the longest degradation accepted (NWDAF report or operator),
    # and per consumer, the policies it may keep and those whose offers it may leave
    # unselected while they hold capacity.
    longest_degradation: timedelta = timedelta(days=7)
    policies_per_consumer: int = 10_000
    held_offers_per_consumer: int = 100
    # Where notifUri may point (nf_common.destinations): CIDRs and host names allowed
    # and refused, and whether only those allowed may be. None: not configured, the
    # server's default (the test stub allows loopback, a PCF does not).
    notification_destinations: Destinations | None = None

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def _owner(self) -> dict[str, str]:
        return {key: area.area_id for area in self.areas.values() for key in area.identifiers}

    def slot_of(self, moment: datetime) -> int:
        """The slot containing ``moment``."""
        return int(moment.timestamp() // self.slot_seconds)

    def slot_after(self, moment: datetime) -> int:
        """The first slot that starts at or after ``moment`` (a ceiling)."""
        return -int(-moment.timestamp() // self.slot_seconds)

    @cached_property
    def _starts(self) -> dict[int, tuple[datetime, datetime]]:
        return {}

    def _start(self, slot: int) -> tuple[datetime, datetime]:
        """The slot's start in UTC and in the operator's time zone, computed once per slot.

        A decision looks at each slot of its search horizon several times (window
        bounds, load profile, tariff); making these datetimes was a third of its cost.
        Slots only move forward with the clock, so the cache grows by a day's slots a
        day; it starts afresh past ``_STARTS_KEPT`` entries.
        """
        found = self._starts.get(slot)
        if found is None:
            if len(self._starts) >= _STARTS_KEPT:
                self._starts.clear()
            utc = datetime.fromtimestamp(slot * self.slot_seconds, UTC)
            found = self._starts[slot] = (utc, utc.astimezone(self.zone))
        return found

    def slot_start(self, slot: int) -> datetime:
        return self._start(slot)[0]

    def _local_start(self, slot: int) -> datetime:
        return self._start(slot)[1]

    def local_minute(self, slot: int) -> int:
        local = self._local_start(slot)
        return local.hour * 60 + local.minute

    def expected_load(self, area: Area, slot: int) -> float:
        """Fraction of capacity that ordinary traffic is expected to use in ``slot``."""
        return area.load_profile.at(self._local_start(slot))

    def tier(self, slot: int) -> TariffTier:
        minute = self.local_minute(slot)
        for tier in self.tariffs:
            if tier.covers(minute):
                return tier
        raise AssertionError("tariff tiers cover the whole day (checked at load time)")

    @cached_property
    def _tiers(self) -> dict[int, TariffTier]:
        return {}

    @cached_property
    def _loads(self) -> dict[str, dict[int, float]]:
        return {}

    def tiers(self, first: int, stop: int) -> list[TariffTier]:
        """``tier`` of each slot of [first, stop), each slot's worked out once.

        Every decision asks for the tiers of all the slots of its search; like the slot
        starts, they depend on nothing but the configuration, and are kept as long.
        """
        return _per_slot(self._tiers, first, stop, self.tier)

    def expected_loads(self, area_id: str, first: int, stop: int) -> list[float]:
        """``expected_load`` of the area in each slot of [first, stop), kept as ``tiers``.

        The engine needs them for every slot of every search and for every capacity
        check of the reservations it leads to: walking the profile each time was most
        of a decision's cost after the search itself.
        """
        area = self.areas[area_id]
        kept = self._loads.setdefault(area_id, {})
        return _per_slot(kept, first, stop, lambda slot: self.expected_load(area, slot))

    @cached_property
    def _plain_limits(self) -> dict[tuple[str, Rates], dict[int, Rates]]:
        return {}

    def plain_limits(self, area_id: str, capacity: Rates, first: int, stop: int) -> list[Rates]:
        """What BDT may use in each slot of [first, stop) that no degradation touches.

        ``max(0, (ceiling - expected load) * capacity)`` per direction: the engine's
        ``M(t)`` with a factor of 1. The service checks every reservation it makes
        against these, slot by slot; they depend on the configuration and the capacity
        only, so they are kept per area and capacity (an override is a capacity too).
        """
        kept = self._plain_limits.setdefault((area_id, capacity), {})
        expected_loads = self.expected_loads(area_id, first, stop)

        def limit(slot: int) -> Rates:
            spare = self.utilisation_ceiling - expected_loads[slot - first]
            return Rates(max(0.0, spare * capacity.downlink), max(0.0, spare * capacity.uplink))

        return _per_slot(kept, first, stop, limit)

    def resolve(self, keys: frozenset[str] | None) -> tuple[str, ...]:
        """Areas a request's nwAreaInfo falls in.

        No nwAreaInfo means the configured default area. Identifiers we do not know are
        assumed to be in the default area too: refusing them would break NEFs that
        send cells the operator has not mapped yet, and ignoring them would let a
        request escape the capacity check altogether.
        """
        if not keys:
            return (self.default_area,)
        found = {self._owner.get(key, self.default_area) for key in keys}
        return tuple(sorted(found))

    def known_areas(self, keys: frozenset[str]) -> tuple[str, ...]:
        """Areas named by a report; unknown identifiers are ignored (nothing to degrade)."""
        return tuple(sorted({self._owner[key] for key in keys if key in self._owner}))
