"""Time for the M6 events: the wall clock, or one a test moves by hand."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol

# The system clock re-reads the time at least this often while it waits, so that a
# wall clock that jumps (NTP, a suspended laptop) delays an event by no more than this.
_RECHECK_SECONDS = 30.0


class Clock(Protocol):
    """What the event emitter needs of time: now, and a way to wait for a moment."""

    def now(self) -> datetime:
        """The current time, time-zone aware."""
        ...

    async def sleep_until(self, moment: datetime) -> None:
        """Return once ``now()`` has reached ``moment`` (at once if it has already)."""
        ...


class SystemClock:
    """The wall clock (UTC)."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep_until(self, moment: datetime) -> None:
        while (left := (moment - self.now()).total_seconds()) > 0:
            await asyncio.sleep(min(left, _RECHECK_SECONDS))


class ManualClock:
    """A clock that moves only when told to: tests drive the events with it, no sleeping.

    ``advance`` and ``set`` wake every ``sleep_until`` whose moment has come, on the event
    loop it waits in (so they may be called from any thread).
    """

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the clock's time needs a time zone")
        self._now = start
        self._sleepers: list[tuple[datetime, asyncio.Future[None]]] = []

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward by ``delta``; returns the new time."""
        return self.set(self._now + delta)

    def set(self, moment: datetime) -> datetime:
        """Move the clock to ``moment`` (never backwards); returns the new time."""
        if moment < self._now:
            raise ValueError("a manual clock does not go back")
        self._now = moment
        still = []
        for until, future in self._sleepers:
            if until <= moment:
                future.get_loop().call_soon_threadsafe(_resolve, future)
            else:
                still.append((until, future))
        self._sleepers = still
        return moment

    async def sleep_until(self, moment: datetime) -> None:
        if moment <= self._now:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (moment, future)
        self._sleepers.append(entry)
        try:
            await future
        finally:
            if entry in self._sleepers:
                self._sleepers.remove(entry)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
