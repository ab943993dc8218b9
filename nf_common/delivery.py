"""Reliable delivery of notifications from an outbox: the PCF's to NEFs, the NEF's to AFs.

The use cases write notifications to an outbox table in the transaction that decides
them; a sender, one per server worker process, takes due rows and POSTs them. It sees
the outbox only through ``nf_common.ports.DeliveryQueue`` (claim due rows, the next due
time, delivered, failed), opened in a unit of work of the owner's store, so the PCF's
and the NEF gateway's outboxes are sent by this one sender:

- a row is *claimed* by moving its ``next_attempt_at`` one lease ahead inside a write
  transaction, so two workers (or two instances on one database) do not send it at
  the same time; if a sender dies mid-delivery the lease runs out and another retries:
  delivery is at least once, and a notification is lost neither when the receiver is
  down nor when the sender restarts (the rows are on disk);
- 2xx deletes the row; 307/308 are followed (httpx keeps method and body); 5xx, 408,
  425, 429 and transient transport errors (timeouts, refused or broken connections, a
  peer breaking the protocol) retry with exponential backoff and jitter, honouring
  ``Retry-After``; other 4xx mean the receiver will never take it, and the row is kept
  as ``dead`` for the operator, as is one still undelivered after ``give_up_after``;
- anything else is permanent too, and dead at once: a URI httpx cannot parse or send
  (``InvalidURL``, ``UnsupportedProtocol``: retrying cannot change it), a redirect loop,
  or an error nobody foresaw. Each row is delivered on its own, so one bad row never
  holds up the others of its batch;
- each destination (scheme, host and port) gets at most ``per_destination`` requests at
  a time when that is set, so one slow or dead receiver cannot take every connection,
  nor be flooded;
- ``https://`` URIs negotiate HTTP/2 or HTTP/1.1 by ALPN. ``http://`` URIs are spoken
  HTTP/2 with prior knowledge (h2c) when ``h2c`` is set, as the SBI wants (TS 29.500
  clause 5.2), and an origin that turns out not to speak it gets HTTP/1.1 from then on
  (``nf_common.http_version``);
  without ``h2c`` (northbound APIs, whose AFs seldom speak h2c) they get HTTP/1.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx

from nf_common.http_version import H2cOrigins, origin
from nf_common.ports import DeliveryObserver, OutboxItem, QueueUnitOfWorkFactory
from nf_common.retry_after import parse_retry_after

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
    per_destination: int | None = None  # requests at a time to one destination; None: any
    h2c: bool = True  # http:// URIs over HTTP/2 with prior knowledge; False: HTTP/1.1

    def retry_delay(self, attempts: int) -> float:
        delay: float = min(self.max_retry, self.first_retry * 2.0 ** min(attempts, 30))
        return delay * random.uniform(0.5, 1.0)


_RETRYABLE = {408, 425, 429}
# Transport errors worth another try: the receiver may be restarting, slow or overloaded.
# UnsupportedProtocol, LocalProtocolError (we sent something wrong) and the like are not.
_TRANSIENT = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.ProxyError,
)


class NotificationSender:
    """Sends an outbox; ``run`` for a server, ``deliver_due`` rounds for tests."""

    def __init__(
        self,
        unit_of_work: QueueUnitOfWorkFactory,
        policy: DeliveryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        observer: DeliveryObserver | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._policy = policy or DeliveryPolicy()
        self._clock = clock
        self._observer = observer
        self._running = False
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._origins = H2cOrigins()
        self._slots: defaultdict[str, contextlib.AbstractAsyncContextManager[object]]

    @property
    def running(self) -> bool:
        """Whether ``run`` is delivering (a server's readiness depends on it)."""
        return self._running

    def wake(self) -> None:
        """Look at the outbox now; safe to call from any thread (handlers run in a pool)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    @contextlib.asynccontextmanager
    async def connected(self) -> AsyncIterator[None]:
        """Open the HTTP clients ``deliver_due`` uses, for the duration of the block.

        Separate from ``run`` so that tests can drive single delivery rounds.
        """
        p = self._policy
        limits = httpx.Limits(max_keepalive_connections=20)

        def client(http1: bool, http2: bool) -> httpx.AsyncClient:
            return httpx.AsyncClient(
                http1=http1, http2=http2, follow_redirects=True, timeout=p.timeout, limits=limits
            )

        limit = p.per_destination

        def slot() -> contextlib.AbstractAsyncContextManager[object]:
            return contextlib.nullcontext() if limit is None else asyncio.Semaphore(limit)

        async with (
            client(False, True) as h2c,
            client(True, True) as alpn,
            client(True, False) as h1,
        ):
            self._clients = (h2c, alpn, h1)
            # Per destination, bound to this block's event loop like the clients.
            self._slots = defaultdict(slot)
            yield

    async def run(self) -> None:
        """Deliver until cancelled, holding connections only while something is due.

        An idle HTTP/2 connection would keep its server from stopping gracefully (it
        waits for clients to close them), and a PCF and a NEF gateway deliver to each
        other: so the clients are closed as soon as a round finds nothing to send.
        """
        self._loop = asyncio.get_running_loop()
        self._running = True
        try:
            await self._run()
        finally:
            self._running = False

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                wait = await asyncio.to_thread(self._until_next_due)
                if wait <= 0:
                    async with self.connected():
                        while await self._round():
                            pass
                    continue
            except Exception:  # the loop must outlive a bad row or a busy database
                log.exception("notification delivery failed")
                wait = self._policy.poll
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def _round(self) -> int:
        try:
            return await self.deliver_due()
        except Exception:  # as in run: a busy database must not end the sender
            log.exception("notification delivery failed")
            return 0

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
        # One row's failure (a busy database while recording it) must not abandon the
        # others: each is awaited on its own, and a row whose outcome could not be
        # recorded is simply claimed again when its lease runs out.
        results = await asyncio.gather(
            *(self._deliver(item) for item in items), return_exceptions=True
        )
        for item, result in zip(items, results, strict=True):
            if isinstance(result, BaseException):
                if not isinstance(result, Exception):
                    raise result  # cancellation and the like are not ours to swallow
                log.error("delivering notification %s failed", item.item_id, exc_info=result)
        return len(items)

    async def _post(self, item: OutboxItem) -> httpx.Response:
        url = httpx.URL(item.uri)
        async with self._slots[origin(url)]:
            return await self._post_to(item, url)

    async def _post_to(self, item: OutboxItem, url: httpx.URL) -> httpx.Response:
        h2c, alpn, h1 = self._clients
        headers = {"content-type": "application/json"}
        if url.scheme == "https":
            return await alpn.post(item.uri, content=item.body, headers=headers)
        if not self._policy.h2c:
            return await h1.post(item.uri, content=item.body, headers=headers)
        return await self._origins.send_async(
            url,
            lambda: h2c.post(item.uri, content=item.body, headers=headers),
            lambda: h1.post(item.uri, content=item.body, headers=headers),
        )

    async def _deliver(self, item: OutboxItem) -> None:
        retry_after: float | None = None
        try:
            response = await self._post(item)
        except _TRANSIENT as exc:
            error = f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # permanent: a retry cannot change it
            error = f"{type(exc).__name__}: {exc}"
            await asyncio.to_thread(self._failed, item, error, None)
            return
        else:
            if response.is_success:
                await asyncio.to_thread(self._done, item)
                return
            error = f"HTTP {response.status_code}"
            if response.status_code < 500 and response.status_code not in _RETRYABLE:
                await asyncio.to_thread(self._failed, item, error, None)
                return
            retry_after = parse_retry_after(response.headers.get("retry-after"), self._clock())
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
        if self._observer is not None:
            self._observer.delivered(item, max(0.0, self._clock() - item.created_at))

    def _failed(self, item: OutboxItem, error: str, retry_at: float | None) -> None:
        with self._uow() as uow:
            uow.outbox.failed(item.item_id, error, retry_at)
            uow.commit()
        if self._observer is not None:
            self._observer.failed(item, error, dead=retry_at is None)
        elif retry_at is None:
            log.warning("giving up notification %s to %s: %s", item.item_id, item.uri, error)
