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
- 2xx deletes the row; 307/308 are followed with method and body, at most
  ``MAX_REDIRECTS`` times, each new target checked like the first (a redirect to a
  destination the operator refuses kills the row); 5xx, 408, 425, 429 and transient
  transport errors (timeouts, refused or broken connections, a peer breaking the
  protocol) retry with exponential backoff and jitter, honouring
  ``Retry-After``; other 4xx mean the receiver will never take it, and the row is kept
  as ``dead`` for the operator, as is one still undelivered after ``give_up_after``;
- anything else is permanent too, and dead at once: a URI httpx cannot parse or send
  (``InvalidURL``, ``UnsupportedProtocol``: retrying cannot change it), a redirect loop,
  or an error nobody foresaw. Each row is delivered on its own, so one bad row never
  holds up the others of its batch;
- every connection goes to an address checked against the operator's allow-list
  (``nf_common.destinations``) when it is made: the host name is resolved by the sender
  itself and the connection made to the checked address (TLS still names the host), so
  a DNS answer that changes after the check cannot send it elsewhere;
- one receiver cannot hold up the others: each POST has a total deadline (``timeout``:
  connecting, sending, the answer and redirects together, however slowly the answer
  trickles), of an answer's body no more than ``max_answer_bytes`` is read, each
  destination (scheme, host and port) gets at most ``per_destination`` requests at a
  time (rows beyond that wait in the outbox, not in memory), and ``run`` starts each
  row as soon as it is due and a slot is free, never waiting for another row's end;
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
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass

import httpcore
import httpx

from nf_common.destinations import DestinationRefused, Destinations
from nf_common.http_version import H2cOrigins
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
    timeout: float = 10.0  # the whole of one POST, redirects and answer included
    batch: int = 20  # rows claimed at a time
    in_flight: int = 100  # rows being delivered at a time, all destinations together
    # Requests at a time to one destination (None: any). A NEF is an SBI server taking
    # many HTTP/2 streams at once; the gateway's AFs get fewer (nef_gateway.notify).
    per_destination: int | None = 16
    max_answer_bytes: int = 65_536  # of an answer's body read; the rest is not
    h2c: bool = True  # http:// URIs over HTTP/2 with prior knowledge; False: HTTP/1.1

    def retry_delay(self, attempts: int) -> float:
        delay: float = min(self.max_retry, self.first_retry * 2.0 ** min(attempts, 30))
        return delay * random.uniform(0.5, 1.0)


_RETRYABLE = {408, 425, 429}
MAX_REDIRECTS = 5
# Transport errors worth another try: the receiver may be restarting, slow or overloaded.
# UnsupportedProtocol, LocalProtocolError (we sent something wrong) and the like are not.
_TRANSIENT = (
    TimeoutError,  # the deadline of the whole POST
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.ProxyError,
)


class _CheckedBackend(httpcore.AsyncNetworkBackend):
    """Connects to addresses ``Destinations`` allowed for the host, resolved here.

    httpcore asks its network backend for a TCP stream to the URI's host; this one
    resolves the host itself, checks every address, and connects to an allowed one, so
    the address checked is the address reached. TLS is started by httpcore afterwards
    with the host name (SNI, certificate check) and the Host header is the URI's.
    """

    def __init__(self, destinations: Destinations) -> None:
        self._destinations = destinations
        self._network = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self._destinations.addresses(host, port)
        except OSError as exc:  # DNS did not answer: worth another try later
            raise httpcore.ConnectError(f"{host}: {exc}") from exc
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._network.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise DestinationRefused("notifications go to TCP destinations only")

    async def sleep(self, seconds: float) -> None:
        await self._network.sleep(seconds)


