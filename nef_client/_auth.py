"""OAuth 2.0 client credentials with an NRF (TS 29.510 clause 5.4, TS 33.501 clause 13.4.1).

``NrfAuth`` is an ``httpx.Auth``: the token requests go through the client's own pool,
and the same flow serves ``httpx.Client`` and ``httpx.AsyncClient``. The token cache
under it is sans-I/O (it builds the token request and reads the answer), so it is tested
with an injected clock and no network.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass
from typing import Any

import httpx
from npcf_bdt_client.models import AccessTokenErr

from nef_client.exceptions import TokenError


@dataclass(frozen=True)
class NrfClientCredentials:
    """Who this NEF is to the NRF, and what it asks a token for."""

    nrf_url: str
    """The NRF's apiRoot; the token endpoint is ``{nrf_url}/oauth2/token``."""
    nf_instance_id: str
    """This NEF's NF instance id (a UUID), as registered with the NRF."""
    scope: str = "npcf-bdtpolicycontrol"
    """Space-separated service names; the default is the one this API needs."""
    nf_type: str = "NEF"
    target_nf_type: str = "PCF"

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


class TokenCache:
    """One access token, kept until shortly before ``expires_in`` runs out."""

    def __init__(
        self, credentials: NrfClientCredentials, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.credentials = credentials
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0

    def current(self) -> str | None:
        """The cached token, or None when there is none or it is about to expire."""
        if self._token is not None and self._clock() < self._expires_at:
            return self._token
        return None

    def invalidate(self, token: str) -> None:
        """Forget ``token`` (the PCF refused it), unless another call already replaced it."""
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
            error = None
            with contextlib.suppress(ValueError, KeyError, TypeError):
                error = str(AccessTokenErr.from_dict(response.json()).error)
            raise TokenError(
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
            raise TokenError(f"NRF sent an unusable AccessTokenRsp: {exc}", 200) from exc
        now = self._clock()
        if isinstance(expires_in, int | float) and expires_in > 0:
            # Renew a little early, so a token does not expire on its way to the PCF.
            self._expires_at = now + expires_in - min(5.0, expires_in * 0.1)
        else:
            self._expires_at = float("inf")  # no lifetime given: keep it until a 401
        self._token = token
        return token


class NrfAuth(httpx.Auth):
    """Bearer tokens from an NRF on every request, for sync and async httpx clients alike.

    ``nef_client.Client(auth=credentials)`` makes one; make one yourself to give it a
    clock, or to put NRF tokens on an httpx client of your own. A token is fetched when
    there is none or it is about to expire, and kept for the requests after it. A 401
    means the PCF no longer takes the token (revoked, or expired early): the flow fetches
    a fresh one, once, and sends the request again; a second 401 is the caller's answer.

    One instance serves any number of threads, or the tasks of one event loop.
    """

    def __init__(
        self, credentials: NrfClientCredentials, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.credentials = credentials
        self._tokens = TokenCache(credentials, clock)
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
