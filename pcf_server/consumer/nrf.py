"""The PCF's registration with an NRF (TS 29.510 clauses 5.2.2.2, 5.2.2.3, 5.2.2.4).

``NrfRegistration`` is the whole life of one registration as a state machine without
timers: each ``step`` does what is due (register, or send a heartbeat) and says how
many seconds until the next one; whoever drives it sleeps in between
(``bootstrap.run_periodically``). That keeps the sequence testable without a clock:

- register: ``PUT {nrf}/nnrf-nfm/v1/nf-instances/{nfInstanceId}`` with the NFProfile
  (201 or 200). The heartbeat interval is the ``heartBeatTimer`` of the NRF's answer
  (the NRF decides, TS 29.510 5.2.2.2.2 step 2), else the one the PCF proposed;
- heartbeat: ``PATCH`` of the same resource with ``replace /nfStatus REGISTERED``
  (application/json-patch+json), every interval. 404 means the NRF forgot the instance
  (it restarted, or expired it after missed heartbeats): register again at once;
- a failed attempt (no answer, or an error status) is tried again after a short,
  growing delay, never longer than the heartbeat interval;
- deregister on a clean shutdown: ``DELETE`` of the resource.
"""

from __future__ import annotations

import json
import logging

import httpx

from pcf_server.consumer._http import SbiClient
from pcf_server.wire.nrf import (
    HEARTBEAT_PATCH,
    NFM_PATH,
    PcfProfile,
    heartbeat_timer,
    nf_profile_document,
)

log = logging.getLogger(__name__)

_FIRST_RETRY = 1.0
_JSON = {"Accept": "application/json, application/problem+json"}


class NrfRegistration:
    def __init__(self, nrf_url: str, profile: PcfProfile, http: SbiClient | None = None) -> None:
        self.profile = profile
        self.resource = f"{nrf_url.rstrip('/')}{NFM_PATH}/nf-instances/{profile.nf_instance_id}"
        self.registered = False
        self.interval = float(profile.heartbeat_seconds)
        self._http = http or SbiClient()
        self._retry = _FIRST_RETRY

    def step(self) -> float:
        """Register or send a heartbeat, whichever is due; seconds until the next step."""
        if not self.registered:
            return self._register()
        return self._heartbeat()

    def _failed(self, what: str, reason: str) -> float:
        delay = min(self._retry, self.interval)
        self._retry = min(self._retry * 2, self.interval)
        log.warning("NRF %s failed (%s); trying again in %.0f s", what, reason, delay)
        return delay

    def _register(self) -> float:
        try:
            response = self._http.request(
                "PUT", self.resource, json=nf_profile_document(self.profile), headers=_JSON
            )
        except httpx.TransportError as exc:
            return self._failed("registration", f"{type(exc).__name__}: {exc}")
        if response.status_code not in (200, 201):
            return self._failed("registration", f"HTTP {response.status_code}")
        self.interval = float(heartbeat_timer(_json(response)) or self.profile.heartbeat_seconds)
        self.registered = True
        self._retry = _FIRST_RETRY
        log.info(
            "registered with the NRF as PCF %s; heartbeat every %.0f s",
            self.profile.nf_instance_id,
            self.interval,
        )
        return self.interval

    def _heartbeat(self) -> float:
        try:
            response = self._http.request(
                "PATCH",
                self.resource,
                content=_dumps(HEARTBEAT_PATCH),
                headers={**_JSON, "Content-Type": "application/json-patch+json"},
            )
        except httpx.TransportError as exc:
            return self._failed("heartbeat", f"{type(exc).__name__}: {exc}")
        if response.status_code == 404:
            log.warning("the NRF no longer knows this PCF; registering again")
            self.registered = False
            return self._register()
        if response.status_code not in (200, 204):
            return self._failed("heartbeat", f"HTTP {response.status_code}")
        self._retry = _FIRST_RETRY
        if response.status_code == 200:  # the whole profile, maybe with a new timer
            self.interval = float(heartbeat_timer(_json(response)) or self.interval)
        return self.interval

    def deregister(self) -> None:
        """Tell the NRF this instance is going away (clean shutdown); errors are logged."""
        if not self.registered:
            return
        try:
            response = self._http.request("DELETE", self.resource, headers=_JSON)
        except httpx.TransportError as exc:
            log.warning("NRF deregistration failed: %s: %s", type(exc).__name__, exc)
            return
        self.registered = False
        if response.status_code in (204, 404):
            log.info("deregistered PCF %s from the NRF", self.profile.nf_instance_id)
        else:
            log.warning("NRF deregistration answered HTTP %s", response.status_code)

    def close(self) -> None:
        self._http.close()


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


def _dumps(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()
