"""OAuth 2.0 client credentials with an NRF (TS 29.510 clause 5.4, TS 33.501 clause 13.4.1).

An NF service consumer asks the NRF for an access token (``POST {nrf}/oauth2/token``,
the client credentials grant with its nfInstanceId, its NF type, the producer's NF type
and the service names as the scope) and sends it as ``Authorization: Bearer`` to the
producer. Every consumer of this project does it the same way, whoever it is and
whatever it calls: the NEF SDK towards a PCF (``nef_client.NrfAuth``), the PCF towards
an NWDAF. What differs is in ``ClientCredentials``.

``NrfAuth`` is an ``httpx.Auth``: the token requests go where the client sends its own,
and the same flow serves ``httpx.Client`` and ``httpx.AsyncClient`` (and any driver of
httpx's auth flows, such as the PCF's ``SbiClient``). The token cache under it is
sans-I/O (it builds the token request and reads the answer), so it is tested with an
injected clock and no network.

The AccessTokenErr of a refusal is read here, not with a generated model: this package
depends on no generated client.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass
from typing import Any

import httpx

# The error codes of AccessTokenErr (TS 29.510 6.3.5.2.4, RFC 6749 5.2).
ACCESS_TOKEN_ERRORS = frozenset(
    {
        "invalid_client",
        "invalid_grant",
        "invalid_request",
        "invalid_scope",
        "unauthorized_client",
        "unsupported_grant_type",
    }
)


class TokenError(Exception):
    """The NRF refused the access token request, or answered something unusable.

    ``error`` is the OAuth 2.0 error code of AccessTokenErr (e.g. ``invalid_scope``) when
    the NRF sent one. Applications raise their own subclass (``TokenCache(error=...)``),
    so that it is one of their errors too.
    """

    def __init__(self, message: str, status: int, error: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = error


@dataclass(frozen=True)
class ClientCredentials:
    """Who this NF is to the NRF, and what it asks a token for."""

    nrf_url: str
    """The NRF's apiRoot; the token endpoint is ``{nrf_url}/oauth2/token``."""
    nf_instance_id: str
    """This NF's NF instance id (a UUID), as registered with the NRF."""
    scope: str
    """Space-separated service names of the producer, e.g. ``nnwdaf-eventssubscription``."""
    nf_type: str
    """This NF's type (TS 29.510 NFType), e.g. ``PCF``."""
    target_nf_type: str
    """The producer's NF type, e.g. ``NWDAF``."""

    @property
    def token_url(self) -> str:
        return f"{self.nrf_url.rstrip('/')}/oauth2/token"

    def form(self) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "nfInstanceId": self.nf_instance_id,
            "nfType": self.nf_type,
            "targetNfType": self.target_nf_type,
            "scope": self.scope,
        }


def access_token_error(response: httpx.Response) -> str | None:
    """The error code of the AccessTokenErr in ``response``; None when it holds none."""
    try:
        document = response.json()
    except ValueError:
        return None
    error = document.get("error") if isinstance(document, dict) else None
    return error if isinstance(error, str) and error in ACCESS_TOKEN_ERRORS else None


