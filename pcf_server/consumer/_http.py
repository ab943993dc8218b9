"""One HTTP client for the PCF's requests to other NFs.

The SBI is HTTP/2 (TS 29.500 5.2): ``http://`` peers are spoken to with prior knowledge
(h2c), ``https://`` ones negotiate by ALPN. A peer that turns out not to speak h2c (test
tools such as Prism speak HTTP/1.1 only) gets HTTP/1.1 from then on, as the notification
sender does (``nf_common.delivery``). The timeout is generous: these calls run in
the background, and an NWDAF may call the new subscription's callback before it answers
the subscription (Prism does). It bounds each request as a whole (connecting, sending,
every read of the answer), not each read: a peer that answers a byte at a time within
every read timeout would otherwise hold the calling thread for as long as it likes.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

log = logging.getLogger(__name__)

# What an h2c attempt on an accepted connection raises when the peer is not h2c: it
# breaks the connection, or (Node.js's HTTP/1.1 server) waits for a request line that
# never comes until the read times out.
_NOT_H2C = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.ReadTimeout)


_deadline = threading.local()  # when this thread's request must be over (monotonic)


def _within_deadline(timeout: float | None) -> float | None:
    """The timeout of one network operation, cut to what is left of the request's."""
    until: float | None = getattr(_deadline, "at", None)
    if until is None:
        return timeout
    left = until - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("the request took longer than its deadline")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _within_deadline(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _within_deadline(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, _within_deadline(timeout))
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.SyncBackend):
    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        stream = super().connect_tcp(
            host, port, _within_deadline(timeout), local_address, socket_options
        )
        return _DeadlineStream(stream)


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport with its pool on streams that keep to the request's deadline.

    httpx does not take a network backend; the pool it builds is replaced by the same
    pool on one that does.
    """

    def __init__(self, *, http1: bool, http2: bool) -> None:
        super().__init__(http1=http1, http2=http2)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            http1=http1,
            http2=http2,
            network_backend=_DeadlineBackend(),
        )


class SbiClient:
    def __init__(
        self,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        auth: httpx.Auth | None = None,
    ) -> None:
        """``timeout`` bounds each request as a whole.

        ``transport`` replaces the network (tests give an ``httpx.MockTransport``).
        ``auth`` (e.g. ``nf_common.oauth2.NrfAuth``) is run on every request; the
        requests it adds (token requests to an NRF) go out as the others do, each to its
        own origin with the HTTP version that origin speaks, within the same deadline.
        """
        self._timeout = timeout
        self._auth = auth

        def client(http1: bool, http2: bool) -> httpx.Client:
            return httpx.Client(
                http1=http1,
                http2=http2,
                timeout=timeout,
                transport=transport or _DeadlineTransport(http1=http1, http2=http2),
            )

        self._h2c = client(False, True)
        self._alpn = client(True, True)
        self._h1 = client(True, False)
        self._h1_only: set[str] = set()

    def request(self, method: str, url: str, **options: Any) -> httpx.Response:
        """Send one request; transport errors are the caller's (``httpx.TransportError``).

        The whole of it, an h2c attempt and its HTTP/1.1 retry included, is over within
        ``timeout`` seconds (``httpx.TimeoutException`` otherwise).
        """
        # The three clients are configured alike: any of them builds the request.
        request = self._h1.build_request(method, url, **options)
        _deadline.at = time.monotonic() + self._timeout
        try:
            if self._auth is None:
                return self._send(request)
            return self._send_with_auth(request, self._auth)
        finally:
            _deadline.at = None

    def _send_with_auth(self, request: httpx.Request, auth: httpx.Auth) -> httpx.Response:
        """Drive ``auth``'s flow as httpx's own clients do, each request through ``_send``.

        httpx would send the flow's requests through the one client the request went
        to; here a token request to an NRF that does not speak h2c falls back on its own,
        without the producer being taken for one that does not either.
        """
        flow = auth.sync_auth_flow(request)
        try:
            outgoing = next(flow)
            while True:
                response = self._send(outgoing)
                try:
                    outgoing = flow.send(response)
                except StopIteration:
                    return response
                response.close()
        finally:
            flow.close()  # releases what the flow holds (its lock) when a send failed

    def _send(self, request: httpx.Request) -> httpx.Response:
        target = request.url
        origin = f"{target.scheme}://{target.netloc.decode()}"
        if target.scheme == "https":
            return self._alpn.send(request)
        if origin in self._h1_only:
            return self._h1.send(request)
        try:
            return self._h2c.send(request)
        except _NOT_H2C as exc:
            try:
                response = self._h1.send(request)
            except httpx.HTTPError:
                raise exc from None
        log.info("%s does not speak h2c; using HTTP/1.1", origin)
        self._h1_only.add(origin)
        return response

    def close(self) -> None:
        for client in (self._h2c, self._alpn, self._h1):
            client.close()
