"""Nnwdaf_EventsSubscription documents (TS 29.520) the PCF sends and receives.

Sent: its subscriptions to NETWORK_PERFORMANCE analytics. Received: the reports in the
notifications the NWDAF posts back.

The subscription is a plain dict built here rather than a model generated from our
specs/: the PCF sends a handful of members of a very large schema, and the tests check
every document it sends against the official Rel-18 schema (a Prism mock made from the
official file rejects anything it does not allow).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pcf_server.policy.areas import area_keys
from pcf_server.policy.degradation import AnalyticsRequest, NetworkPerformance
from pcf_server.policy.model import TimeWindow
from pcf_server.wire.errors import DocumentError
from pcf_server.wire.units import format_datetime, parse_datetime, window_from_document

API_NAME = "nnwdaf-eventssubscription"
API_VERSION = "v1"


def subscription_document(request: AnalyticsRequest) -> dict[str, Any]:
    """The NnwdafEventsSubscription asking for one area's network performance.

    TS 29.520 5.1.6.2.2 and 5.1.6.2.3: the event NETWORK_PERFORMANCE for the area
    (``networkArea``), reported when a measure crosses the operator's thresholds
    (``nwPerfRequs`` with ``notificationMethod`` THRESHOLD), over the period of the
    policies in force (``extraReportReq`` startTs/endTs), until its end (``evtReq.monDur``,
    after which the NWDAF may drop the subscription). ``notifCorrId`` names the area,
    which makes the notifications readable in logs on both sides.
    """
    start, stop = format_datetime(request.window.start), format_datetime(request.window.stop)
    return {
        "eventSubscriptions": [
            {
                "event": "NETWORK_PERFORMANCE",
                "networkArea": dict(request.nw_area_info),
                "nwPerfRequs": [
                    {"nwPerfType": t.perf_type, "relativeRatio": t.relative_ratio}
                    for t in request.thresholds
                ],
                "notificationMethod": "THRESHOLD",
                "extraReportReq": {"startTs": start, "endTs": stop},
            }
        ],
        "evtReq": {"monDur": stop},
        "notificationURI": request.notification_uri,
        "notifCorrId": request.area_id,
    }


# The most NETWORK_PERFORMANCE reports one request may carry. An NWDAF reports per area
# and type, a few at a time; 960 kB of them once held the store's write lock for 12-20 s.
MAX_REPORTS = 100


def network_performance_from_notifications(
    notifications: list[dict[str, Any]], *, longest: timedelta | None = None
) -> list[NetworkPerformance]:
    """NETWORK_PERFORMANCE reports in schema-valid Nnwdaf_EventsSubscription notifications.

    TS 29.520 5.1.6.2.2. The period is ``anaPeriod``, else the event's ``start`` to
    ``expiry``, else none (the caller decides what an open period means). A period
    longer than ``longest``, or more than ``MAX_REPORTS`` reports, is a ``DocumentError``
    naming the attribute.
    """
    found: list[NetworkPerformance] = []
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
                if len(found) == MAX_REPORTS:
                    raise DocumentError(
                        where,
                        f"at most {MAX_REPORTS} network performance reports per request",
                        optional=True,
                    )
                window = (
                    window_from_document(perf["anaPeriod"], f"{where}/anaPeriod")
                    if "anaPeriod" in perf
                    else default
                )
                if longest is not None and window is not None and window.duration > longest:
                    period = f"{where}/anaPeriod" if "anaPeriod" in perf else f"{pointer}/expiry"
                    hours = longest.total_seconds() / 3600
                    raise DocumentError(
                        period,
                        f"a degradation may last at most {hours:g} hours (operator bound)",
                        optional=True,
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
