"""``nef-bdt gateway``: serve the NEF gateway (granian, HTTP/1.1 and h2c on one port)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from nef_client._options import ClientOptions
from nef_gateway.settings import Settings
from nf_common.cli import (
    CommandFailed,
    UsageError,
    describe,
    http_url,
    port_number,
    probe_listen,
    reserve_port,
)
from nf_common.destinations import entry_problem
from nf_common.workers import PARENT_VARIABLE, granian_with_bounded_stop

_STOP_SECONDS = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # --pcf and the other client options come from nef-bdt, before or after the command.
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    # 8080 and 8081 are the PCF's defaults (its API and its operator listener): a lab
    # that runs both on one machine with the defaults must not find the port taken.
    parser.add_argument("--port", type=port_number, default=8082, help="port to listen on")
    parser.add_argument("--db", type=Path, default=Settings.db_path, help="SQLite database file")
    parser.add_argument(
        "--api-root",
        type=http_url,
        metavar="URL",
        help="apiRoot AFs reach the gateway by, for Location and self links",
    )
    parser.add_argument(
        "--callback-root",
        type=http_url,
        metavar="URL",
        help="apiRoot the PCF reaches the gateway by, for its notifUri (default: http://HOST:PORT)",
    )
    parser.add_argument(
        "--allow-af",
        action="append",
        metavar="SCS_AS_ID",
        help="serve only these AFs (repeat); others get 403. Default: any",
    )
    parser.add_argument(
        "--groups",
        type=Path,
        help="JSON file mapping external group ids to internal group ids",
    )
    parser.add_argument(
        "--allow-destination",
        action="append",
        metavar="CIDR|HOST",
        help="let notificationDestination point there (repeat), e.g. 127.0.0.0/8 for AFs on"
        " this machine in a lab; loopback, link-local and cloud metadata addresses are"
        " refused otherwise",
    )
    parser.add_argument("--access-log", action="store_true", help="log every request")


def _groups(path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else describe(exc)
        raise CommandFailed(f"gateway: --groups {path}: {why}") from None
    if not isinstance(document, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in document.items()
    ):
        raise CommandFailed(
            f"gateway: --groups {path}: must map external group ids to internal ones"
        )
    return document


def settings_from(args: argparse.Namespace, pcf_url: str) -> Settings:
    host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    return Settings(
        pcf_url=pcf_url,
        db_path=args.db,
        api_root=args.api_root,
        callback_root=args.callback_root or f"http://{host}:{args.port}",
        allowed_afs=frozenset(args.allow_af) if args.allow_af else None,
        groups=_groups(args.groups),
        pcf_client=ClientOptions.from_args(args),
        allowed_destinations=tuple(args.allow_destination or ()),
        listen_port=args.port,
    )


def serve(args: argparse.Namespace, pcf_url: str) -> int:
    try:
        from granian.constants import HTTPModes, Interfaces
    except ImportError:
        raise CommandFailed(
            "gateway needs the server extra: pip install 'npcf-bdt[server]'"
        ) from None
    import sqlite3

    from nef_gateway.storage import SqliteStore
    from nf_common.sqlite import UnusableStore, check_store_file

    args.port = probe_listen(args.host, args.port)
    held = reserve_port(args.host, args.port)  # until granian listens (SO_REUSEPORT)
    settings = settings_from(args, pcf_url)
    for entry in settings.allowed_destinations:
        try:
            entry_problem(entry)
        except ValueError as exc:
            raise UsageError(f"--allow-destination: {exc}") from None
    try:  # a bad database fails the command, not the worker
        check_store_file(Path(settings.db_path), "subscription", "nef-bdt gateway")
        SqliteStore(settings.db_path)
    except UnusableStore as exc:
        raise UsageError(f"--db {exc}") from None
    except (sqlite3.Error, OSError) as exc:
        raise UsageError(f"--db {settings.db_path}: {describe(exc)}") from None
    os.environ.update(settings.to_environment())
    os.environ[PARENT_VARIABLE] = str(os.getpid())
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(
        f"nef-bdt gateway: http://{host}:{args.port}/3gpp-bdt/v1 -> {pcf_url}",
        file=sys.stderr,
        flush=True,
    )
    granian_with_bounded_stop()(
        "nef_gateway.composition:app_from_environment",
        factory=True,
        address=args.host,
        port=args.port,
        interface=Interfaces.ASGI,
        http=HTTPModes.auto,
        workers=1,
        log_access=args.access_log,
        # On SIGTERM granian waits for open connections to close. The PCF's sender closes
        # its connection here when idle (nf_common.delivery), but an AF may hold one open
        # for ever: the stop is bounded.
        workers_kill_timeout=_STOP_SECONDS,
    ).serve()
    if held is not None:
        held.close()
    return 0