class TokenCache:
    """One access token, kept until shortly before ``expires_in`` runs out."""

    def __init__(
        self,
        credentials: ClientCredentials,
        clock: Callable[[], float] = time.monotonic,
        *,
        error: type[TokenError] = TokenError,
    ) -> None:
        self.credentials = credentials
        self._clock = clock
        self._error = error
        self._token: str | None = None
        self._expires_at = 0.0

    def current(self) -> str | None:
        """The cached token, or None when there is none or it is about to expire."""
        if self._token is not None and self._clock() < self._expires_at:
            return self._token
        return None

    def invalidate(self, token: str) -> None:
        """Forget ``token`` (the producer refused it), unless another call replaced it."""
        if self._token == token:
            self._token = None

    def build_request(self, timeout: dict[str, Any] | None = None) -> httpx.Request:
        """The AccessTokenReq, with the timeouts of the request it is fetched for."""
        return httpx.Request(
            "POST",
            self.credentials.token_url,
            data=self.credentials.form(),
            headers={"Accept": "application/json"},
            extensions={} if timeout is None else {"timeout": timeout},
        )

    def accept(self, response: httpx.Response) -> str:
        """Store the token of an AccessTokenRsp, or raise TokenError for anything else."""
        if response.status_code != 200:
            error = access_token_error(response)
            raise self._error(
                f"NRF refused the token request: {response.status_code} {error or ''}".strip(),
                response.status_code,
                error,
            )
        try:
            document = response.json()
            token = document["access_token"]
            expires_in = document.get("expires_in")
            if not isinstance(token, str) or not token:
                raise TypeError("access_token is not a string")
            if str(document.get("token_type", "Bearer")).lower() != "bearer":
                raise TypeError(f"token_type {document['token_type']!r} is not Bearer")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise self._error(f"NRF sent an unusable AccessTokenRsp: {exc}", 200) from exc
        now = self._clock()
        if isinstance(expires_in, int | float) and expires_in > 0:
            # Renew a little early, so a token does not expire on its way to the producer.
            self._expires_at = now + expires_in - min(5.0, expires_in * 0.1)
        else:
            self._expires_at = float("inf")  # no lifetime given: keep it until a 401
        self._token = token
        return token


class NrfAuth(httpx.Auth):
    """Bearer tokens from an NRF on every request, for sync and async httpx clients alike.

    A token is fetched when there is none or it is about to expire, and kept for the
    requests after it. A 401 means the producer no longer takes the token (revoked, or
    expired early): the flow fetches a fresh one, once, and sends the request again; a
    second 401 is the caller's answer. A refused token request raises ``error``
    (``TokenError`` unless the application gives its own subclass).

    One instance serves any number of threads, or the tasks of one event loop.
    """

    def __init__(
        self,
        credentials: ClientCredentials,
        clock: Callable[[], float] = time.monotonic,
        *,
        error: type[TokenError] = TokenError,
    ) -> None:
        self.credentials = credentials
        self._tokens = TokenCache(credentials, clock, error=error)
        self._thread_lock = threading.Lock()
        self._async_lock = asyncio.Lock()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """The whole exchange for one request, written once for both kinds of client.

        It yields token requests and ``request`` itself; ``sync_auth_flow`` and
        ``async_auth_flow`` hold their lock from each step of it up to the next yield of
        ``request``, so that requests finding no valid token fetch one, not one each.
        """
        timeout = request.extensions.get("timeout")
        token = yield from self._token(timeout)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            self._tokens.invalidate(token)
            token = yield from self._token(timeout)
            request.headers["Authorization"] = f"Bearer {token}"
            yield request

    def _token(
        self, timeout: dict[str, Any] | None
    ) -> Generator[httpx.Request, httpx.Response, str]:
        token = self._tokens.current()
        if token is None:
            token = self._tokens.accept((yield self._tokens.build_request(timeout)))
        return token

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        flow = self.auth_flow(request)
        response: httpx.Response | None = None
        while True:
            with self._thread_lock:
                try:
                    outgoing = next(flow) if response is None else flow.send(response)
                    while outgoing is not request:  # a token request
                        answer = yield outgoing
                        answer.read()
                        outgoing = flow.send(answer)
                except StopIteration:
                    return
            response = yield outgoing

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        flow = self.auth_flow(request)
        response: httpx.Response | None = None
        while True:
            async with self._async_lock:
                try:
                    outgoing = next(flow) if response is None else flow.send(response)
                    while outgoing is not request:  # a token request
                        answer = yield outgoing
                        await answer.aread()
                        outgoing = flow.send(answer)
                except StopIteration:
                    return
            response = yield outgoing