class _CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with its connection pool on a ``_CheckedBackend``.

    httpx does not take a network backend; the pool it builds is replaced by the same
    pool on the checked backend. Proxies from the environment are never used (a proxy
    would resolve the name itself, out of reach of the check); the trusted CAs are the
    environment's (``SSL_CERT_FILE``), as for any httpx client.
    """

    def __init__(
        self, destinations: Destinations, *, http1: bool, http2: bool, limits: httpx.Limits
    ) -> None:
        super().__init__(http1=http1, http2=http2, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=http1,
            http2=http2,
            network_backend=_CheckedBackend(destinations),
        )


@dataclass(frozen=True)
class _Answer:
    status_code: int
    headers: httpx.Headers

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300


class NotificationSender:
    """Sends an outbox; ``run`` for a server, ``deliver_due`` rounds for tests.

    ``destinations`` is the allow-list every connection is checked against; the default
    refuses loopback and the other addresses of ``nf_common.destinations``
    (``destinations.LABS`` opens loopback for tests and labs).
    """

    def __init__(
        self,
        unit_of_work: QueueUnitOfWorkFactory,
        policy: DeliveryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        observer: DeliveryObserver | None = None,
        destinations: Destinations | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._policy = policy or DeliveryPolicy()
        self._clock = clock
        self._destinations = destinations or Destinations()
        self._observer = observer
        self._running = False
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._origins = H2cOrigins()
        self._slots: defaultdict[str, contextlib.AbstractAsyncContextManager[object]]
        self._busy: Counter[str] = Counter()  # rows being delivered, per first destination

    @property
    def running(self) -> bool:
        """Whether ``run`` is delivering (a server's readiness depends on it)."""
        return self._running

    @property
    def destinations(self) -> Destinations:
        return self._destinations

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
            transport = _CheckedTransport(
                self._destinations, http1=http1, http2=http2, limits=limits
            )
            # Redirects are followed by _post, which checks each target first.
            return httpx.AsyncClient(transport=transport, follow_redirects=False, timeout=p.timeout)

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
        other: so the clients are closed as soon as nothing is due or being delivered.
        """
        self._running = True
        try:
            await self._run()
        finally:
            self._running = False

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            try:
                wait = await asyncio.to_thread(self._until_next_due)
                if wait <= 0:
                    async with self.connected():
                        await self._dispatch()
                    continue
            except Exception:  # the loop must outlive a bad row or a busy database
                log.exception("notification delivery failed")
                wait = self._policy.poll
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)

    async def _dispatch(self) -> None:
        """Start each due row as soon as it may go, until none is due or under way.

        A row is a task of its own: one that waits for a slow receiver holds up no row
        of another destination, and rows claimed while others are under way start at
        once. A row whose destination already has ``per_destination`` under way is put
        back for a moment (``DeliveryQueue.postpone``) rather than kept waiting here.
        """
        running: dict[asyncio.Task[None], OutboxItem] = {}
        try:
            while True:
                self._wake.clear()
                room = self._policy.in_flight - len(running)
                claimed = await self._claim_safely(min(room, self._policy.batch)) if room else []
                under_way = {item.item_id for item in running.values()}
                for item in claimed:
                    if item.item_id in under_way:
                        continue  # its lease was renewed by the claim
                    if not self._may_start(item):
                        await self._postpone_safely(item)
                        continue
                    running[self._start(item)] = item
                if not running:
                    wait = await asyncio.to_thread(self._until_next_due)
                    if wait > 0:
                        return
                    if not claimed:  # due, but none could be claimed (a busy database)
                        await asyncio.sleep(self._policy.poll)
                    continue
                # Full: only a row's end makes room. Else a row falling due does too.
                full = len(running) >= self._policy.in_flight
                wake = asyncio.ensure_future(self._wake.wait())
                try:
                    done, _ = await asyncio.wait(
                        {*running, wake},
                        timeout=None if full else await asyncio.to_thread(self._until_next_due),
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                finally:
                    wake.cancel()
                for task in list(running):
                    if task in done:
                        self._finished(task, running.pop(task))
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    def _start(self, item: OutboxItem) -> asyncio.Task[None]:
        origin = _origin(item.uri)
        self._busy[origin] += 1

        async def deliver() -> None:
            try:
                await self._deliver(item)
            finally:
                self._busy[origin] -= 1
                if not self._busy[origin]:
                    del self._busy[origin]

        return asyncio.create_task(deliver())

    def _may_start(self, item: OutboxItem) -> bool:
        limit = self._policy.per_destination
        return limit is None or self._busy[_origin(item.uri)] < limit

    def _finished(self, task: asyncio.Task[None], item: OutboxItem) -> None:
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            log.error("delivering notification %s failed", item.item_id, exc_info=error)

    async def _claim_safely(self, limit: int) -> list[OutboxItem]:
        try:
            return await asyncio.to_thread(self._claim, limit)
        except Exception:  # as in run: a busy database must not end the sender
            log.exception("notification delivery failed")
            return []

    async def _postpone_safely(self, item: OutboxItem) -> None:
        try:
            await asyncio.to_thread(self._postpone, item, self._clock() + self._policy.poll)
        except Exception:  # its lease runs out and it is claimed again
            log.exception("postponing notification %s failed", item.item_id)

    def _until_next_due(self) -> float:
        with self._uow(write=False) as uow:
            due = uow.outbox.next_due()
        if due is None:
            return self._policy.poll
        return min(self._policy.poll, max(0.0, due - self._clock()))

    def _claim(self, limit: int | None = None) -> list[OutboxItem]:
        with self._uow() as uow:
            items = uow.outbox.claim_due(
                self._clock(), self._policy.lease, limit or self._policy.batch
            )
            uow.commit()
        return items

    def _postpone(self, item: OutboxItem, until: float) -> None:
        with self._uow() as uow:
            uow.outbox.postpone(item.item_id, until)
            uow.commit()

    async def deliver_due(self) -> int:
        """Try every due notification once, together; returns how many were claimed."""
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

    async def _post(self, item: OutboxItem) -> _Answer:
        """POST the row, following 307/308 to checked targets, within the deadline."""
        async with asyncio.timeout(self._policy.timeout):
            uri = item.uri
            for _ in range(MAX_REDIRECTS + 1):
                url = httpx.URL(uri)
                origin = _origin(uri)
                async with self._slots[origin]:
                    answer = await self._post_to(item.body, url, origin)
                location = answer.headers.get("location")
                if answer.status_code not in (307, 308) or location is None:
                    return answer
                uri = str(url.join(location))
                reason = self._destinations.refusal_without_dns(uri, "the redirect target")
                if reason is not None:
                    raise DestinationRefused(reason)
            raise httpx.TooManyRedirects(f"more than {MAX_REDIRECTS} redirects")

    async def _post_to(self, body: str, url: httpx.URL, origin: str) -> _Answer:
        h2c, alpn, h1 = self._clients
        if url.scheme == "https":
            return await self._exchange(alpn, url, body)
        if not self._policy.h2c:
            return await self._exchange(h1, url, body)
        return await self._origins.send_async(
            url,
            lambda: self._exchange(h2c, url, body),
            lambda: self._exchange(h1, url, body),
        )

    async def _exchange(self, client: httpx.AsyncClient, url: httpx.URL, body: str) -> _Answer:
        """One POST; of the answer's body at most ``max_answer_bytes`` are read.

        Nothing of a notification's answer is used but its status and headers; a body
        read to its end could be as long as the receiver likes. Leaving the stream
        early closes it (HTTP/2: the stream is reset; HTTP/1.1: the connection closed).
        """
        request = client.build_request("POST", url, content=body, headers=_HEADERS)
        response = await client.send(request, stream=True)
        try:
            seen = 0
            async for chunk in response.aiter_raw():
                seen += len(chunk)
                if seen >= self._policy.max_answer_bytes:
                    break
        finally:
            await response.aclose()
        return _Answer(response.status_code, response.headers)

    async def _deliver(self, item: OutboxItem) -> None:
        retry_after: float | None = None
        try:
            answer = await self._post(item)
        except _TRANSIENT as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            if isinstance(exc, TimeoutError):
                error = f"no answer within {self._policy.timeout:g} s"
        except Exception as exc:  # permanent: a retry cannot change it
            error = f"{type(exc).__name__}: {exc}"
            await asyncio.to_thread(self._failed, item, error, None)
            return
        else:
            if answer.is_success:
                await asyncio.to_thread(self._done, item)
                return
            error = f"HTTP {answer.status_code}"
            if answer.status_code < 500 and answer.status_code not in _RETRYABLE:
                await asyncio.to_thread(self._failed, item, error, None)
                return
            retry_after = parse_retry_after(answer.headers.get("retry-after"), self._clock())
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


_HEADERS = {"content-type": "application/json"}


def _origin(uri: str) -> str:
    """Scheme, host and port: what a connection, and a concurrency limit, is for."""
    try:
        url = httpx.URL(uri)
    except httpx.InvalidURL:
        return uri  # fails on its own when sent
    return f"{url.scheme}://{url.netloc.decode()}"
