"""TS 29.571 BitRate and DateTime strings, and TimeWindow documents."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

# BitRate strings are read and written by the shared module, as by the NEF's side.
from nf_common.bitrate import BITRATE_PATTERN as BITRATE_PATTERN
from nf_common.bitrate import format_bitrate as format_bitrate
from nf_common.bitrate import parse_bitrate as parse_bitrate
from pcf_server.policy.model import TimeWindow
from pcf_server.wire.errors import DocumentError


def read_datetime(text: str) -> datetime:
    """An RFC 3339 date-time; raises ``ValueError`` if it is not one Python can read.

    RFC 3339 section 5.6 lets ``T`` and ``Z`` be lowercase; ``fromisoformat`` wants them
    upper-case, and nothing else in a date-time has a case.
    """
    return datetime.fromisoformat(text.upper())


def parse_datetime(text: str, pointer: str) -> datetime:
    """A date-time of an incoming document, checked as the PCF needs it."""
    try:
        value = read_datetime(text)
    except ValueError as exc:
        raise DocumentError(pointer, f"not an RFC 3339 date-time: {text!r}") from exc
    if value.tzinfo is None:
        raise DocumentError(pointer, "date-time needs a time zone offset (RFC 3339)")
    try:
        # Every instant is handled in UTC later on; 0001-01-01T00:00:00+01:00 has none.
        value.astimezone(UTC)
    except OverflowError as exc:
        raise DocumentError(pointer, f"date-time out of range: {text!r}") from exc
    return value


def format_datetime(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def window_from_document(doc: dict[str, Any], pointer: str) -> TimeWindow:
    """A TimeWindow of an incoming document: both instants valid, stop after start."""
    start = parse_datetime(doc["startTime"], f"{pointer}/startTime")
    stop = parse_datetime(doc["stopTime"], f"{pointer}/stopTime")
    if stop <= start:
        raise DocumentError(f"{pointer}/stopTime", "stopTime must be later than startTime")
    return TimeWindow(start, stop)


def read_window(doc: dict[str, Any]) -> TimeWindow:
    """A TimeWindow the PCF has already accepted once (a stored one): no check again."""
    return TimeWindow(read_datetime(doc["startTime"]), read_datetime(doc["stopTime"]))


def window_to_document(window: TimeWindow) -> dict[str, str]:
    return {"startTime": format_datetime(window.start), "stopTime": format_datetime(window.stop)}
