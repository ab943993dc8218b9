"""``pcf-bdt``: run the PCF."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from pcf_server.settings import ADMIN_BASE_PATH, Settings


def _serve(args: argparse.Namespace) -> int:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces

    from pcf_server.bootstrap import prepare
    from pcf_server.config import ConfigError

    if args.stub and args.workers != 1:
        raise SystemExit(
            "pcf-bdt: --stub keeps its faults and journal in one process: use --workers 1"
        )
    if (args.tls_cert is None) != (args.tls_key is None):
        raise SystemExit("pcf-bdt serve: --tls-cert and --tls-key go together")
    settings = Settings(
        db_path=args.db,
        api_root=args.api_root,
        max_body_bytes=args.max_body_bytes,
        stub=args.stub,
        config_path=args.config,
    )
    try:  # here, so that a bad file or database fails the command, not each worker
        prepare(settings)
    except ConfigError as exc:
        print(f"pcf-bdt: {exc}", file=sys.stderr)
        return 2
    os.environ.update(settings.to_environment())
    # What the command line chose; TLS only when a certificate is given.
    chosen = {"address": args.host, "port": args.port, "workers": args.workers}
    chosen["log_access"] = args.access_log
    if args.tls_cert is not None:
        chosen |= {"ssl_cert": args.tls_cert, "ssl_key": args.tls_key}
    server = Granian(
        "pcf_server.bootstrap:app_from_environment",
        factory=True,
        interface=Interfaces.ASGI,
        # auto: HTTP/1.1 and HTTP/2 on one port: h2c with prior knowledge in clear text,
        # ALPN (h2, http/1.1) under TLS.
        http=HTTPModes.auto,
        **chosen,
    )
    server.serve()
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _degrade(args: argparse.Namespace) -> int:
    """Inject a degradation through the admin API of a running PCF (any worker will do)."""
    import httpx

    body = {
        "areaId": args.area,
        "timeWindow": {"startTime": args.start, "stopTime": args.stop},
        "factor": args.factor,
    }
    url = f"{args.url.rstrip('/')}{ADMIN_BASE_PATH}/degradations"
    try:
        response = httpx.post(url, json=body, timeout=30)
    except httpx.HTTPError as exc:
        print(f"pcf-bdt: cannot reach {url}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(response.json(), indent=2))
    return 0 if response.is_success else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pcf-bdt", description="A PCF for Npcf_BDTPolicyControl.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API (HTTP/1.1 and h2c on one port)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8080, help="port to listen on")
    serve.add_argument("--db", type=Path, default=Settings.db_path, help="SQLite database file")
    serve.add_argument(
        "--api-root",
        help="apiRoot for Location headers when a proxy is in front (e.g. https://pcf.example)",
    )
    serve.add_argument("--workers", type=int, default=1, help="server worker processes")
    serve.add_argument(
        "--max-body-bytes",
        type=_positive,
        default=Settings.max_body_bytes,
        help="longest request body accepted; longer ones get 413",
    )
    serve.add_argument("--tls-cert", type=Path, help="PEM certificate (chain): serve HTTPS")
    serve.add_argument("--tls-key", type=Path, help="PEM private key of --tls-cert")
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.add_argument(
        "--stub",
        action="store_true",
        help=f"test stub: fault injection, request journal, reset under {ADMIN_BASE_PATH}",
    )
    serve.add_argument(
        "--config",
        type=Path,
        help="operator configuration (YAML) of BDT decisions; default: the one shipped",
    )
    degrade = commands.add_parser(
        "degrade", help="tell a running PCF that an area's capacity drops for a period"
    )
    degrade.add_argument("--area", required=True, help="area id of the configuration")
    degrade.add_argument("--from", dest="start", required=True, help="RFC 3339 start time")
    degrade.add_argument("--to", dest="stop", required=True, help="RFC 3339 stop time")
    degrade.add_argument("--factor", type=float, required=True, help="capacity multiplier, 0-1")
    degrade.add_argument("--url", default="http://127.0.0.1:8080", help="the PCF's apiRoot")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    if args.command == "degrade":
        return _degrade(args)
    return 2  # pragma: no cover - argparse enforces the sub-command


if __name__ == "__main__":
    raise SystemExit(main())
