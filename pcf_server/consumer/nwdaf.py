"""Nnwdaf_EventsSubscription as the PCF consumes it (TS 29.520 clause 5.2.2.2).

``NwdafClient`` is the ``AnalyticsProvider`` port of ``service.analytics`` over HTTP:

- subscribe: ``POST {nwdaf}/nnwdaf-eventssubscription/v1/subscriptions`` (201 with a
  Location naming the new subscription);
- update: ``PUT`` of the whole NnwdafEventsSubscription to the subscription's resource
  (200 or 204); 404 means the NWDAF no longer knows it;
- unsubscribe: ``DELETE`` of the resource (204; 404 is as good: it is gone).

Anything else (no answer, 5xx, a 4xx refusal) raises ``AnalyticsUnavailable``, which
the keeper logs before trying again in its next round.

With OAuth 2.0 in the core (``pcf-bdt serve --nwdaf-oauth2``), the ``SbiClient`` carries
an ``NrfAuth`` made of ``token_credentials``: each request has a Bearer token from the
NRF (TS 33.501 13.4.1). An NRF that cannot be reached or refuses the token is one more
way for the NWDAF to be unavailable, not an error of its own.
"""

from __future__ import annotations

import httpx

from nf_common.oauth2 import ClientCredentials, TokenError
from pcf_server.consumer._http import SbiClient
from pcf_server.policy.degradation import AnalyticsRequest
from pcf_server.service.ports import AnalyticsUnavailable
from pcf_server.wire.nwdaf import API_NAME, API_VERSION, subscription_document

_JSON = {"Accept": "application/json, application/problem+json"}


def token_credentials(nrf_url: str, nf_instance_id: str) -> ClientCredentials:
    """What this PCF asks the NRF an access token for Nnwdaf_EventsSubscription with."""
    return ClientCredentials(
        nrf_url=nrf_url,
        nf_instance_id=nf_instance_id,
        scope=API_NAME,
        nf_type="PCF",
        target_nf_type="NWDAF",
    )


class NwdafClient:
    def __init__(
        self, nwdaf_url: str, http: SbiClient | None = None, *, auth: httpx.Auth | None = None
    ) -> None:
        """``auth`` (an ``NrfAuth``) is given to the ``SbiClient`` made when ``http`` is None."""
        self.collection = f"{nwdaf_url.rstrip('/')}/{API_NAME}/{API_VERSION}/subscriptions"
        self._http = http or SbiClient(auth=auth)

    def _send(self, method: str, url: str, **options: object) -> httpx.Response:
        try:
            return self._http.request(method, url, headers=_JSON, **options)
        except httpx.TransportError as exc:
            failed = _request_of(exc)
            # A token request that got no answer: say so, or it reads as the NWDAF's fault.
            via = f" (token request to {failed.url})" if failed and failed.url != url else ""
            raise AnalyticsUnavailable(f"{method} {url}{via}: {type(exc).__name__}: {exc}") from exc
        except TokenError as exc:
            raise AnalyticsUnavailable(f"{method} {url}: no access token: {exc}") from exc

    @staticmethod
    def _refused(response: httpx.Response) -> AnalyticsUnavailable:
        request = response.request
        detail = response.text[:200]
        return AnalyticsUnavailable(
            f"{request.method} {request.url}: HTTP {response.status_code} {detail}".strip()
        )

    def subscribe(self, request: AnalyticsRequest) -> tuple[str, str]:
        response = self._send("POST", self.collection, json=subscription_document(request))
        if response.status_code != 201:
            raise self._refused(response)
        location = response.headers.get("location", "")
        subscription_id = httpx.URL(location).path.rstrip("/").rsplit("/", 1)[-1]
        if not subscription_id:
            raise AnalyticsUnavailable("the NWDAF created a subscription without a Location")
        # The resource is {apiRoot}/nnwdaf-eventssubscription/v1/subscriptions/{id}
        # (TS 29.520 5.1.3.3.1): built from the id, so that a Location relative to
        # another base, or naming the id only, still leads to it.
        return subscription_id, f"{self.collection}/{subscription_id}"

    def update(self, resource_uri: str, request: AnalyticsRequest) -> bool:
        response = self._send("PUT", resource_uri, json=subscription_document(request))
        if response.status_code == 404:
            return False
        if response.status_code not in (200, 204):
            raise self._refused(response)
        return True

    def unsubscribe(self, resource_uri: str) -> None:
        response = self._send("DELETE", resource_uri)
        if response.status_code not in (204, 404):
            raise self._refused(response)

    def close(self) -> None:
        self._http.close()


def _request_of(exc: httpx.TransportError) -> httpx.Request | None:
    try:
        return exc.request
    except RuntimeError:  # raised before httpx knew the request
        return None
