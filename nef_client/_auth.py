"""OAuth 2.0 client credentials with an NRF (TS 29.510 clause 5.4, TS 33.501 clause 13.4.1).

The flow is the shared one (``nf_common.oauth2``); here it is the NEF's: credentials
that ask for npcf-bdtpolicycontrol by default, and nef_client's own ``TokenError`` (a
``NefClientError``) when the NRF refuses.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from nef_client.exceptions import TokenError
from nf_common import oauth2


@dataclass(frozen=True)
class NrfClientCredentials(oauth2.ClientCredentials):
    """Who this NEF is to the NRF, and what it asks a token for."""

    scope: str = "npcf-bdtpolicycontrol"
    """Space-separated service names; the default is the one this API needs."""
    nf_type: str = "NEF"
    target_nf_type: str = "PCF"


class TokenCache(oauth2.TokenCache):
    """One access token, kept until shortly before ``expires_in`` runs out."""

    def __init__(
        self, credentials: oauth2.ClientCredentials, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(credentials, clock, error=TokenError)


class NrfAuth(oauth2.NrfAuth):
    """Bearer tokens from an NRF on every request, for sync and async httpx clients alike.

    ``nef_client.Client(auth=credentials)`` makes one; make one yourself to give it a
    clock, or to put NRF tokens on an httpx client of your own. A token is fetched when
    there is none or it is about to expire, and kept for the requests after it. A 401
    means the PCF no longer takes the token (revoked, or expired early): the flow fetches
    a fresh one, once, and sends the request again; a second 401 is the caller's answer.
    A refused token request raises ``nef_client.TokenError``.

    One instance serves any number of threads, or the tasks of one event loop.
    """

    def __init__(
        self, credentials: oauth2.ClientCredentials, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(credentials, clock, error=TokenError)
