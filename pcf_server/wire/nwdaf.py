"""NETWORK_PERFORMANCE reports in Nnwdaf_EventsSubscription notifications (TS 29.520)."""

from __future__ import annotations

from typing import Any

from pcf_server.policy.areas import area_keys
from pcf_server.policy.degradation import NetworkPerformance
from pcf_server.policy.model import TimeWindow
from pcf_server.wire.errors import DocumentError
from pcf_server.wire.units import parse_datetime, window_from_document


def network_performance_from_notifications(
    notifications: list[dict[str, Any]],
) -> list[NetworkPerformance]:
    """NETWORK_PERFORMANCE reports in schema-valid Nnwdaf_EventsSubscription notifications.

    TS 29.520 5.1.6.2.2. The period is ``anaPeriod``, else the event's ``start`` to
    ``expiry``, else none (the caller decides what an open period means).
    """
    found = []
    for n_index, notification in enumerate(notifications):
        for e_index, event in enumerate(notification.get("eventNotifications", [])):
            if event.get("event") != "NETWORK_PERFORMANCE":
                continue
            pointer = f"/{n_index}/eventNotifications/{e_index}"
            default = None
            if "start" in event and "expiry" in event:
                start = parse_datetime(event["start"], f"{pointer}/start")
                expiry = parse_datetime(event["expiry"], f"{pointer}/expiry")
                if expiry <= start:  # name the attributes the NWDAF sent
                    raise DocumentError(f"{pointer}/expiry", "expiry must be later than start")
                default = TimeWindow(start, expiry)
            for p_index, perf in enumerate(event.get("nwPerfs", [])):
                where = f"{pointer}/nwPerfs/{p_index}"
                window = (
                    window_from_document(perf["anaPeriod"], f"{where}/anaPeriod")
                    if "anaPeriod" in perf
                    else default
                )
                found.append(
                    NetworkPerformance(
                        area_keys(perf["networkArea"]),
                        window,
                        perf["nwPerfType"],
                        perf.get("relativeRatio"),
                    )
                )
    return found
