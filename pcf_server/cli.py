"""``pcf-bdt``: run the PCF."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import json
import logging
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from nf_common.cli import (
    CommandFailed,
    Parser,
    UsageError,
    at_least,
    describe,
    http_url,
    port_number,
    probe_listen,
    reserve_port,
    run_command,
    seconds,
)
from nf_common.cli import is_loopback as _is_loopback
from nf_common.units import parse_time
from pcf_server import __version__, logs
from pcf_server.settings import (
    ADMIN_BASE_PATH,
    METRICS_DIR_VARIABLE,
    Settings,
    database_location,
    process_alive,
)

if TYPE_CHECKING:
    from pcf_server.policy.network import Network

log = logging.getLogger("pcf_server")

# Stopping (SIGTERM, SIGINT): granian stops taking connections and lets its workers finish
# what they serve for this long, then kills them (``--shutdown-timeout``).
_SHUTDOWN_SECONDS = 10.0


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
        nwdaf_oauth2=args.nwdaf_oauth2,
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
    if args.nwdaf_oauth2 and not (args.nrf and args.nwdaf):
        return "--nwdaf-oauth2 needs --nrf (the NRF issuing the tokens) and --nwdaf"
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
    from granian.constants import HTTPModes, Interfaces

    from nf_common.workers import PARENT_VARIABLE, granian_with_bounded_stop
    from pcf_server import listeners

    refusal = _refusal(args)
    if refusal is not None:
        raise UsageError(refusal)
    if args.workers is None:
        args.workers = 1 if args.stub else default_workers()
    _check_files(args)
    # Before anything is started: a port in use, an address of another machine, a bad
    # store or configuration fail the command in one line, not each worker.
    args.port = probe_listen(args.host, args.port)
    # granian binds with SO_REUSEPORT: this keeps the port ours until it does (the
    # mutual-TLS listener, hypercorn, binds without it and needs no such help).
    held = None if args.tls_client_ca is not None else reserve_port(args.host, args.port)
    settings = _settings(args)
    network = _prepare(settings)
    _started(args, settings, list(network.areas))
    _announce(settings)
    os.environ.update(settings.to_environment())
    os.environ[PARENT_VARIABLE] = str(os.getpid())
    # The stub serves its operator listener from its one worker (bootstrap.create_app).
    admin = None if settings.stub else listeners.start_admin_process(*args.admin_listen)
    admin_died = []

    def on_admin_death() -> None:
        admin_died.append(True)
        listeners.interrupt_self()

    with listeners.supervised(admin, on_admin_death, stop_seconds=args.shutdown_timeout):
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
                shutdown_timeout=args.shutdown_timeout,
            )
        else:
            # What the command line chose; TLS only when a certificate is given.
            chosen = {"address": args.host, "port": args.port, "workers": args.workers}
            chosen["log_access"] = args.access_log
            chosen |= _granian_logging(args)
            if args.tls_cert is not None:
                chosen |= {"ssl_cert": args.tls_cert, "ssl_key": args.tls_key}
            server = granian_with_bounded_stop()(
                "pcf_server.bootstrap:app_from_environment",
                factory=True,
                interface=Interfaces.ASGI,
                # auto: HTTP/1.1 and HTTP/2 on one port: h2c with prior knowledge in clear
                # text, ALPN (h2, http/1.1) under TLS.
                http=HTTPModes.auto,
                # A worker still busy (or stuck at interpreter exit) this long after
                # SIGTERM/SIGINT is killed: the stop is bounded.
                workers_kill_timeout=math.ceil(args.shutdown_timeout),
                **chosen,
                **_connection_limits(args),
            )
            server.serve()
            status = 0
    if held is not None:
        held.close()
    return 1 if admin_died else status


def _granian_logging(args: argparse.Namespace) -> dict[str, Any]:
    """Granian's own lines in the PCF's log format and at its level."""
    from granian.log import LogLevels

    return {
        "log_level": LogLevels(args.log_level),
        "log_dictconfig": logs.dict_config(args.log_level, args.log_format),
    }


def _check_files(args: argparse.Namespace) -> None:
    """Name a file given on the command line that cannot be read, and its option."""
    files = [
        ("--tls-cert", args.tls_cert),
        ("--tls-key", args.tls_key),
        ("--tls-client-ca", args.tls_client_ca),
        ("--config", args.config),
        *(("--oauth2-key", key) for key in args.oauth2_key),
    ]
    for option, path in files:
        if path is None:
            continue
        if not path.is_file():
            why = "is a directory" if path.is_dir() else "does not exist"
            raise UsageError(f"{option} {path}: {why}")
        if not os.access(path, os.R_OK):
            raise UsageError(f"{option} {path}: cannot be read (permission denied)")
    if args.tls_cert is not None:
        import ssl

        try:
            ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(args.tls_cert, args.tls_key)
        except (ssl.SSLError, OSError) as exc:
            raise UsageError(
                f"--tls-cert {args.tls_cert} / --tls-key {args.tls_key}: not a PEM certificate"
                f" and its private key ({describe(exc)})"
            ) from None


def _prepare(settings: Settings) -> Network:
    """Check the store, configuration and keys and migrate the store; one line if not."""
    import sqlite3

    from nf_common.sqlite import UnusableStore, check_store_file
    from pcf_server import listeners
    from pcf_server.api.access import UnusableKey
    from pcf_server.bootstrap import prepare
    from pcf_server.config import ConfigError
    from pcf_server.service.ports import StoreBusy

    try:
        if isinstance(settings.db_path, Path):  # PostgreSQL checks its own pages
            check_store_file(settings.db_path, "bdt_policy", "pcf-bdt")
        network = prepare(settings)
    except (ConfigError, UnusableKey, StoreBusy) as exc:
        raise UsageError(str(exc)) from None
    except ModuleNotFoundError as exc:
        raise UsageError(f"{exc.name} is missing: pip install 'npcf-bdt[postgres]'") from None
    except UnusableStore as exc:
        raise UsageError(f"--db {exc}") from None
    except (sqlite3.Error, OSError, RuntimeError) as exc:
        raise UsageError(f"--db {settings.db_path}: {describe(exc)}") from None
    try:
        listeners.check_free(settings.admin_host, settings.admin_port)
    except OSError as exc:
        where = f"{settings.admin_host}:{settings.admin_port}"
        raise UsageError(f"cannot listen on {where} (--admin-listen): {describe(exc)}") from None
    return network


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


def _time_option(text: str) -> datetime:
    try:
        return parse_time(text).replace(microsecond=0)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _factor(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{value:g} is not between 0 and 1")
    return value


def _rfc3339(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _degrade(args: argparse.Namespace) -> int:
    """Inject a degradation through the admin API of a running PCF (any worker will do)."""
    if args.stop <= args.start:
        raise UsageError(f"--to {_rfc3339(args.stop)} is not after --from {_rfc3339(args.start)}")
    body = {
        "areaId": args.area,
        "timeWindow": {"startTime": _rfc3339(args.start), "stopTime": _rfc3339(args.stop)},
        "factor": args.factor,
    }
    url = f"{args.pcf}{ADMIN_BASE_PATH}/degradations"
    response, document = _operator_answer("POST", url, json=body)
    if not response.is_success:
        raise CommandFailed(f"{url} answered {_problem(response.status_code, document)}")
    if args.json:
        print(json.dumps(document, indent=2))
    else:
        answer = document if isinstance(document, dict) else {}
        window = body["timeWindow"]
        print(
            f"degradation {answer.get('id')}: area {args.area} at {args.factor:g} of its"
            f" capacity from {window['startTime']} to {window['stopTime']}"
        )
        for key, what in (("affected", "policies that no longer fit"), ("notified", "warned")):
            names = [str(name) for name in answer.get(key) or []]
            print(f"{what}: {', '.join(names) if names else 'none'}")
    return 0


def _operator_answer(method: str, url: str, **request: Any) -> tuple[Any, Any]:
    """The operator listener's answer and its JSON; one line for what is not one."""
    import httpx

    try:
        response = httpx.request(method, url, timeout=30, **request)
    except httpx.HTTPError as exc:
        raise CommandFailed(f"cannot reach {url}: {describe(exc)}") from None
    try:
        return response, response.json()
    except ValueError:
        kind = response.headers.get("content-type", "no content type")
        raise CommandFailed(
            f"{url} answered {response.status_code} ({kind}), not JSON: is --pcf the"
            " operator listener (--admin-listen of pcf-bdt serve)?"
        ) from None


