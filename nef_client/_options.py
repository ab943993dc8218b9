"""How ``nef-bdt`` reaches a PCF, as its command line says, in one value.

The commands of ``nef-bdt`` and the NEF gateway (``nef-bdt gateway``) take the same
client options (``--nrf``, ``--nf-instance-id``, ``--ca``, ``--cert``, ``--key``,
``--insecure``, ``--timeout``, ``--http-version``). The gateway's workers are other
processes that get their settings from the environment, so the options are a plain,
JSON-able value, and the one place that turns them into a ``Client``.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from nef_client._auth import NrfClientCredentials
from nef_client._client import Client
from nf_common.cli import UsageError


@dataclass(frozen=True)
class ClientOptions:
    nrf: str | None = None
    """NRF apiRoot to get OAuth2 tokens from (with ``nf_instance_id``)."""
    nf_instance_id: str | None = None
    ca: str | None = None
    """PEM file of the CAs to trust."""
    cert: str | None = None
    """Client certificate (PEM) for mutual TLS; ``key`` when the key is not in it."""
    key: str | None = None
    insecure: bool = False
    timeout: float = 10.0
    http_version: str = "auto"

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ClientOptions:
        """The options given, or a ``UsageError`` (one line) for a mistake in them."""
        if args.nrf and not args.nf_instance_id:
            raise UsageError("--nrf needs --nf-instance-id")
        for option, path in (("--ca", args.ca), ("--cert", args.cert), ("--key", args.key)):
            if path is not None and not Path(path).is_file():
                raise UsageError(f"{option} {path}: no such file")
        return cls(
            nrf=args.nrf,
            nf_instance_id=args.nf_instance_id,
            ca=args.ca,
            cert=args.cert,
            key=args.key,
            insecure=args.insecure,
            timeout=args.timeout,
            http_version=args.http_version,
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> ClientOptions:
        return cls(**document)

    def client(self, pcf_url: str) -> Client:
        auth = None
        if self.nrf and self.nf_instance_id:
            auth = NrfClientCredentials(nrf_url=self.nrf, nf_instance_id=self.nf_instance_id)
        cert: Any = (self.cert, self.key) if self.key else self.cert
        return Client(
            pcf_url,
            auth=auth,
            verify=not self.insecure,
            ca_bundle=self.ca,
            client_cert=cert,
            timeout=self.timeout,
            http_version=self.http_version,
        )
