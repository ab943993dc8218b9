"""Run-time settings of the PCF, passed to server worker processes through the environment.

granian starts each worker by importing an application factory, so the settings travel
as ``PCF_BDT_*`` environment variables rather than as Python objects.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

_PREFIX = "PCF_BDT_"
API_NAME = "npcf-bdtpolicycontrol"
API_VERSION = "v1"
# Where each API is served: the 3GPP one, the operator's (and the test stub's), and the
# endpoint NWDAF notifications are sent to.
BASE_PATH = f"/{API_NAME}/{API_VERSION}"
ADMIN_BASE_PATH = "/pcf-bdt-admin/v1"
NWDAF_BASE_PATH = "/pcf-bdt-callbacks/v1"


@dataclass(frozen=True)
class Settings:
    """Everything the application factory needs."""

    db_path: Path = Path("pcf-bdt.db")
    # Scheme, host and optional prefix that NEFs reach us by (TS 29.501 apiRoot); when
    # unset, taken from each request, which is right unless a proxy rewrites the host.
    api_root: str | None = None
    # Test stub (api/stub.py): fault injection, request journal, store reset.
    stub: bool = False
    # Longest request body accepted (413 beyond); BdtReqData documents are a few kB.
    max_body_bytes: int = 1_048_576
    # Operator configuration of BDT decisions (YAML); None: the one shipped in the package.
    config_path: Path | None = None

    def to_environment(self) -> dict[str, str]:
        env = {
            f"{_PREFIX}DB": str(self.db_path),
            f"{_PREFIX}STUB": "1" if self.stub else "0",
            f"{_PREFIX}MAX_BODY_BYTES": str(self.max_body_bytes),
        }
        if self.api_root:
            env[f"{_PREFIX}API_ROOT"] = self.api_root
        if self.config_path:
            env[f"{_PREFIX}CONFIG"] = str(self.config_path.resolve())
        return env

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        return cls(
            db_path=Path(environ.get(f"{_PREFIX}DB", str(cls.db_path))),
            api_root=environ.get(f"{_PREFIX}API_ROOT") or None,
            stub=environ.get(f"{_PREFIX}STUB", "0") == "1",
            max_body_bytes=int(environ.get(f"{_PREFIX}MAX_BODY_BYTES", cls.max_body_bytes)),
            config_path=Path(environ[f"{_PREFIX}CONFIG"])
            if environ.get(f"{_PREFIX}CONFIG")
            else None,
        )