def _problem(status: int, document: Any) -> str:
    """A ProblemDetails answer as a sentence: status, title, detail, cause, bad params."""
    if not isinstance(document, dict):
        return f"{status}: {json.dumps(document)}"
    parts = [str(document.get("status", status)), str(document.get("title", ""))]
    text = " ".join(p for p in parts if p)
    if document.get("detail"):
        text += f": {document['detail']}"
    if document.get("cause"):
        text += f" (cause {document['cause']})"
    invalid = document.get("invalidParams") or []
    reasons = [
        f"{p.get('param')} {p.get('reason', '')}".strip() for p in invalid if isinstance(p, dict)
    ]
    if reasons:
        text += "; " + "; ".join(reasons)
    return text


def _timeline(args: argparse.Namespace) -> int:
    """Write the operator's picture of an area, read from a running PCF, to a file."""
    from pcf_server.picture import FORMATS, PictureUnavailable, draw

    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        raise UsageError(f"--out {out}: give a .png or .svg file")
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: no directory {out.parent}")
    params = {
        name: _rfc3339(value)
        for name, value in (("from", args.start), ("to", args.stop))
        if value is not None
    }
    url = f"{args.url.rstrip('/')}{ADMIN_BASE_PATH}/areas/{quote(args.area, safe='')}/timeline"
    response, document = _operator_answer("GET", url, params=params)
    if not response.is_success:
        reason = (
            document.get("detail") or document.get("title") if isinstance(document, dict) else None
        )
        raise CommandFailed(f"{response.status_code} {reason or ''}".rstrip())
    try:
        draw(document, out, args.direction)
    except PictureUnavailable as exc:
        raise CommandFailed(str(exc)) from None
    print(f"wrote {out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="pcf-bdt", description="A PCF for Npcf_BDTPolicyControl.")
    parser.add_version()
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="serve the API (HTTP/1.1 and h2c on one port)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument(
        "--port", type=port_number, default=8080, help="port to listen on (0: a free one)"
    )
    serve.add_argument(
        "--db",
        type=database_location,
        default=Settings.db_path,
        help="SQLite database file, or a PostgreSQL URI postgresql://USER@HOST:PORT/DB"
        " (password from the URI, PGPASSWORD or ~/.pgpass)",
    )
    serve.add_argument(
        "--api-root",
        type=http_url,
        metavar="URL",
        help="apiRoot for Location headers when a proxy is in front (e.g. https://pcf.example)",
    )
    serve.add_argument(
        "--workers",
        type=at_least(1),
        help="server worker processes (default: one per core; 1 with --stub)",
    )
    serve.add_argument(
        "--shutdown-timeout",
        type=seconds(1, 600),
        default=_SHUTDOWN_SECONDS,
        metavar="SECONDS",
        help="on SIGTERM or SIGINT, time the workers have to finish the requests in"
        " progress before they are killed",
    )
    serve.add_argument(
        "--max-body-bytes",
        type=at_least(1),
        default=Settings.max_body_bytes,
        help="longest request body accepted; longer ones get 413",
    )
    serve.add_argument(
        "--header-read-timeout",
        type=seconds(0.01, 60),
        default=10.0,
        metavar="SECONDS",
        help="time a client has to send a request's headers (HTTP/1.1, also between "
        "requests) or a new connection's first bytes; then it is closed",
    )
    serve.add_argument(
        "--body-read-timeout",
        type=seconds(0.01, 3600),
        default=Settings.body_read_timeout,
        metavar="SECONDS",
        help="time a client has to send a request body after its headers; 408 after",
    )
    serve.add_argument(
        "--delivery-lease",
        type=seconds(1, 3600),
        default=Settings.delivery_lease,
        metavar="SECONDS",
        help="time a notification being sent is one sender's; after it, another worker or"
        " instance sends it again",
    )
    serve.add_argument(
        "--http2-keepalive",
        type=seconds(1, 60),
        default=30.0,
        metavar="SECONDS",
        help="ping HTTP/2 peers this often; one that does not answer within 20 s is disconnected",
    )
    serve.add_argument(
        "--max-connections",
        type=at_least(1),
        default=1000,
        help="open connections per worker; more wait in the backlog",
    )
    serve.add_argument(
        "--backlog",
        type=at_least(128),
        default=1024,
        help="connections the kernel queues until a worker takes them",
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
        type=http_url,
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
        type=at_least(1),
        default=Settings.nrf_heartbeat,
        metavar="SECONDS",
        help="heartbeat interval proposed to the NRF (the NRF's answer decides)",
    )
    serve.add_argument(
        "--nwdaf",
        type=http_url,
        metavar="URL",
        help="the NWDAF's apiRoot: subscribe to network performance of the areas in use",
    )
    serve.add_argument(
        "--nwdaf-oauth2",
        action="store_true",
        help="send the NWDAF access tokens from the --nrf NRF (client credentials, as this"
        " PCF's NF instance id, scope nnwdaf-eventssubscription)",
    )
    serve.add_argument(
        "--admin-listen",
        type=_address,
        default=("127.0.0.1", 8081),
        metavar="HOST:PORT",
        help="where the operator API listens",
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
    degrade.add_argument(
        "--from",
        dest="start",
        required=True,
        type=_time_option,
        help="start: ISO 8601 (UTC if no offset), now, +1d",
    )
    degrade.add_argument(
        "--to", dest="stop", required=True, type=_time_option, help="stop: like --from"
    )
    degrade.add_argument("--factor", type=_factor, required=True, help="capacity multiplier, 0-1")
    degrade.add_argument(
        "--pcf",
        type=http_url,
        default="http://127.0.0.1:8081",
        metavar="URL",
        help="the PCF's operator listener (--admin-listen of pcf-bdt serve)",
    )
    degrade.add_argument(
        "--url", dest="pcf", type=http_url, metavar="URL", help="deprecated name of --pcf"
    )
    degrade.add_argument("--json", action="store_true", help="print JSON instead of text")
    timeline = commands.add_parser(
        "timeline",
        help="write an area's capacity picture (limit, load, reservations) to a PNG or SVG",
    )
    timeline.add_argument("--area", required=True, help="area id of the configuration")
    timeline.add_argument("--out", required=True, help="the file to write: .png or .svg")
    timeline.add_argument(
        "--from",
        dest="start",
        type=_time_option,
        help="start: ISO 8601 (UTC if no offset), now, +1d (default now)",
    )
    timeline.add_argument(
        "--to", dest="stop", type=_time_option, help="stop: like --from (default from + 48 h)"
    )
    timeline.add_argument(
        "--direction", choices=("downlink", "uplink"), default="downlink", help="default downlink"
    )
    timeline.add_argument(
        "--pcf",
        dest="url",
        type=http_url,
        default="http://127.0.0.1:8081",
        metavar="URL",
        help="the PCF's operator listener (--admin-listen of pcf-bdt serve)",
    )
    timeline.add_argument(
        "--url", dest="url", type=http_url, metavar="URL", help="deprecated name of --pcf"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":

        def serve() -> int:
            logs.configure(args.log_level, args.log_format)
            with _metrics_directory():
                return _serve(args)

        return run_command("pcf-bdt", serve)
    run = {"degrade": _degrade, "timeline": _timeline}[args.command]
    return run_command("pcf-bdt", lambda: run(args))


if __name__ == "__main__":
    raise SystemExit(main())
