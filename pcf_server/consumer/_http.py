"""One HTTP client for the PCF's requests to other NFs.

The SBI is HTTP/2 (TS 29.500 5.2): ``http://`` peers are spoken to with prior knowledge
(h2c), ``https://`` ones negotiate by ALPN. A peer that turns out not to speak h2c (test
tools such as Prism speak HTTP/1.1 only) gets HTTP/1.1 from then on, as the notification
sender does (``nf_common.delivery``). The timeout is generous: these calls run in
the background, and an NWDAF may call the new subscription's callback before it answers
the subscription (Prism does).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

log = logging.getLogger(__name__)

# What an h2c attempt on an accepted connection raises when the peer is not h2c: it
# breaks the connection, or (Node.js's HTTP/1.1 server) waits for a request line that
# never comes until the read times out.
_NOT_H2C = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.ReadTimeout)


class SbiClient:
    def __init__(self, timeout: float = 30.0, transport: httpx.BaseTransport | None = None) -> None:
        """``transport`` replaces the network (tests give an ``httpx.MockTransport``)."""

        def client(http1: bool, http2: bool) -> httpx.Client:
            return httpx.Client(http1=http1, http2=http2, timeout=timeout, transport=transport)

        self._h2c = client(False, True)
        self._alpn = client(True, True)
        self._h1 = client(True, False)
        self._h1_only: set[str] = set()

    def request(self, method: str, url: str, **options: Any) -> httpx.Response:
        """Send one request; transport errors are the caller's (``httpx.TransportError``)."""
        target = httpx.URL(url)
        origin = f"{target.scheme}://{target.netloc.decode()}"
        if target.scheme == "https":
            return self._alpn.request(method, url, **options)
        if origin in self._h1_only:
            return self._h1.request(method, url, **options)
        try:
            return self._h2c.request(method, url, **options)
        except _NOT_H2C as exc:
            try:
                response = self._h1.request(method, url, **options)
            except httpx.HTTPError:
                raise exc from None
        log.info("%s does not speak h2c; using HTTP/1.1", origin)
        self._h1_only.add(origin)
        return response

    def close(self) -> None:
        for client in (self._h2c, self._alpn, self._h1):
            client.close()
