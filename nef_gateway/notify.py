"""Delivery of BDT warning notifications to AFs (TS 29.122 ExNotification).

The same reliable delivery as the PCF's (``pcf_server/notify``), on the gateway's own
outbox table: rows written in the transaction that stored the PCF's warning are claimed
with a lease (so two senders never send one row at once, and a row of a sender that died
is sent again when its lease runs out: at least once), POSTed, and deleted on 2xx.
307/308 are followed with method and body; 5xx, 408, 425, 429 and transport errors are
retried with exponential backoff and jitter, honouring ``Retry-After``, for up to
``give_up_after``; other answers, and URIs that can never be sent, leave the row ``dead``
with its error. Each destination (scheme, host, port) gets at most ``per_destination``
requests at a time, so one slow or dead AF cannot take every connection, nor be flooded.

AFs are reached over HTTP/1.1 or HTTP/2 as ALPN decides for ``https://``, and over
HTTP/1.1 for ``http://``: northbound APIs are not the SBI, and an AF's web server speaking
h2c with prior knowledge is the exception.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import logging
import random
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx

from nef_gateway.service import UnitOfWorkFactory
from nef_gateway.storage import OutboxItem

log = logging.getLogger(__name__)

_RETRYABLE = {408, 425, 429}
_TRANSIENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class DeliveryPolicy:
    first_retry: float = 0.5  # seconds; doubles each attempt
    max_retry: float = 60.0
    give_up_after: float = 24 * 3600.0
    lease: float = 30.0
    poll: float = 1.0
    timeout: float = 10.0
    batch: int = 20
    per_destination: int = 4

    def retry_delay(self, attempts: int) -> float:
        delay: float = min(self.max_retry, self.first_retry * 2.0 ** min(attempts, 30))
        return delay * random.uniform(0.5, 1.0)


def _retry_after(response: httpx.Response, now: float) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    if value.isdigit():
        return float(value)
    with contextlib.suppress(TypeError, ValueError):
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - now)
    return None


def _destination(uri: str) -> str:
    try:
        url = httpx.URL(uri)
    except httpx.InvalidURL:
        return uri
    return f"{url.scheme}://{url.netloc.decode()}"


class NotificationSender:
    """Sends the outbox to AFs; ``run`` for a server, ``deliver_due`` rounds for tests."""

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
        self._slots: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(self._policy.per_destination)
        )
        self._http: httpx.AsyncClient | None = None

    def wake(self) -> None:
        """Look at the outbox now; safe from any thread (handlers run in a pool)."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    @contextlib.asynccontextmanager
    async def connected(self) -> AsyncIterator[None]:
        """The HTTP client ``deliver_due`` uses, open for the duration of the block."""
        limits = httpx.Limits(max_connections=None, max_keepalive_connections=20)
        async with httpx.AsyncClient(
            http1=True, http2=True, follow_redirects=True, timeout=self._policy.timeout,
            limits=limits,
        ) as http:  # fmt: skip
            self._http = http
            try:
                yield
            finally:
                self._http = None

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        async with self.connected():
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
        results = await asyncio.gather(
            *(self._deliver(item) for item in items), return_exceptions=True
        )
        for item, result in zip(items, results, strict=True):
            if isinstance(result, BaseException):
                if not isinstance(result, Exception):
                    raise result
                log.error("delivering notification %s failed", item.item_id, exc_info=result)
        return len(items)

    async def _post(self, item: OutboxItem) -> httpx.Response:
        assert self._http is not None, "deliver inside connected()"
        async with self._slots[_destination(item.uri)]:
            return await self._http.post(
                item.uri, content=item.body, headers={"content-type": "application/json"}
            )

    async def _deliver(self, item: OutboxItem) -> None:
        retry_after: float | None = None
        try:
            response = await self._post(item)
        except _TRANSIENT as exc:
            error = f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # permanent: a URI httpx cannot send, a redirect loop
            await asyncio.to_thread(self._failed, item, f"{type(exc).__name__}: {exc}", None)
            return
        else:
            if response.is_success:
                await asyncio.to_thread(self._done, item)
                return
            error = f"HTTP {response.status_code}"
            if response.status_code < 500 and response.status_code not in _RETRYABLE:
                await asyncio.to_thread(self._failed, item, error, None)
                return
            retry_after = _retry_after(response, self._clock())
        now = self._clock()
        retry_at = now + (retry_after or self._policy.retry_delay(item.attempts))
        give_up = retry_at - item.created_at > self._policy.give_up_after
        await asyncio.to_thread(self._failed, item, error, None if give_up else retry_at)

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
