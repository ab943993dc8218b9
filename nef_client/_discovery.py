"""Finding PCFs through an NRF (TS 29.510 Nnrf_NFDiscovery, clause 5.3.2.2), without I/O.

``Discovery`` builds the discovery request, reads the SearchResult and keeps it for its
``validityPeriod`` (TS 29.510 6.2.6.2.2: the consumer may cache it that long); the sync
and async clients only send the request. The PCFs found are tried in the order of their
``priority`` (lower first, TS 29.510 6.1.6.2.2/3); one that refuses connections or
answers 503 is moved to the end, and ``Failover`` gives the same request for the next
one (``_retry.Exchange`` asks it).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from nef_client.exceptions import DiscoveryError

DISC_PATH = "/nnrf-disc/v1/nf-instances"
SERVICE_NAME = "npcf-bdtpolicycontrol"
API_VERSION = "v1"
API_PATH = f"/{SERVICE_NAME}/{API_VERSION}"
_LOWEST_PRIORITY = 65535  # TS 29.510: priority is 0..65535, lower is preferred


@dataclass(frozen=True)
class PcfInstance:
    """One PCF offering the service: its NF instance id and the API's base URL."""

    nf_instance_id: str
    base_url: str
    """``{apiRoot}/npcf-bdtpolicycontrol/v1``."""
    priority: int = _LOWEST_PRIORITY


def _host(service: dict[str, Any], profile: dict[str, Any]) -> tuple[str | None, int | None]:
    """Host and port of a service (TS 29.510 6.1.6.2.3; TS 29.501 4.4.1 apiRoot)."""
    endpoints = [e for e in service.get("ipEndPoints") or [] if isinstance(e, dict)]
    port = endpoints[0].get("port") if endpoints else None
    host = service.get("fqdn") or profile.get("fqdn")
    if not host and endpoints:
        first = endpoints[0]
        host = first.get("ipv4Address") or (
            f"[{first['ipv6Address']}]" if first.get("ipv6Address") else None
        )
    if not host and profile.get("ipv4Addresses"):
        host = profile["ipv4Addresses"][0]
    if not host and profile.get("ipv6Addresses"):
        host = f"[{profile['ipv6Addresses'][0]}]"
    return host, port if isinstance(port, int) else None


def _services(profile: dict[str, Any]) -> Iterable[Any]:
    """The NFService entries of a profile: ``nfServiceList`` (Rel-16 on), else ``nfServices``."""
    listed = profile.get("nfServiceList")
    if isinstance(listed, dict) and listed:
        return listed.values()
    services = profile.get("nfServices")
    return services if isinstance(services, list) else []


def pcf_instances(document: Any) -> list[PcfInstance]:
    """The usable PCFs of a SearchResult, best first.

    Usable: a registered PCF with a registered npcf-bdtpolicycontrol service of API
    version v1 over http or https, at an address the profile gives.
    """
    found = []
    profiles = document.get("nfInstances") if isinstance(document, dict) else None
    for profile in profiles if isinstance(profiles, list) else []:
        if not isinstance(profile, dict) or profile.get("nfType") != "PCF":
            continue
        if profile.get("nfStatus", "REGISTERED") != "REGISTERED":
            continue
        for service in _services(profile):
            if not isinstance(service, dict) or service.get("serviceName") != SERVICE_NAME:
                continue
            if service.get("nfServiceStatus", "REGISTERED") != "REGISTERED":
                continue
            versions = service.get("versions") or []
            if not any(
                isinstance(v, dict) and v.get("apiVersionInUri") == API_VERSION for v in versions
            ):
                continue
            scheme = service.get("scheme")
            host, port = _host(service, profile)
            if scheme not in ("http", "https") or not host:
                continue
            netloc = host if port is None else f"{host}:{port}"
            prefix = str(service.get("apiPrefix") or "").rstrip("/")
            priority = service.get("priority", profile.get("priority", _LOWEST_PRIORITY))
            found.append(
                PcfInstance(
                    str(profile.get("nfInstanceId", "")),
                    f"{scheme}://{netloc}{prefix}{API_PATH}",
                    priority if isinstance(priority, int) else _LOWEST_PRIORITY,
                )
            )
    found.sort(key=lambda instance: instance.priority)  # stable: the NRF's order otherwise
    return found


