"""OAuth 2.0 client credentials with an NRF (TS 29.510 clause 5.4, TS 33.501 clause 13.4.1).

The token cache is sans-I/O: the clients send the request it builds and hand it the
answer, under their own lock (a thread lock or an asyncio lock), so that concurrent calls
fetch one token, not one each.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

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

    def build_request(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        return http.build_request(
            "POST",
            self.credentials.token_url,
            data=self.credentials.form(),
            headers={"Accept": "application/json"},
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
