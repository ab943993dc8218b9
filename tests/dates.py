"""Dates for tests, built from the real now so that the suite passes on any day.

A fixed date used as "the future" fails once the calendar reaches it, and the PCF
refuses desired windows that have already ended. Tests therefore ask for a day some
distance ahead, on a given weekday where the load profiles and tariffs care about it
(they differ at weekends), and write instants relative to it. Tests whose code takes an
injected clock derive that clock from the same days, so nothing depends on the calendar.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)


def future_day(weekday: int | None = None, *, days_ahead: int = 30) -> datetime:
    """Midnight UTC at least ``days_ahead`` days from now, on ``weekday`` when given.

    Far enough ahead that nothing a test does in the meantime (time passing, holds,
    search horizons) reaches it, near enough to stay within any year limit.
    """
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    day = today + timedelta(days=days_ahead)
    if weekday is not None:
        day += timedelta(days=(weekday - day.weekday()) % 7)
    return day


def iso(moment: datetime) -> str:
    """RFC 3339 in UTC with ``Z``, as the PCF writes it."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def window(start: datetime, stop: datetime) -> dict[str, str]:
    """A TS 29.571 TimeWindow document."""
    return {"startTime": iso(start), "stopTime": iso(stop)}
