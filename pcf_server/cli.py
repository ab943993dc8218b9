"""``pcf-bdt``: run the PCF."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pcf_server import __version__, logs
from pcf_server.settings import (
    ADMIN_BASE_PATH,
    METRICS_DIR_VARIABLE,
    Settings,
    database_location,
    process_alive,
)

log = logging.getLogger("pcf_server")

_LOOPBACK_NAMES = {"localhost"}


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _address(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (``[v6]:PORT`` for IPv6) or ``PORT`` (on loopback)."""
    host, _, port = text.rpartition(":")
    try:
        number = int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST:PORT") from None
    if not 0 < number < 65536:
        raise argparse.ArgumentTypeError(f"port {number} is out of range")
    return (host.strip("[]") or "127.0.0.1"), number


def _settings(args: argparse.Namespace) -> Settings:
    admin_host, admin_port = args.admin_listen
    return Settings(
        db_path=args.db,
        api_root=args.api_root,
        max_body_bytes=args.max_body_bytes,
        stub=args.stub,
        config_path=args.config,
        oauth2_keys=tuple(args.oauth2_key),
        oauth2_issuer=args.oauth2_issuer,
        oauth2_audience=args.oauth2_audience,
        tls_client_ca=args.tls_client_ca,
        nwdaf_subscriptions=tuple(args.nwdaf_subscription),
        admin_host=admin_host,
        admin_port=admin_port,
        listen_root=_listen_root(args),
        nrf_url=args.nrf,
        nf_instance_id=args.nf_instance_id,
        nrf_heartbeat=args.nrf_heartbeat,
        nwdaf_url=args.nwdaf,
        body_read_timeout=args.body_read_timeout,
        silent_timeout=args.header_read_timeout,
        log_level=args.log_level,
        log_format=args.log_format,
        delivery_lease=args.delivery_lease,
    )


def _listen_root(args: argparse.Namespace) -> str:
    scheme = "https" if args.tls_cert is not None else "http"
    host = f"[{args.host}]" if ":" in args.host else args.host
    return f"{scheme}://{host}:{args.port}"


def _unspecified(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def _http_url(text: str) -> str:
    """An NF's apiRoot: an absolute http(s) URL."""
    from urllib.parse import urlsplit

    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http:// or https:// URL")
    return text.rstrip("/")


def _uuid(text: str) -> str:
    import uuid

    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a UUID (TS 29.571 NfInstanceId)"
        ) from None


def default_workers() -> int:
    """One worker process per core this process may run on.

    Workers write one at a time, but decide, read and speak HTTP each on a core.
    """
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _refusal(args: argparse.Namespace) -> str | None:
    """What makes the command line unusable, in one line; None if nothing does."""
    if args.stub and args.workers not in (None, 1):
        return "--stub keeps its faults and journal in one process: use --workers 1"
    if (args.tls_cert is None) != (args.tls_key is None):
        return "--tls-cert and --tls-key go together"
    if args.tls_client_ca is not None and args.tls_cert is None:
        return "--tls-client-ca needs --tls-cert and --tls-key (client certificates need TLS)"
    admin_host, admin_port = args.admin_listen
    if admin_port == args.port:
        return f"--admin-listen must be another port than --port ({args.port})"
    if args.stub and not args.stub_allow_remote:
        remote = [h for h in (args.host, admin_host) if not _is_loopback(h)]
        if remote:
            return (
                f"--stub on {remote[0]} would let anyone who reaches it reset the store and"
                " read the journal; use a loopback address, or --stub-allow-remote"
            )
    if (args.oauth2_issuer or args.oauth2_audience) and not args.oauth2_key:
        return "--oauth2-issuer and --oauth2-audience need --oauth2-key"
    if (args.nrf or args.nwdaf) and args.api_root is None and _unspecified(args.host):
        return (
            f"--nrf and --nwdaf tell other NFs where this PCF is: with --host {args.host},"
            " give the address they reach it by with --api-root"
        )
    if args.nf_instance_id and not args.nrf:
        return "--nf-instance-id goes with --nrf"
    return None


def _announce(settings: Settings) -> None:
    """Say once, at start, what an operator must know about who can reach what."""
    if not settings.tokens_required:
        log.info(
            "no --oauth2-key: the 3GPP API and the NWDAF endpoint take requests"
            " without access tokens, all as one consumer"
        )
    if not _is_loopback(settings.admin_host):
        log.warning(
            "the operator API listens on %s, not loopback: whoever reaches it can change"
            " capacity and degrade areas",
            settings.admin_host,
        )


