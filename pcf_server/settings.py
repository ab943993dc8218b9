"""Run-time settings of the PCF, passed to server worker processes through the environment.

granian starts each worker by importing an application factory, so the settings travel
as ``PCF_BDT_*`` environment variables rather than as Python objects.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from nf_common.sql import is_postgres_url

_PREFIX = "PCF_BDT_"
API_NAME = "npcf-bdtpolicycontrol"
API_VERSION = "v1"
# Where each API is served: the 3GPP one, the operator's (and the test stub's), and the
# endpoint NWDAF notifications are sent to.
BASE_PATH = f"/{API_NAME}/{API_VERSION}"
ADMIN_BASE_PATH = "/pcf-bdt-admin/v1"
NWDAF_BASE_PATH = "/pcf-bdt-callbacks/v1"
# Where the processes of one server write their metrics (prometheus_client's variable).
METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def process_alive(pid: int) -> bool:
    """Whether a process of that id exists (whose metrics files are kept or forgotten)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def database_location(text: str) -> Path | str:
    """``--db``'s value: a libpq URI (``postgresql://...``) as it is, else a file path."""
    if is_postgres_url(text):
        return text
    return Path(text)


@dataclass(frozen=True)
class Settings:
    """Everything the application factory needs."""

    # The store: a SQLite file, or a PostgreSQL libpq URI (``database_location``).
    db_path: Path | str = Path("pcf-bdt.db")
    # Scheme, host and optional prefix that NEFs reach us by (TS 29.501 apiRoot); when
    # unset, taken from each request, which is right unless a proxy rewrites the host.
    api_root: str | None = None
    # Test stub (api/stub.py): fault injection, request journal, store reset.
    stub: bool = False
    # Longest request body accepted (413 beyond); BdtReqData documents are a few kB.
    max_body_bytes: int = 1_048_576
    # Operator configuration of BDT decisions (YAML); None: the one shipped in the package.
    config_path: Path | None = None
    # NRF public keys (PEM) that access tokens must be signed with; none: no token asked.
    oauth2_keys: tuple[Path, ...] = ()
    oauth2_issuer: str | None = None
    oauth2_audience: str | None = None
    # CA (PEM) of the NFs' client certificates: mutual TLS on the 3GPP API's listener.
    tls_client_ca: Path | None = None
    # NWDAF subscriptions whose notifications are taken (access.py has the rule).
    nwdaf_subscriptions: tuple[str, ...] = ()
    # The operator API's own listener (and the test stub's, with --stub).
    admin_host: str = "127.0.0.1"
    admin_port: int = 8081
    # The apiRoot of the 3GPP listener as the command line set it up (scheme, host,
    # port): what the NRF and the NWDAF are told when no --api-root is given.
    listen_root: str = "http://127.0.0.1:8080"
    # The core around the PCF: the NRF it registers with (and its NF instance id; None:
    # one kept in the store), the heartbeat it proposes, and the NWDAF it subscribes to,
    # with access tokens from the NRF when nwdaf_oauth2 (OAuth 2.0 client credentials).
    nrf_url: str | None = None
    nf_instance_id: str | None = None
    nrf_heartbeat: int = 60
    nwdaf_url: str | None = None
    nwdaf_oauth2: bool = False

    @property
    def advertised_root(self) -> str:
        """The apiRoot other NFs reach this PCF by."""
        return (self.api_root or self.listen_root).rstrip("/")

    # Seconds a client has to send a request body once its headers are in (408 beyond).
    body_read_timeout: float = 30.0
    # Logs of every process (pcf_server.logs): level and format (text or json).
    log_level: str = "info"
    log_format: str = "text"
    # Seconds after which a connection that has sent nothing is closed (see
    # pcf_server.connections); None: not watched (the application outside a server).
    silent_timeout: float | None = None
    # Seconds a claimed notification is a sender's before another instance may send it:
    # how long the warnings of an instance that died mid-delivery wait.
    delivery_lease: float = 30.0

    @property
    def tokens_required(self) -> bool:
        return bool(self.oauth2_keys)

    def to_environment(self) -> dict[str, str]:
        env = {
            f"{_PREFIX}DB": str(self.db_path),
            f"{_PREFIX}STUB": "1" if self.stub else "0",
            f"{_PREFIX}MAX_BODY_BYTES": str(self.max_body_bytes),
            f"{_PREFIX}OAUTH2_KEYS": json.dumps([str(p.resolve()) for p in self.oauth2_keys]),
            f"{_PREFIX}NWDAF_SUBSCRIPTIONS": json.dumps(list(self.nwdaf_subscriptions)),
            f"{_PREFIX}ADMIN_HOST": self.admin_host,
            f"{_PREFIX}ADMIN_PORT": str(self.admin_port),
            f"{_PREFIX}LISTEN_ROOT": self.listen_root,
            f"{_PREFIX}NRF_HEARTBEAT": str(self.nrf_heartbeat),
            f"{_PREFIX}NWDAF_OAUTH2": "1" if self.nwdaf_oauth2 else "0",
            f"{_PREFIX}BODY_READ_TIMEOUT": str(self.body_read_timeout),
            f"{_PREFIX}LOG_LEVEL": self.log_level,
            f"{_PREFIX}LOG_FORMAT": self.log_format,
            f"{_PREFIX}DELIVERY_LEASE": str(self.delivery_lease),
        }
        optional = {
            "API_ROOT": self.api_root,
            "CONFIG": self.config_path and str(self.config_path.resolve()),
            "OAUTH2_ISSUER": self.oauth2_issuer,
            "OAUTH2_AUDIENCE": self.oauth2_audience,
            "TLS_CLIENT_CA": self.tls_client_ca and str(self.tls_client_ca.resolve()),
            "NRF": self.nrf_url,
            "NF_INSTANCE_ID": self.nf_instance_id,
            "NWDAF": self.nwdaf_url,
            "SILENT_TIMEOUT": None if self.silent_timeout is None else str(self.silent_timeout),
        }
        env |= {f"{_PREFIX}{name}": value for name, value in optional.items() if value}
        return env

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        def text(name: str) -> str | None:
            return environ.get(f"{_PREFIX}{name}") or None

        def path(name: str) -> Path | None:
            value = text(name)
            return None if value is None else Path(value)

        return cls(
            db_path=database_location(environ.get(f"{_PREFIX}DB", str(cls.db_path))),
            api_root=text("API_ROOT"),
            stub=environ.get(f"{_PREFIX}STUB", "0") == "1",
            max_body_bytes=int(environ.get(f"{_PREFIX}MAX_BODY_BYTES", cls.max_body_bytes)),
            config_path=path("CONFIG"),
            oauth2_keys=tuple(Path(p) for p in json.loads(text("OAUTH2_KEYS") or "[]")),
            oauth2_issuer=text("OAUTH2_ISSUER"),
            oauth2_audience=text("OAUTH2_AUDIENCE"),
            tls_client_ca=path("TLS_CLIENT_CA"),
            nwdaf_subscriptions=tuple(json.loads(text("NWDAF_SUBSCRIPTIONS") or "[]")),
            admin_host=environ.get(f"{_PREFIX}ADMIN_HOST", cls.admin_host),
            admin_port=int(environ.get(f"{_PREFIX}ADMIN_PORT", cls.admin_port)),
            listen_root=environ.get(f"{_PREFIX}LISTEN_ROOT", cls.listen_root),
            nrf_url=text("NRF"),
            nf_instance_id=text("NF_INSTANCE_ID"),
            nrf_heartbeat=int(environ.get(f"{_PREFIX}NRF_HEARTBEAT", cls.nrf_heartbeat)),
            nwdaf_url=text("NWDAF"),
            nwdaf_oauth2=environ.get(f"{_PREFIX}NWDAF_OAUTH2", "0") == "1",
            body_read_timeout=float(text("BODY_READ_TIMEOUT") or cls.body_read_timeout),
            silent_timeout=float(timeout) if (timeout := text("SILENT_TIMEOUT")) else None,
            log_level=text("LOG_LEVEL") or cls.log_level,
            log_format=text("LOG_FORMAT") or cls.log_format,
            delivery_lease=float(text("DELIVERY_LEASE") or cls.delivery_lease),
        )
