"""Retries and redirects of one call, without I/O.

The sync and the async client drive the same ``Exchange``: it looks at each answer (or
transport failure) and says what to do next, so the policy lives in one place and the
twins only differ in how they send and sleep. Tokens are not its business: the httpx
client's ``auth`` (``NrfAuth``) puts them on every request it sends.
"""

from __future__ import annotations

import enum
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from nef_client.exceptions import TooManyRedirects, TransportError, UnexpectedResponse
from nf_common.retry_after import parse_retry_after


@dataclass(frozen=True)
class RetryPolicy:
    """How hard a client tries before it raises.

    Only answers that say "not processed, try later" (429, 503 by default, as TS 29.500
    uses them for overload) and connections that could not be opened are retried: a
    request that reached the PCF and failed otherwise might have been applied.
    """

    attempts: int = 3
    """Tries of one call in all, the first included; 1 disables retries."""
    backoff: float = 0.1
    """Upper bound of the first random delay in seconds; doubled on each retry."""
    max_backoff: float = 2.0
    """Upper bound of any delay the client chooses itself."""
    max_retry_after: float = 30.0
    """The longest ``Retry-After`` the client waits for; a longer one raises at once."""
    statuses: frozenset[int] = field(default_factory=lambda: frozenset({429, 503}))
    """Statuses that are retried."""

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")


NO_RETRY = RetryPolicy(attempts=1)


class Action(enum.Enum):
    DONE = "done"  # hand the response to the caller
    RETRY = "retry"  # sleep ``delay``, then send ``request`` again
    REDIRECT = "redirect"  # send ``request`` (a new one) at once


@dataclass(frozen=True)
class Step:
    action: Action
    request: httpx.Request
    delay: float = 0.0


class Exchange:
    """The state of one call: how many tries and redirects it used.

    ``rng`` draws the backoff delays and ``clock`` (POSIX seconds) measures HTTP-dates in
    ``Retry-After``; tests inject both. ``failover`` (with PCFs found by discovery) gives
    the same request for another PCF: a refused connection or a 503 goes to the next
    PCF at once, before any retry of the same one.
    """

    def __init__(
        self,
        request: httpx.Request,
        retry: RetryPolicy,
        max_redirects: int,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.time,
        failover: Callable[[httpx.Request], httpx.Request | None] | None = None,
        explain: Callable[[httpx.TransportError, httpx.Request], str] | None = None,
    ) -> None:
        self.request = request
        self._explain = explain
        self._failover = failover
        self._retry = retry
        self._max_redirects = max_redirects
        self._rng = rng or random.Random()
        self._clock = clock
        self._tries = 1
        self._redirects = 0

    def _backoff(self) -> float:
        ceiling = min(self._retry.max_backoff, self._retry.backoff * 2 ** (self._tries - 1))
        return self._rng.uniform(0, ceiling)

    def on_response(self, response: httpx.Response) -> Step:
        status = response.status_code
        if status in (307, 308):
            self._redirects += 1
            if self._redirects > self._max_redirects:
                raise TooManyRedirects(f"more than {self._max_redirects} redirects")
            self.request = _redirected(self.request, response)
            return Step(Action.REDIRECT, self.request)
        if status == 503 and (step := self._fail_over()) is not None:
            return step
        if status in self._retry.statuses and self._tries < self._retry.attempts:
            retry_after = parse_retry_after(response.headers.get("retry-after"), self._clock())
            if retry_after is not None and retry_after > self._retry.max_retry_after:
                return Step(Action.DONE, self.request)
            delay = retry_after if retry_after is not None else self._backoff()
            self._tries += 1
            return Step(Action.RETRY, self.request, delay)
        return Step(Action.DONE, self.request)

    def on_transport_error(self, exc: httpx.TransportError) -> Step:
        # Only a connection that never opened is known not to have delivered the request.
        if isinstance(exc, httpx.ConnectError) and (step := self._fail_over()) is not None:
            return step
        if isinstance(exc, httpx.ConnectError) and self._tries < self._retry.attempts:
            delay = self._backoff()
            self._tries += 1
            return Step(Action.RETRY, self.request, delay)
        if self._explain is not None:
            raise TransportError(self._explain(exc, self.request)) from exc
        raise TransportError(f"{type(exc).__name__}: {exc}") from exc

    def _fail_over(self) -> Step | None:
        """The request for the next PCF, if there is one not tried yet in this call."""
        other = None if self._failover is None else self._failover(self.request)
        if other is None:
            return None
        self.request = other
        return Step(Action.REDIRECT, other)


def _redirected(request: httpx.Request, response: httpx.Response) -> httpx.Request:
    """The same request (method and body kept, as 307/308 require) at the new Location."""
    location = response.headers.get("location")
    if not location:
        raise UnexpectedResponse(
            f"{response.status_code} without a Location header", response.status_code, b""
        )
    headers = request.headers.copy()
    headers.pop("host", None)
    headers.pop("authorization", None)  # set again for the new request
    return httpx.Request(
        request.method,
        request.url.join(location),
        headers=headers,
        content=request.content,
        extensions=request.extensions,  # the timeouts the caller chose
    )
