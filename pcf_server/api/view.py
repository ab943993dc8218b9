"""Handlers of the operator's picture: the timeline JSON, its HTML pages and their scripts.

The pages are static HTML filled with the base path and the area id; their script
(``view/timeline.js``) reads ``GET .../areas/{areaId}/timeline`` and draws it with
Chart.js, vendored in ``view/vendor`` (the PCF runs in closed networks: no CDN).
``pcf-bdt timeline`` draws the same JSON into a PNG or SVG file (``pcf_server.picture``).
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from nf_common.problems import problem_document
from pcf_server.service.network_events import DegradationRecord, NetworkEvents
from pcf_server.service.timeline import LONGEST_RANGE, AreaTimeline, DirectionTimeline
from pcf_server.settings import ADMIN_BASE_PATH
from pcf_server.wire.errors import DocumentError
from pcf_server.wire.units import format_datetime, parse_datetime, window_to_document

VIEW = Path(__file__).resolve().parent / "view"
DEFAULT_RANGE = timedelta(hours=48)
# What the pages may load, by the name in their URL: nothing else is served.
_STATIC = {
    "chart.umd.min.js": (VIEW / "vendor" / "chart.umd.min.js", "text/javascript"),
    "timeline.js": (VIEW / "timeline.js", "text/javascript"),
    "view.css": (VIEW / "view.css", "text/css"),
}
_JSON = {"Content-Type": "application/json"}
# The pages load only what the PCF serves (no inline script, nothing from elsewhere).
_HTML = {
    "Content-Type": "text/html",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:",
}
Reply = tuple[Any, int, dict[str, str]]


@cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _page(name: str, area_id: str = "") -> str:
    return (
        _read(VIEW / name)
        .replace("{{root}}", html.escape(ADMIN_BASE_PATH))
        .replace("{{area}}", html.escape(area_id))
    )


def time_range(
    text_from: str | None, text_to: str | None, now: datetime
) -> tuple[datetime, datetime]:
    """The range asked for: ``from`` (default now) to ``to`` (default 48 h later)."""
    start = now if text_from is None else parse_datetime(text_from, "from")
    stop = start + DEFAULT_RANGE if text_to is None else parse_datetime(text_to, "to")
    if stop <= start:
        raise DocumentError("to", "must be later than from")
    if stop - start > LONGEST_RANGE:
        raise DocumentError("to", f"the range may be at most {LONGEST_RANGE.days} days long")
    return start, stop


def _direction(series: DirectionTimeline) -> dict[str, Any]:
    return {
        "limit": series.limit,
        "expected": series.expected,
        "committed": series.committed,
        "held": series.held,
    }


def degradation_document(record: DegradationRecord) -> dict[str, Any]:
    return {
        "id": str(record.degradation_id),
        "areaId": record.area_id,
        "timeWindow": window_to_document(record.window),
        "factor": record.factor,
        "source": record.source,
    }


def timeline_document(
    timeline: AreaTimeline, degradations: list[DegradationRecord]
) -> dict[str, Any]:
    return {
        "areaId": timeline.area_id,
        "slotSeconds": timeline.slot_seconds,
        "slots": [format_datetime(slot) for slot in timeline.slots],
        "stop": format_datetime(timeline.stop),
        "capacity": {
            "downlink": timeline.capacity.downlink,
            "uplink": timeline.capacity.uplink,
        },
        "utilisationCeiling": timeline.utilisation_ceiling,
        "downlink": _direction(timeline.downlink),
        "uplink": _direction(timeline.uplink),
        "degradations": [degradation_document(d) for d in degradations],
    }


class ViewHandlers:
    """The picture's operations; ``NetworkHandlers`` serves them with the operator API."""

    _events: NetworkEvents

    def get_area_timeline(
        self, area_id: str, from_: str | None = None, to: str | None = None
    ) -> Reply:
        start, stop = time_range(from_, to, self._events.now())
        timeline, degradations = self._events.timeline(area_id, start, stop)
        return timeline_document(timeline, degradations), 200, _JSON

    def view_areas(self) -> Reply:
        return _page("areas.html"), 200, _HTML

    def view_area(self, area_id: str) -> Reply:
        self._events.check_area(area_id)
        return _page("area.html", area_id), 200, _HTML

    def view_static(self, name: str) -> Reply:
        found = _STATIC.get(name)
        if found is None:
            return _no_such_file(name)
        path, media_type = found
        return _read(path), 200, {"Content-Type": media_type, "Cache-Control": "max-age=3600"}


def _no_such_file(name: str) -> Reply:
    document = problem_document(404, None, detail=f"no file {name!r} here")
    return document, 404, {"Content-Type": "application/problem+json"}
