"""Which HTTP version to speak to an ``http://`` origin: h2c first, HTTP/1.1 if it must.

The SBI is HTTP/2 (TS 29.500 clause 5.2), and without TLS there is nothing to negotiate
it with, so an SBI client speaks HTTP/2 with prior knowledge (h2c). Many servers a NF
meets in a lab do not (a Prism or WireMock mock, most proxies): they answer the
connection preface with an HTTP/1.1 error or simply close the connection. ``H2cOrigins``
remembers, per origin, those that turned out not to speak h2c, and its ``send`` and
``send_async`` try h2c and, on such a failure, the same request over HTTP/1.1; only an
origin that then answers is marked HTTP/1.1-only, so a transient failure never
downgrades it. The PCF's and the NEF gateway's notification sender and the NEF SDK's
clients (``nef_client``) use it. ``https://`` origins are left to ALPN.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Literal, TypeVar, cast, get_args

import httpx

log = logging.getLogger(__name__)

HttpVersion = Literal["auto", "2", "1.1"]
"""``auto``: h2c, and HTTP/1.1 for an origin that does not speak it; or forced."""

HTTP_VERSIONS: tuple[str, ...] = get_args(HttpVersion)

# What an h2c attempt on a connection that was accepted raises when the peer is not h2c:
# an HTTP/1.1 error answering the preface (RemoteProtocolError), or the connection closed
# while we still write (WriteError) or read (ReadError).
NOT_H2C = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)

Answer = TypeVar("Answer")


def http_version(value: str) -> HttpVersion:
    """``value`` as an ``HttpVersion``; ValueError naming the choices otherwise."""
    if value in HTTP_VERSIONS:
        return cast(HttpVersion, value)
    raise ValueError(f"http_version must be one of {', '.join(HTTP_VERSIONS)}, not {value!r}")


def origin(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.netloc.decode()}"


class H2cOrigins:
    """The ``http://`` origins found not to speak h2c, and the fallback to HTTP/1.1."""

    def __init__(self) -> None:
        self._h1_only: set[str] = set()

    def h1_only(self, url: httpx.URL) -> bool:
        """Whether ``url``'s origin is known to speak HTTP/1.1 only (skip the h2c try)."""
        return url.scheme == "http" and origin(url) in self._h1_only

    def _fell_back(self, url: httpx.URL) -> None:
        log.info("%s does not speak h2c; using HTTP/1.1", origin(url))
        self._h1_only.add(origin(url))

    def send(self, url: httpx.URL, h2c: Callable[[], Answer], h1: Callable[[], Answer]) -> Answer:
        """``h2c()``; for an origin that breaks h2c, ``h1()`` (the same request, HTTP/1.1)."""
        if self.h1_only(url):
            return h1()
        try:
            return h2c()
        except NOT_H2C as exc:
            if url.scheme != "http":
                raise
            try:
                answer = h1()
            except httpx.HTTPError:
                raise exc from None
        self._fell_back(url)
        return answer

    async def send_async(
        self,
        url: httpx.URL,
        h2c: Callable[[], Awaitable[Answer]],
        h1: Callable[[], Awaitable[Answer]],
    ) -> Answer:
        """The asyncio twin of ``send``."""
        if self.h1_only(url):
            return await h1()
        try:
            return await h2c()
        except NOT_H2C as exc:
            if url.scheme != "http":
                raise
            try:
                answer = await h1()
            except httpx.HTTPError:
                raise exc from None
        self._fell_back(url)
        return answer
