"""Human units for both command lines: "500MB", "2h", ISO 8601 times, "now", "+1d"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_VOLUME = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?i?b?)\s*$", re.IGNORECASE)
_POWERS = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)", re.IGNORECASE)
_ISO_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?"
    r"(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)
_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_volume(text: str) -> int:
    """Bytes from "500MB" (SI, 10^6), "1.5GiB" (binary, 2^30), "200k" or a plain number."""
    match = _VOLUME.match(text)
    if match is None:
        raise ValueError(f"not a volume: {text!r} (e.g. 500MB, 1.5GiB, 1000)")
    number, unit = float(match.group(1)), match.group(2).lower()
    binary = "i" in unit
    prefix = unit.rstrip("b").rstrip("i")
    base = 1024 if binary else 1000
    return round(number * float(base ** _POWERS[prefix]))


def parse_duration(text: str) -> timedelta:
    """A duration from "2h", "1h30m", "90s", "2d" or ISO 8601 ("PT2H")."""
    text = text.strip()
    iso = _ISO_DURATION.match(text)
    if iso and any(iso.groupdict().values()):
        seconds = sum(float(v) * _SECONDS[k] for k, v in iso.groupdict().items() if v)
        return timedelta(seconds=seconds)
    parts = _DURATION_PART.findall(text)
    if not parts or _DURATION_PART.sub("", text).strip():
        raise ValueError(f"not a duration: {text!r} (e.g. 2h, 1h30m, 45m, PT2H)")
    return timedelta(seconds=sum(float(n) * _SECONDS[u.lower()] for n, u in parts))


def parse_time(text: str, now: datetime | None = None) -> datetime:
    """A time from ISO 8601 (no offset means UTC), "now", or "+DURATION" from now."""
    now = now or datetime.now(UTC)
    text = text.strip()
    if text.lower() == "now":
        return now
    if text.startswith("+"):
        return now + parse_duration(text[1:])
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not a time: {text!r} (e.g. 2031-03-01T01:00Z, now, +2h)") from exc
    return value if value.tzinfo else value.replace(tzinfo=UTC)
