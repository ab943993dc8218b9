"""The PCF's NF profile for the NRF (TS 29.510 Nnrf_NFManagement, clause 6.1.6.2.2).

A plain dict, as the NWDAF subscription is (``wire.nwdaf`` says why); the tests check it
against the official Rel-18 schema with a Prism mock made from the official file.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pcf_server.policy.features import SUPPORTED, FeatureSet

NFM_PATH = "/nnrf-nfm/v1"
SERVICE_NAME = "npcf-bdtpolicycontrol"
API_VERSION = "v1"
# info.version of specs/TS29554_Npcf_BDTPolicyControl.yaml: the API this PCF serves.
API_FULL_VERSION = "1.3.0"
SERVICE_INSTANCE_ID = f"{SERVICE_NAME}-1"


@dataclass(frozen=True)
class PcfProfile:
    """What the PCF tells the NRF about itself."""

    nf_instance_id: str
    api_root: str
    """Scheme, host, port and optional prefix NEFs reach the API by (TS 29.501 4.4.1)."""
    heartbeat_seconds: int
    """The heartbeat interval the PCF proposes; the NRF's answer decides."""


def _host_fields(host: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(profile fields, ipEndPoint fields) naming ``host``: an address or an FQDN."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return {"fqdn": host}, {}
    if address.version == 4:
        return {"ipv4Addresses": [str(address)]}, {"ipv4Address": str(address)}
    return {"ipv6Addresses": [str(address)]}, {"ipv6Address": str(address)}


def nf_profile_document(profile: PcfProfile) -> dict[str, Any]:
    """The NFProfile of a PCF offering npcf-bdtpolicycontrol at ``profile.api_root``.

    The service is described both as ``nfServiceList`` (Rel-16 on) and as the older
    ``nfServices`` array, which NRFs of every release read. ``apiPrefix`` is the path of
    the apiRoot, when it has one; ``supportedFeatures`` those of TS 29.554 this PCF
    implements (``policy.features``).
    """
    url = urlsplit(profile.api_root)
    port = url.port or (443 if url.scheme == "https" else 80)
    profile_host, endpoint_host = _host_fields(url.hostname or "")
    service: dict[str, Any] = {
        "serviceInstanceId": SERVICE_INSTANCE_ID,
        "serviceName": SERVICE_NAME,
        "versions": [{"apiVersionInUri": API_VERSION, "apiFullVersion": API_FULL_VERSION}],
        "scheme": url.scheme,
        "nfServiceStatus": "REGISTERED",
        "ipEndPoints": [{**endpoint_host, "transport": "TCP", "port": port}],
        "supportedFeatures": FeatureSet(SUPPORTED).encode(),
    }
    if "fqdn" in profile_host:
        service["fqdn"] = profile_host["fqdn"]
    prefix = url.path.rstrip("/")
    if prefix:
        service["apiPrefix"] = prefix
    return {
        "nfInstanceId": profile.nf_instance_id,
        "nfType": "PCF",
        "nfStatus": "REGISTERED",
        "heartBeatTimer": profile.heartbeat_seconds,
        **profile_host,
        "nfServices": [service],
        "nfServiceList": {SERVICE_INSTANCE_ID: service},
    }


# The heartbeat of TS 29.510 5.2.2.3.2: a partial update saying "still registered".
HEARTBEAT_PATCH = [{"op": "replace", "path": "/nfStatus", "value": "REGISTERED"}]


def heartbeat_timer(document: Any) -> int | None:
    """The heartBeatTimer of the NRF's answer, when it holds a usable one."""
    if isinstance(document, dict):
        value = document.get("heartBeatTimer")
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
            return value
    return None