class Discovery:
    """The PCFs an NRF knows, cached for the validity period it gives.

    ``clock`` is monotonic seconds; tests inject one.
    """

    def __init__(
        self,
        nrf_url: str,
        *,
        requester_nf_instance_id: str | None = None,
        requester_nf_type: str = "NEF",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.nrf_url = nrf_url.rstrip("/")
        self.requester_nf_instance_id = requester_nf_instance_id
        self.requester_nf_type = requester_nf_type
        self._clock = clock
        self._instances: list[PcfInstance] = []
        self._expires_at = float("-inf")

    @property
    def instances(self) -> list[PcfInstance]:
        """The PCFs in the order they are tried now."""
        return list(self._instances)

    def due(self) -> bool:
        """Whether the NRF must be asked (nothing found yet, or the result expired)."""
        return self._clock() >= self._expires_at

    def build_request(self, timeout: dict[str, Any] | None = None) -> httpx.Request:
        """The Nnrf_NFDiscovery request (TS 29.510 6.2.3.2.3.1 query parameters)."""
        params = {
            "target-nf-type": "PCF",
            "requester-nf-type": self.requester_nf_type,
            # style form, explode false: one comma-separated value.
            "service-names": SERVICE_NAME,
        }
        if self.requester_nf_instance_id:
            params["requester-nf-instance-id"] = self.requester_nf_instance_id
        return httpx.Request(
            "GET",
            f"{self.nrf_url}{DISC_PATH}",
            params=params,
            headers={"Accept": "application/json, application/problem+json"},
            extensions={} if timeout is None else {"timeout": timeout},
        )

    def accept(self, response: httpx.Response) -> None:
        """Keep the PCFs of a SearchResult; ``DiscoveryError`` when there is none to use."""
        if response.status_code != 200:
            self.failed(f"the NRF answered {response.status_code} to the discovery")
            return
        try:
            document = response.json()
        except ValueError:
            self.failed("the NRF's discovery answer is not JSON")
            return
        instances = pcf_instances(document)
        validity = document.get("validityPeriod") if isinstance(document, dict) else None
        if not instances:
            self._instances, self._expires_at = [], float("-inf")
            raise DiscoveryError("the NRF knows no PCF offering npcf-bdtpolicycontrol v1")
        self._instances = instances
        seconds = validity if isinstance(validity, int) and validity > 0 else 0
        self._expires_at = self._clock() + seconds

    def failed(self, reason: str) -> None:
        """The NRF could not be asked: keep an expired result if there is one, else raise.

        A PCF found a moment ago is a better guess than none while the NRF is away; the
        NRF is asked again on the next call.
        """
        if not self._instances:
            raise DiscoveryError(reason)

    def current(self) -> str:
        """The base URL of the PCF calls go to first."""
        if not self._instances:
            raise DiscoveryError("no PCF discovered yet")
        return self._instances[0].base_url

    def demote(self, base_url: str) -> None:
        """Try the PCF at ``base_url`` last from now on (it refused or was overloaded)."""
        for index, instance in enumerate(self._instances):
            if instance.base_url == base_url:
                self._instances.append(self._instances.pop(index))
                return

    def owner(self, url: str) -> str | None:
        """The base URL among the discovered ones that ``url`` is under, if any."""
        for instance in self._instances:
            if url.startswith(instance.base_url + "/") or url == instance.base_url:
                return instance.base_url
        return None


class Failover:
    """For one call: the same request for the next discovered PCF not tried yet."""

    def __init__(self, discovery: Discovery) -> None:
        self._discovery = discovery
        self._tried: set[str] = set()

    def __call__(self, request: httpx.Request) -> httpx.Request | None:
        url = str(request.url)
        current = self._discovery.owner(url)
        if current is None:
            return None  # not a discovered PCF's URL (a Location elsewhere)
        self._tried.add(current)
        self._discovery.demote(current)
        for instance in self._discovery.instances:
            if instance.base_url not in self._tried:
                return moved(request, instance.base_url + url[len(current) :])
        return None


def moved(request: httpx.Request, url: str | httpx.URL) -> httpx.Request:
    """The same request (method, body, timeouts) sent to another URL."""
    headers = request.headers.copy()
    headers.pop("host", None)
    headers.pop("authorization", None)  # set again for the new request
    return httpx.Request(
        request.method,
        url,
        headers=headers,
        content=request.content,
        extensions=request.extensions,
    )
