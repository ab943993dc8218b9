"""M6 events (TS 26.512 10.3) from the gateway's store: what the NEF knows, as it changes.

Each subscription is a media delivery session (its id by default). ``StoreEvents.refresh``
reads the store and feeds a ``nef_client.m6.BdtEventEmitter`` with what changed since the
last refresh: new offers and selections, warnings (a subscription turned invalid: its
selected window is cancelled, the new candidates advertised) and ended subscriptions.
``watch`` refreshes on a period and prints the events (``nef-bdt events --gateway-db``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from nef_client.m6 import BdtEventEmitter, Event, TransferWindow
from nef_gateway.domain import Subscription
from nef_gateway.storage import SqliteStore


def _quota(request: Mapping[str, Any]) -> int | None:
    volume = request.get("volumePerUE") or {}
    if volume.get("totalVolume") is not None:
        return int(volume["totalVolume"])
    parts = [volume.get(name) for name in ("downlinkVolume", "uplinkVolume")]
    numbers = [int(part) for part in parts if part is not None]
    return sum(numbers) if numbers else None


class StoreEvents:
    """Feeds an emitter from a gateway database; see the module docstring."""

    def __init__(
        self,
        db: Path | str,
        emitter: BdtEventEmitter,
        session_of: Callable[[Subscription], str] = lambda s: s.subscription_id,
    ) -> None:
        self._store = SqliteStore(db)
        self._emitter = emitter
        self._session_of = session_of
        self._seen: dict[str, tuple[int, str, bool]] = {}  # id -> (version, session, valid)

    def refresh(self) -> None:
        """Read the store once and tell the emitter what changed."""
        with self._store.unit_of_work(write=False) as uow:
            current = {s.subscription_id: s for s in uow.subscriptions.all()}
        for subscription_id in list(self._seen):
            if subscription_id not in current:
                _, session_id, _ = self._seen.pop(subscription_id)
                self._emitter.removed(session_id, "the BDT subscription ended")
        for subscription in current.values():
            self._update(subscription)

    def _update(self, subscription: Subscription) -> None:
        before = self._seen.get(subscription.subscription_id)
        if before is not None and before[0] == subscription.version:
            return
        session_id = self._session_of(subscription)
        self._seen[subscription.subscription_id] = (
            subscription.version,
            session_id,
            subscription.valid,
        )
        offered = [TransferWindow.from_document(tp) for tp in subscription.transfer_policies]
        if before is not None and before[2] and not subscription.valid:
            self._emitter.warning(subscription.bdt_ref_id, offered)
            return
        self._emitter.offer(
            session_id,
            offered,
            bdt_ref_id=subscription.bdt_ref_id,
            volume_quota=_quota(subscription.request),
            after_warning=not subscription.valid,
        )
        chosen = [w for w in offered if w.window_id == subscription.selected]
        if chosen:
            self._emitter.select(session_id, chosen[0])


async def watch(
    db: Path | str,
    emitter: BdtEventEmitter,
    show: Callable[[Event], None],
    *,
    refresh_seconds: float = 1.0,
) -> None:
    """Print (``show``) the events of every subscription in the store until cancelled."""
    source = StoreEvents(db, emitter)
    emitter.subscribe(show)
    runner = asyncio.ensure_future(emitter.run())
    try:
        while True:
            await asyncio.to_thread(source.refresh)
            await asyncio.sleep(refresh_seconds)
    finally:
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
