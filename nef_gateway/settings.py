"""Run-time settings of the NEF gateway, carried to server workers in the environment.

granian starts a worker by importing an application factory, so the settings travel as
``NEF_GATEWAY_*`` variables, as the PCF's do.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from nef_client._options import ClientOptions

_PREFIX = "NEF_GATEWAY_"
BASE_PATH = "/3gpp-bdt/v1"
CALLBACK_PATH = "/nef-bdt-callbacks/v1/pcf-notifications"


@dataclass(frozen=True)
class Settings:
    """Everything the composition root needs."""

    pcf_url: str = "http://127.0.0.1:8080"
    """The PCF's apiRoot (or its Npcf_BDTPolicyControl base URL)."""
    db_path: Path = Path("nef-gateway.db")
    api_root: str | None = None
    """apiRoot that AFs reach the gateway by (Location, self); None: from each request."""
    callback_root: str = "http://127.0.0.1:8082"
    """apiRoot that the PCF reaches the gateway by: notifUri is built on it."""
    allowed_afs: frozenset[str] | None = None
    """The scsAsIds served (others get 403); None serves any."""
    groups: Mapping[str, str] = field(default_factory=dict)
    """External group id -> internal group id (the default group translator)."""
    max_body_bytes: int = 1_048_576
    pcf_client: ClientOptions = field(default_factory=ClientOptions)
    """How the gateway reaches the PCF: nef-bdt's client options (NRF tokens, TLS,
    timeout, HTTP version)."""
    allowed_destinations: tuple[str, ...] = ()
    """CIDRs and host names notificationDestination may point to besides the default
    (``nf_common.destinations``; a lab's AFs on loopback: 127.0.0.0/8)."""
    listen_port: int | None = None
    """The gateway's own port, never a destination."""

    def to_environment(self) -> dict[str, str]:
        env = {
            f"{_PREFIX}PCF": self.pcf_url,
            f"{_PREFIX}DB": str(self.db_path),
            f"{_PREFIX}CALLBACK_ROOT": self.callback_root,
            f"{_PREFIX}GROUPS": json.dumps(dict(self.groups)),
            f"{_PREFIX}MAX_BODY_BYTES": str(self.max_body_bytes),
            f"{_PREFIX}PCF_CLIENT": json.dumps(self.pcf_client.to_json()),
            f"{_PREFIX}ALLOWED_DESTINATIONS": json.dumps(list(self.allowed_destinations)),
        }
        if self.listen_port is not None:
            env[f"{_PREFIX}LISTEN_PORT"] = str(self.listen_port)
        if self.api_root:
            env[f"{_PREFIX}API_ROOT"] = self.api_root
        if self.allowed_afs is not None:
            env[f"{_PREFIX}ALLOWED_AFS"] = json.dumps(sorted(self.allowed_afs))
        return env

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        allowed = environ.get(f"{_PREFIX}ALLOWED_AFS")
        return cls(
            pcf_url=environ.get(f"{_PREFIX}PCF", cls.pcf_url),
            db_path=Path(environ.get(f"{_PREFIX}DB", str(cls.db_path))),
            api_root=environ.get(f"{_PREFIX}API_ROOT") or None,
            callback_root=environ.get(f"{_PREFIX}CALLBACK_ROOT", cls.callback_root),
            allowed_afs=None if allowed is None else frozenset(json.loads(allowed)),
            groups=json.loads(environ.get(f"{_PREFIX}GROUPS", "{}")),
            max_body_bytes=int(environ.get(f"{_PREFIX}MAX_BODY_BYTES", cls.max_body_bytes)),
            pcf_client=ClientOptions.from_json(
                json.loads(environ.get(f"{_PREFIX}PCF_CLIENT", "{}"))
            ),
            allowed_destinations=tuple(
                json.loads(environ.get(f"{_PREFIX}ALLOWED_DESTINATIONS", "[]"))
            ),
            listen_port=int(port) if (port := environ.get(f"{_PREFIX}LISTEN_PORT")) else None,
        )
