"""Turn what a NEF or AF knows about its BDT policies into M6 events, as time passes.

The emitter holds, per media delivery session, the windows the network advertised (the
candidates it offered) and the one selected. It is fed with facts: a policy was offered
or selected (``track``, ``offer``, ``select``), a warning invalidated it (``warning``),
it was removed (``removed``), a selection was refused (``refused``). From them and its
clock it emits:

- an ``Opportunity`` once, when the selected window opens (at once if it is already
  open when it is selected); nothing for a window that has already ended;
- a ``TransferError`` when an advertised window is cancelled before its end: the
  selected one by a warning, a removal or another selection, or a candidate whose
  selection the network refused. A window that has ended cannot be cancelled.

Events reach every ``subscribe``d callback (called synchronously, in the thread that
feeds the fact or polls, outside the emitter's lock) and every ``events()`` async
iterator. Errors are emitted by the call that feeds
the fact; opportunities by ``poll()``, which ``run()`` and ``events()`` call whenever the
next window is due, waiting on the clock in between (a ``ManualClock`` in tests). The
emitter is thread-safe: facts may come from a notification receiver's thread while an
event loop waits for the next window.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nef_client.m6._clock import Clock, SystemClock
from nef_client.m6._events import (
    ErrorReason,
    Event,
    Opportunity,
    TransferError,
    TransferWindow,
    windows,
)

Callback = Callable[[Event], None]


@dataclass
class _Session:
    session_id: str
    volume_quota: int | None = None
    offered: tuple[TransferWindow, ...] = ()
    selected: TransferWindow | None = None
    opened: bool = False
    # Between a warning and the next selection: the candidates of a warning wait for a
    # choice even when there is only one (the PCF keeps the policy invalid until then).
    invalidated: bool = False
    refs: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Listener:
    loop: asyncio.AbstractEventLoop
    wake: asyncio.Event
    inbox: deque[Event]

    def nudge(self) -> None:
        with contextlib.suppress(RuntimeError):  # its loop is closed: it is gone
            self.loop.call_soon_threadsafe(self.wake.set)


class BdtEventEmitter:
    """M6 events from BDT policy facts; see the module docstring.

    Args:
        clock: where "now" comes from (default: the wall clock, UTC).

    """

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock or SystemClock()
        self._lock = threading.RLock()
        self._sessions: dict[str, _Session] = {}
        self._by_ref: dict[str, str] = {}
        self._callbacks: list[Callback] = []
        self._listeners: list[_Listener] = []

    @property
    def clock(self) -> Clock:
        return self._clock

    # -- consumers ----------------------------------------------------------------

    def subscribe(self, callback: Callback) -> Callable[[], None]:
        """Call ``callback`` with every event from now on; returns the unsubscribe."""
        with self._lock:
            self._callbacks.append(callback)

        def unsubscribe() -> None:
            with self._lock, contextlib.suppress(ValueError):
                self._callbacks.remove(callback)

        return unsubscribe

    async def events(self) -> AsyncIterator[Event]:
        """Every event from now on, as it happens (an async generator that never ends)."""
        listener = _Listener(asyncio.get_running_loop(), asyncio.Event(), deque())
        with self._lock:
            self._listeners.append(listener)
        try:
            while True:
                self.poll()
                while listener.inbox:
                    yield listener.inbox.popleft()
                await self._wait(listener.wake)
                listener.wake.clear()
        finally:
            with self._lock:
                self._listeners.remove(listener)

    async def run(self) -> None:
        """Emit opportunities on time to the subscribed callbacks, until cancelled."""
        async for _ in self.events():
            pass

    def poll(self) -> list[Event]:
        """Emit the opportunities that are due now; returns them (empty if none)."""
        now = self._clock.now()
        due: list[Event] = []
        with self._lock:
            for session in list(self._sessions.values()):
                window = session.selected
                if window is None or session.opened:
                    continue
                if window.stop <= now:  # ended unseen (tracked late): nothing to offer
                    session.opened = True
                elif window.start <= now:
                    session.opened = True
                    due.append(_opportunity(session, window))
        self._dispatch(due)
        return due

    def next_due(self) -> datetime | None:
        """When the next selected window opens (None when none is waiting)."""
        with self._lock:
            starts = [
                s.selected.start
                for s in self._sessions.values()
                if s.selected is not None and not s.opened
            ]
        return min(starts, default=None)

    # -- facts ----------------------------------------------------------------------

    def offer(
        self,
        session_id: str,
        candidates: Sequence[TransferWindow],
        *,
        bdt_ref_id: str | None = None,
        volume_quota: int | None = None,
        after_warning: bool = False,
    ) -> None:
        """The network advertised ``candidates`` for the session (none selected yet).

        One candidate alone is final (TS 23.502 4.16.7.2 step 7): it is selected, unless
        it is the only candidate of a warning (``after_warning``, or a ``warning`` seen
        before), which still waits for a selection.
        """
        with self._lock:
            session = self._session(session_id)
            session.invalidated = session.invalidated or after_warning
            if volume_quota is not None:
                session.volume_quota = volume_quota
            if bdt_ref_id is not None:
                session.refs.add(bdt_ref_id)
                self._by_ref[bdt_ref_id] = session_id
            session.offered = tuple(candidates)
            final = len(candidates) == 1 and not session.invalidated
            events = self._select(session, session.offered[0]) if final else []
        self._dispatch(events)
        self._nudge()

    def select(self, session_id: str, window: TransferWindow) -> None:
        """``window`` is now the session's selected window."""
        with self._lock:
            session = self._session(session_id)
            session.invalidated = False
            events = self._select(session, window)
        self._dispatch(events)
        self._nudge()

    def track(self, session_id: str, result: Any, *, volume_quota: int | None = None) -> None:
        """A ``nef_client.PolicyResult`` for the session: its offers and its selection.

        The volume quota defaults to the policy's volume per UE (totalVolume, or downlink
        plus uplink).
        """
        quota = volume_quota if volume_quota is not None else _quota(result.policy)
        self.offer(
            session_id, windows(result.candidates), bdt_ref_id=result.bdt_ref_id, volume_quota=quota
        )
        if result.selected is not None:
            self.select(session_id, TransferWindow.from_pcf(result.selected))

    def warning(
        self, bdt_ref_id: str, candidates: Sequence[TransferWindow] = (), detail: str = ""
    ) -> bool:
        """A BDT warning for ``bdt_ref_id``: the selected window is invalidated.

        ``candidates`` become the advertised windows. Returns False when no session
        has that reference id.
        """
        with self._lock:
            session_id = self._by_ref.get(bdt_ref_id)
            if session_id is None:
                return False
            session = self._sessions[session_id]
            cancelled = session.selected
            session.selected, session.opened = None, False
            session.offered, session.invalidated = tuple(candidates), True
            why = detail or "the network degraded where and when the transfer was planned"
            events = self._cancel(session, cancelled, ErrorReason.NETWORK_DEGRADED, why, candidates)
        self._dispatch(events)
        self._nudge()
        return True

    def removed(self, session_id: str, detail: str = "the transfer policy was removed") -> None:
        """The session's policy no longer exists; the session is forgotten."""
        with self._lock:
            session = self._sessions.pop(session_id, None)
            if session is None:
                return
            for ref in session.refs:
                self._by_ref.pop(ref, None)
            events = self._cancel(session, session.selected, ErrorReason.REMOVED, detail)
        self._dispatch(events)
        self._nudge()

    def refused(self, session_id: str, window: TransferWindow, detail: str) -> None:
        """The network refused the selection of ``window``, an advertised candidate."""
        with self._lock:
            session = self._session(session_id)
            session.offered = tuple(w for w in session.offered if w != window)
            events = self._cancel(session, window, ErrorReason.REFUSED, detail)
        self._dispatch(events)

    def sessions(self) -> dict[str, TransferWindow | None]:
        """Each session's selected window (None while nothing is selected)."""
        with self._lock:
            return {sid: s.selected for sid, s in self._sessions.items()}

    # -- inside -----------------------------------------------------------------------

    def _session(self, session_id: str) -> _Session:
        session = self._sessions.get(session_id)
        if session is None:
            session = self._sessions[session_id] = _Session(session_id)
        return session

    def _select(self, session: _Session, window: TransferWindow) -> list[Event]:
        previous = session.selected
        if previous == window:
            return []
        session.selected, session.opened = window, False
        detail = f"window {window.window_id} was selected instead"
        return self._cancel(session, previous, ErrorReason.REPLACED, detail)

    def _cancel(
        self,
        session: _Session,
        window: TransferWindow | None,
        reason: ErrorReason,
        detail: str,
        candidates: Sequence[TransferWindow] = (),
    ) -> list[Event]:
        """The error for cancelling ``window``, if it was advertised and has not ended."""
        if window is None or window.stop <= self._clock.now():
            return []
        return [TransferError(session.session_id, reason, detail, window, tuple(candidates))]

    def _dispatch(self, events: list[Event]) -> None:
        """Hand events to every consumer; called without holding the lock."""
        if not events:
            return
        with self._lock:
            callbacks, listeners = list(self._callbacks), list(self._listeners)
        for callback in callbacks:
            for event in events:
                callback(event)
        for listener in listeners:
            listener.inbox.extend(events)
            listener.nudge()

    def _nudge(self) -> None:
        """Wake the waiting iterators: what is due next may have changed."""
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener.nudge()

    async def _wait(self, wake: asyncio.Event) -> None:
        """Until the next window is due or a fact arrives, whichever comes first."""
        due = self.next_due()
        waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(wake.wait())]
        if due is not None:
            waits.append(asyncio.ensure_future(self._clock.sleep_until(due)))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
            await asyncio.gather(*waits, return_exceptions=True)


def _opportunity(session: _Session, window: TransferWindow) -> Opportunity:
    return Opportunity(
        session_id=session.session_id,
        start=window.start,
        stop=window.stop,
        volume_quota=session.volume_quota,
        max_uplink_bps=window.max_uplink_bps,
        max_downlink_bps=window.max_downlink_bps,
        window_id=window.window_id,
    )


def _quota(policy: Any) -> int | None:
    """Bytes per UE of an Npcf BdtPolicy's request (None when it does not say)."""
    request = getattr(policy, "bdt_req_data", None)
    volume = getattr(request, "vol_per_ue", None)
    return volume_of(volume)


def volume_of(volume: Any) -> int | None:
    """Bytes of a UsageThreshold of either API: totalVolume, else downlink + uplink."""
    if volume is None:
        return None
    total = getattr(volume, "total_volume", None)
    if isinstance(total, int):
        return total
    parts = [getattr(volume, name, None) for name in ("downlink_volume", "uplink_volume")]
    numbers = [part for part in parts if isinstance(part, int)]
    return sum(numbers) if numbers else None
