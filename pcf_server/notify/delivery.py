"""Delivery of BDT warning notifications to NEFs (the PCF as an HTTP client).

The use cases write notifications to the outbox table in the transaction that decides
them; this sender, one per server worker process, takes due rows and POSTs them:

- a row is *claimed* by moving its ``next_attempt_at`` one lease ahead inside a write
  transaction, so two workers (or two PCF instances on one database) do not send it at
  the same time; if a sender dies mid-delivery the lease runs out and another retries:
  delivery is at least once, and a notification is lost neither when the NEF is down nor
  when the PCF restarts (the rows are on disk);
- 2xx deletes the row; 307/308 are followed (httpx keeps method and body); 5xx, 408,
  429 and transport errors retry with exponential backoff and jitter, honouring
  ``Retry-After``; other 4xx mean the NEF will never take it, and the row is kept as
  ``dead`` for the operator, as is one still undelivered after ``give_up_after``;
- ``http://`` URIs are spoken HTTP/2 with prior knowledge (h2c), as the SBI wants; an
  origin that turns out not to speak it gets HTTP/1.1 from then on. ``https://`` URIs
  negotiate HTTP/2 or HTTP/1.1 by ALPN.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from pcf_server.storage.capacity import OutboxItem
from pcf_server.storage.repository import UnitOfWorkFactory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryPolicy:
    first_retry: float = 0.5  # seconds; doubles each attempt
    max_retry: float = 60.0
    give_up_after: float = 24 * 3600.0
    lease: float = 30.0  # how long a claimed row is ours
    poll: float = 1.0  # look for rows other workers wrote, this often
    timeout: float = 10.0
    batch: int = 20

    def retry_delay(self, attempts: int) -> float:
        delay: float = min(self.max_retry, self.first_retry * 2.0 ** min(attempts, 30))
        return delay * random.uniform(0.5, 1.0)


_RETRYABLE = {408, 425, 429}


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    if value.isdigit():
        return float(value)
    with contextlib.suppress(TypeError, ValueError):
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    return None


class NotificationSender:
    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        policy: DeliveryPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._uow = unit_of_work
        self._policy = policy or DeliveryPolicy()
        self._clock = clock
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._h1_only: set[str] = set()

    def wake(self) -> None:
        """Look at the outbox now; safe to call from any thread (handlers run in a pool)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        p = self._policy
        limits = httpx.Limits(max_keepalive_connections=20)

        def client(http1: bool, http2: bool) -> httpx.AsyncClient:
            return httpx.AsyncClient(
                http1=http1, http2=http2, follow_redirects=True, timeout=p.timeout, limits=limits
            )

        async with (
            client(False, True) as h2c,
            client(True, True) as alpn,
            client(True, False) as h1,
        ):
            self._clients = (h2c, alpn, h1)
            while True:
                try:
                    sent = await self.deliver_due()
                except Exception:  # the loop must outlive a bad row or a busy database
                    log.exception("notification delivery failed")
                    sent = 0
                if sent:
                    continue
                wait = await asyncio.to_thread(self._until_next_due)
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=wait)

    def _until_next_due(self) -> float:
        with self._uow(write=False) as uow:
            due = uow.outbox.next_due()
        if due is None:
            return self._policy.poll
        return min(self._policy.poll, max(0.0, due - self._clock()))

    def _claim(self) -> list[OutboxItem]:
        with self._uow() as uow:
            items = uow.outbox.claim_due(self._clock(), self._policy.lease, self._policy.batch)
            uow.commit()
        return items

    async def deliver_due(self) -> int:
        """Try every due notification once; returns how many were claimed."""
        items = await asyncio.to_thread(self._claim)
        await asyncio.gather(*(self._deliver(item) for item in items))
        return len(items)

    async def _post(self, item: OutboxItem) -> httpx.Response:
        h2c, alpn, h1 = self._clients
        headers = {"content-type": "application/json"}
        url = httpx.URL(item.uri)
        origin = f"{url.scheme}://{url.netloc.decode()}"
        if url.scheme == "https":
            return await alpn.post(item.uri, content=item.body, headers=headers)
        if origin not in self._h1_only:
            try:
                return await h2c.post(item.uri, content=item.body, headers=headers)
            except httpx.RemoteProtocolError:
                # Connected, but the peer does not speak h2c: HTTP/1.1 from now on.
                log.info("%s does not speak h2c; using HTTP/1.1", origin)
                self._h1_only.add(origin)
        return await h1.post(item.uri, content=item.body, headers=headers)

    async def _deliver(self, item: OutboxItem) -> None:
        retry_after: float | None = None
        try:
            response = await self._post(item)
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        else:
            if response.is_success:
                await asyncio.to_thread(self._done, item)
                return
            error = f"HTTP {response.status_code}"
            if response.status_code < 500 and response.status_code not in _RETRYABLE:
                await asyncio.to_thread(self._failed, item, error, None)
                return
            retry_after = _retry_after(response)
        now = self._clock()
        retry_at = now + (retry_after or self._policy.retry_delay(item.attempts))
        if retry_at - item.created_at > self._policy.give_up_after:
            await asyncio.to_thread(self._failed, item, error, None)
        else:
            await asyncio.to_thread(self._failed, item, error, retry_at)

    def _done(self, item: OutboxItem) -> None:
        with self._uow() as uow:
            uow.outbox.delivered(item.item_id)
            uow.commit()

    def _failed(self, item: OutboxItem, error: str, retry_at: float | None) -> None:
        if retry_at is None:
            log.warning("giving up notification %s to %s: %s", item.item_id, item.uri, error)
        with self._uow() as uow:
            uow.outbox.failed(item.item_id, error, retry_at)
            uow.commit()
