"""What a network-performance report (TS 23.288 6.6, NWDAF) means for BDT capacity.

NWDAF reports network performance per area and period as a ``nwPerfType`` with a
``relativeRatio`` (percent) or an ``absoluteNum``; only a ratio says what share of the
capacity is affected. The PCF turns the ratios of the types that speak of radio capacity
into a factor on the area's capacity for that period:

- ``GNB_ACTIVE_RATIO`` r %: only r % of the gNBs are up, so about r % of the capacity is
  left: factor r / 100;
- ``GNB_RSC_USAGE_OVERALL_TRAFFIC`` / ``GNB_RSC_USAGE_GBR_TRAFFIC`` r %: that share of
  the radio resources is already used by other traffic, so what background transfers
  can count on shrinks to (100 - r) %: factor (100 - r) / 100.

Other types (session or handover success ratios, UE counts, ...) say nothing about
capacity and are ignored. A factor of 1 or more is not a degradation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pcf_server.policy.model import TimeWindow
from pcf_server.policy.network import PerformanceThreshold

# The performance types that speak of capacity, hence the ones worth subscribing to.
CAPACITY_TYPES = ("GNB_ACTIVE_RATIO", "GNB_RSC_USAGE_OVERALL_TRAFFIC", "GNB_RSC_USAGE_GBR_TRAFFIC")


@dataclass(frozen=True, slots=True)
class NetworkPerformance:
    area_keys: frozenset[str]
    window: TimeWindow | None
    perf_type: str
    relative_ratio: int | None


def capacity_factor(report: NetworkPerformance) -> float | None:
    """The capacity factor a report implies, or None when it implies no degradation."""
    ratio = report.relative_ratio
    if ratio is None:
        return None
    if report.perf_type == "GNB_ACTIVE_RATIO":
        factor = ratio / 100
    elif report.perf_type in ("GNB_RSC_USAGE_OVERALL_TRAFFIC", "GNB_RSC_USAGE_GBR_TRAFFIC"):
        factor = (100 - ratio) / 100
    else:
        return None
    return factor if factor < 1 else None


@dataclass(frozen=True)
class AnalyticsRequest:
    """NETWORK_PERFORMANCE analytics the PCF asks of the NWDAF for one area.

    ``window`` is the period the area's policies in force cover; ``thresholds`` the
    operator's (perf type, relative ratio) pairs; the NWDAF reports to
    ``notification_uri``.
    """

    area_id: str
    nw_area_info: Mapping[str, Any]
    window: TimeWindow
    thresholds: tuple[PerformanceThreshold, ...]
    notification_uri: str