def _started(args: argparse.Namespace, settings: Settings, areas: list[str]) -> None:
    """What an operator reads first in the log: version, listeners, store, configuration."""
    config = str(settings.config_path) if settings.config_path else "the one shipped"
    host = settings.admin_host
    admin = f"http://{f'[{host}]' if ':' in host else host}:{settings.admin_port}"
    store = logs.without_password(str(settings.db_path))
    workers = f"{args.workers} worker{'' if args.workers == 1 else 's'}"
    log.info(
        "pcf-bdt %s: 3GPP API and probes on %s (%s), operator API, /metrics and probes on"
        " %s; store %s; configuration %s, areas %s",
        __version__,
        settings.listen_root,
        workers,
        admin,
        store,
        config,
        ", ".join(areas),
        extra={
            "version": __version__,
            "listen": settings.listen_root,
            "admin_listen": admin,
            "workers": args.workers,
            "store": store,
            "config": config,
            "areas": areas,
        },
    )


@contextlib.contextmanager
def _metrics_directory() -> Iterator[None]:
    """A fresh directory for this run's metrics, removed at exit (multi-process mode).

    Set before anything imports prometheus_client: the mode is chosen at its import, and
    the server processes inherit it from the environment. The directories of runs that
    could not remove theirs (``kill -9``) are removed at the next start.
    """
    prefix = "pcf-bdt-metrics-"
    for stale in Path(tempfile.gettempdir()).glob(f"{prefix}*-*"):
        owner = stale.name.removeprefix(prefix).split("-", 1)[0]
        if owner.isdigit() and not process_alive(int(owner)):
            shutil.rmtree(stale, ignore_errors=True)
    directory = tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-")
    os.environ[METRICS_DIR_VARIABLE] = directory
    try:
        yield
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _serve(args: argparse.Namespace) -> int:
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces

    from pcf_server import listeners
    from pcf_server.api.access import UnusableKey
    from pcf_server.bootstrap import prepare
    from pcf_server.config import ConfigError
    from pcf_server.service.ports import StoreBusy

    refusal = _refusal(args)
    if refusal is not None:
        print(f"pcf-bdt serve: {refusal}", file=sys.stderr)
        return 2
    if args.workers is None:
        args.workers = 1 if args.stub else default_workers()
    settings = _settings(args)
    try:  # here, so that a bad file or database fails the command, not each worker
        network = prepare(settings)
        listeners.check_free(settings.admin_host, settings.admin_port)
    except (ConfigError, UnusableKey, StoreBusy) as exc:
        print(f"pcf-bdt: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:
        print(f"pcf-bdt: {exc.name} is missing: pip install 'npcf-bdt[postgres]'", file=sys.stderr)
        return 2
    except OSError as exc:
        where = f"{settings.admin_host}:{settings.admin_port}"
        print(f"pcf-bdt: cannot listen on {where} (--admin-listen): {exc}", file=sys.stderr)
        return 2
    _started(args, settings, list(network.areas))
    _announce(settings)
    os.environ.update(settings.to_environment())
    # The stub serves its operator listener from its one worker (bootstrap.create_app).
    admin = None if settings.stub else listeners.start_admin_process(*args.admin_listen)
    admin_died = []

    def on_admin_death() -> None:
        admin_died.append(True)
        listeners.interrupt_self()

    with listeners.supervised(admin, on_admin_death):
        if args.tls_client_ca is not None:
            tls = listeners.MutualTls(args.tls_cert, args.tls_key, args.tls_client_ca)
            status = listeners.serve_mutual_tls(
                args.host,
                args.port,
                args.workers,
                tls,
                args.access_log,
                idle_timeout=args.header_read_timeout,
                backlog=args.backlog,
            )
        else:
            # What the command line chose; TLS only when a certificate is given.
            chosen = {"address": args.host, "port": args.port, "workers": args.workers}
            chosen["log_access"] = args.access_log
            chosen |= _granian_logging(args)
            if args.tls_cert is not None:
                chosen |= {"ssl_cert": args.tls_cert, "ssl_key": args.tls_key}
            server = Granian(
                "pcf_server.bootstrap:app_from_environment",
                factory=True,
                interface=Interfaces.ASGI,
                # auto: HTTP/1.1 and HTTP/2 on one port: h2c with prior knowledge in clear
                # text, ALPN (h2, http/1.1) under TLS.
                http=HTTPModes.auto,
                **chosen,
                **_connection_limits(args),
            )
            server.serve()
            status = 0
    return 1 if admin_died else status


def _granian_logging(args: argparse.Namespace) -> dict[str, Any]:
    """Granian's own lines in the PCF's log format and at its level."""
    from granian.log import LogLevels

    return {
        "log_level": LogLevels(args.log_level),
        "log_dictconfig": logs.dict_config(args.log_level, args.log_format),
    }


def _connection_limits(args: argparse.Namespace) -> dict[str, Any]:
    """Granian's settings against connection abuse (the README's "Security" section).

    A connection holds one of its worker's ``--max-connections`` slots for as long as it
    is open, whether it sends anything or not; the timeouts close those that say nothing.
    """
    from granian.http import HTTP1Settings, HTTP2Settings

    return {
        "backlog": args.backlog,
        "backpressure": args.max_connections,
        # HTTP/1.1: the header section must be in within the timeout, and so must the next
        # request's on a kept-alive connection (hyper counts that wait as header reading).
        "http1_settings": HTTP1Settings(header_read_timeout=round(args.header_read_timeout * 1000)),
        # HTTP/2: a ping every interval; a peer that does not answer within 20 s is gone.
        "http2_settings": HTTP2Settings(
            keep_alive_interval=round(args.http2_keepalive * 1000), keep_alive_timeout=20
        ),
    }


def _seconds(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = float(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:g} and {high:g} seconds")
        return value

    return parse


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _at_least(low: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}")
        return value

    return parse


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


def _timeline(args: argparse.Namespace) -> int:
    """Write the operator's picture of an area, read from a running PCF, to a file."""
    import httpx

    from pcf_server.picture import FORMATS, PictureUnavailable, draw

    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        print(f"pcf-bdt: error: --out {out}: give a .png or .svg file", file=sys.stderr)
        return 2
    if not out.parent.is_dir():
        print(f"pcf-bdt: error: --out {out}: no directory {out.parent}", file=sys.stderr)
        return 2
    params = {name: value for name, value in (("from", args.start), ("to", args.stop)) if value}
    url = f"{args.url.rstrip('/')}{ADMIN_BASE_PATH}/areas/{quote(args.area, safe='')}/timeline"
    try:
        response = httpx.get(url, params=params, timeout=30)
    except httpx.HTTPError as exc:
        print(f"pcf-bdt: error: cannot reach {url}: {exc}", file=sys.stderr)
        return 1
    try:
        document = response.json()
    except ValueError:
        print(f"pcf-bdt: error: {url} answered {response.status_code}, not JSON", file=sys.stderr)
        return 1
    if not response.is_success:
        reason = (
            document.get("detail") or document.get("title") if isinstance(document, dict) else None
        )
        print(f"pcf-bdt: error: {response.status_code} {reason or ''}".rstrip(), file=sys.stderr)
        return 1
    try:
        draw(document, out, args.direction)
    except PictureUnavailable as exc:
        print(f"pcf-bdt: error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pcf-bdt", description="A PCF for Npcf_BDTPolicyControl.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API (HTTP/1.1 and h2c on one port)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8080, help="port to listen on")
    serve.add_argument(
        "--db",
        type=database_location,
        default=Settings.db_path,
        help="SQLite database file, or a PostgreSQL URI postgresql://USER@HOST:PORT/DB"
        " (password from the URI, PGPASSWORD or ~/.pgpass)",
    )
    serve.add_argument(
        "--api-root",
        help="apiRoot for Location headers when a proxy is in front (e.g. https://pcf.example)",
    )
    serve.add_argument(
        "--workers",
        type=_positive,
        help="server worker processes (default: one per core; 1 with --stub)",
    )
    serve.add_argument(
        "--max-body-bytes",
        type=_positive,
        default=Settings.max_body_bytes,
        help="longest request body accepted; longer ones get 413",
    )
    serve.add_argument(
        "--header-read-timeout",
        type=_seconds(0.01, 60),
        default=10.0,
        metavar="SECONDS",
        help="time a client has to send a request's headers (HTTP/1.1, also between "
        "requests) or a new connection's first bytes; then it is closed (default 10)",
    )
    serve.add_argument(
        "--body-read-timeout",
        type=_seconds(0.01, 3600),
        default=Settings.body_read_timeout,
        metavar="SECONDS",
        help="time a client has to send a request body after its headers; 408 after (default 30)",
    )
    serve.add_argument(
        "--delivery-lease",
        type=_seconds(1, 3600),
        default=Settings.delivery_lease,
        metavar="SECONDS",
        help="time a notification being sent is one sender's; after it, another worker or"
        " instance sends it again (default 30)",
    )
    serve.add_argument(
        "--http2-keepalive",
        type=_seconds(1, 60),
        default=30.0,
        metavar="SECONDS",
        help="ping HTTP/2 peers this often; one that does not answer within 20 s is "
        "disconnected (default 30)",
    )
    serve.add_argument(
        "--max-connections",
        type=_positive,
        default=1000,
        help="open connections per worker; more wait in the backlog (default 1000)",
    )
    serve.add_argument(
        "--backlog",
        type=_at_least(128),
        default=1024,
        help="connections the kernel queues until a worker takes them (default 1024)",
    )
    serve.add_argument("--tls-cert", type=Path, help="PEM certificate (chain): serve HTTPS")
    serve.add_argument("--tls-key", type=Path, help="PEM private key of --tls-cert")
    serve.add_argument(
        "--tls-client-ca",
        type=Path,
        help="PEM CA of NF client certificates: require and verify them (mutual TLS)",
    )
    serve.add_argument(
        "--oauth2-key",
        type=Path,
        action="append",
        default=[],
        metavar="PEM",
        help="NRF public key (RS256 or ES256) access tokens must be signed with; repeat"
        " for rotation. Without it no token is asked for",
    )
    serve.add_argument("--oauth2-issuer", help="the iss access tokens must carry (the NRF)")
    serve.add_argument("--oauth2-audience", help="an aud access tokens must carry (this PCF)")
    serve.add_argument(
        "--nwdaf-subscription",
        action="append",
        default=[],
        metavar="ID",
        help="an NWDAF subscriptionId whose notifications are taken; repeatable",
    )
    serve.add_argument(
        "--nrf",
        type=_http_url,
        metavar="URL",
        help="the NRF's apiRoot: register this PCF's NF profile there, with heartbeats",
    )
    serve.add_argument(
        "--nf-instance-id",
        type=_uuid,
        metavar="UUID",
        help="this PCF's NF instance id at the NRF (default: one made once and kept in the store)",
    )
    serve.add_argument(
        "--nrf-heartbeat",
        type=_positive,
        default=Settings.nrf_heartbeat,
        metavar="SECONDS",
        help="heartbeat interval proposed to the NRF (the NRF's answer decides)",
    )
    serve.add_argument(
        "--nwdaf",
        type=_http_url,
        metavar="URL",
        help="the NWDAF's apiRoot: subscribe to network performance of the areas in use",
    )
    serve.add_argument(
        "--admin-listen",
        type=_address,
        default=("127.0.0.1", 8081),
        metavar="HOST:PORT",
        help="where the operator API listens (default 127.0.0.1:8081)",
    )
    serve.add_argument("--access-log", action="store_true", help="granian's access log lines too")
    serve.add_argument(
        "--log-level",
        choices=logs.LEVELS,
        default="info",
        help="least severe log records written (default info: a line per request and event)",
    )
    serve.add_argument(
        "--log-format",
        choices=logs.FORMATS,
        default="text",
        help="log lines as text, or as JSON objects for collectors (default text)",
    )
    serve.add_argument(
        "--stub",
        action="store_true",
        help=f"test stub: fault injection, request journal, reset under {ADMIN_BASE_PATH}"
        " of the operator listener",
    )
    serve.add_argument(
        "--stub-allow-remote",
        action="store_true",
        help="let --stub listen on an address other than loopback",
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
    degrade.add_argument(
        "--url",
        default="http://127.0.0.1:8081",
        help="the PCF's operator listener (--admin-listen of pcf-bdt serve)",
    )
    timeline = commands.add_parser(
        "timeline",
        help="write an area's capacity picture (limit, load, reservations) to a PNG or SVG",
    )
    timeline.add_argument("--area", required=True, help="area id of the configuration")
    timeline.add_argument("--out", required=True, help="the file to write: .png or .svg")
    timeline.add_argument("--from", dest="start", help="RFC 3339 start time (default now)")
    timeline.add_argument("--to", dest="stop", help="RFC 3339 stop time (default from + 48 h)")
    timeline.add_argument(
        "--direction", choices=("downlink", "uplink"), default="downlink", help="default downlink"
    )
    timeline.add_argument(
        "--url",
        default="http://127.0.0.1:8081",
        help="the PCF's operator listener (--admin-listen of pcf-bdt serve)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        logs.configure(args.log_level, args.log_format)
        with _metrics_directory():
            return _serve(args)
    if args.command == "degrade":
        return _degrade(args)
    if args.command == "timeline":
        return _timeline(args)
    return 2  # pragma: no cover - argparse enforces the sub-command


if __name__ == "__main__":
    raise SystemExit(main())
