"""``nef-bdt``: negotiate BDT policies with a PCF from a shell, and watch its warnings."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from npcf_bdt_client.models import Notification, PlmnId, Tai, TransferPolicy
from npcf_bdt_client.types import Unset

from nef_client import Client, NefClientError, PolicyRemoved, PolicyResult
from nef_client._extras import missing_extra
from nef_client._options import ClientOptions
from nef_client._units import parse_duration, parse_time, parse_volume
from nf_common.cli import (
    CommandFailed,
    Parser,
    UsageError,
    at_least,
    http_url,
    plain_table,
    port_number,
    print_table,
    probe_listen,
    run_command,
    seconds,
)
from nf_common.http_version import HTTP_VERSIONS

DEFAULT_PCF = "http://127.0.0.1:8080"


def _typed(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """Adapt a parser for argparse, which turns ArgumentTypeError into a usage error."""

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc

    convert.__name__ = parse.__name__.removeprefix("parse_")
    return convert


def _tai(text: str) -> Tai:
    """MCC-MNC-TAC, e.g. 001-01-0001."""
    try:
        mcc, mnc, tac = text.split("-")
    except ValueError as exc:
        raise ValueError(f"not a TAI: {text!r} (MCC-MNC-TAC, e.g. 001-01-0001)") from exc
    return Tai(plmn_id=PlmnId(mcc=mcc, mnc=mnc), tac=tac)


def _snssai(text: str) -> tuple[int, str | None]:
    """SST or SST:SD, e.g. 1 or 1:010203."""
    sst, _, sd = text.partition(":")
    if not sst.isdigit():
        raise ValueError(f"not an S-NSSAI: {text!r} (SST or SST:SD, e.g. 1:010203)")
    return int(sst), sd or None


def _time(value: datetime) -> str:
    """RFC 3339 to the second: what a person reads and types back."""
    return value.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _positive_volume(text: str) -> int:
    value = parse_volume(text)
    if value < 1:
        raise ValueError(f"not a volume to transfer: {text!r} (at least 1 byte)")
    return value


def _positive_duration(text: str) -> timedelta:
    value = parse_duration(text)
    if value.total_seconds() <= 0:
        raise ValueError(f"not a positive duration: {text!r}")
    return value


def _opt(value: Any) -> str:
    return "-" if isinstance(value, Unset) or value is None else str(value)


_CANDIDATE_HEADER = ("id", "start", "stop", "duration", "rating group", "max DL", "max UL")


def candidates_table(candidates: Sequence[TransferPolicy], selected: int | None = None) -> str:
    """The transfer policies as an aligned text table; the selected one is starred."""
    return plain_table(_CANDIDATE_HEADER, _candidate_rows(candidates, selected))


def _candidate_rows(
    candidates: Sequence[TransferPolicy], selected: int | None
) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for c in candidates:
        window = c.rec_time_int
        mark = "*" if c.trans_policy_id == selected else ""
        rows.append(
            (
                f"{c.trans_policy_id}{mark}",
                _time(window.start_time),
                _time(window.stop_time),
                str(window.stop_time - window.start_time),
                str(c.rating_group),
                _opt(c.max_bit_rate_dl),
                _opt(c.max_bit_rate_ul),
            )
        )
    return rows


def _print_policy(result: PolicyResult, as_json: bool, out: TextIO) -> None:
    if as_json:
        document: dict[str, Any] = {"policyId": result.policy_id, "location": result.location}
        document.update(result.policy.to_dict())
        document["existing"] = result.existing
        print(json.dumps(document, indent=2, default=str), file=out)
        return
    existing = " (an equivalent policy already existed)" if result.existing else ""
    print(f"policy     {result.policy_id}{existing}", file=out)
    print(f"location   {result.location}", file=out)
    print(f"bdtRefId   {result.bdt_ref_id}", file=out)
    print(f"selected   {_opt(result.selected_id)}", file=out)
    print("", file=out)
    rows = _candidate_rows(result.candidates, result.selected_id)
    print_table(_CANDIDATE_HEADER, rows, out)


def _client(args: argparse.Namespace) -> Client:
    return ClientOptions.from_args(args).client(args.pcf)


def _negotiate(args: argparse.Namespace, out: TextIO) -> int:
    start: datetime = args.start.replace(microsecond=0)
    stop: datetime = args.stop if args.stop else start + args.duration
    stop = stop.replace(microsecond=0)
    if stop <= start:
        raise UsageError(f"--stop {_time(stop)} is not after --start {_time(start)}")
    if args.warnings and not args.notif_uri:
        raise UsageError("--warnings needs --notif-uri (where the PCF sends them)")
    with _client(args) as client:
        result = client.create(
            args.asp,
            volume_per_ue=args.volume,
            number_of_ues=args.ues,
            desired_window=(start, stop),
            area=args.tai or None,
            dnn=args.dnn,
            snssai=args.snssai,
            notification_uri=args.notif_uri,
            warnings=True if args.warnings else None,
        )
    _print_policy(result, args.json, out)
    return 0


def _select(args: argparse.Namespace, out: TextIO) -> int:
    with _client(args) as client:
        result = client.select(args.policy_id, args.transfer_policy_id)
    if not isinstance(result, PolicyRemoved):
        _print_policy(result, args.json, out)
    elif args.json:
        document = {"policyId": result.policy_id, "location": result.location, "removed": True}
        print(json.dumps(document, indent=2), file=out)
    else:
        print(f"policy     {result.policy_id} removed (none acceptable)", file=out)
    return 0


def _show(args: argparse.Namespace, out: TextIO) -> int:
    with _client(args) as client:
        _print_policy(client.get(args.policy_id), args.json, out)
    return 0


def _warnings(args: argparse.Namespace, out: TextIO) -> int:
    with _client(args) as client:
        result = client.switch_warnings(args.policy_id, args.state == "on")
    _print_policy(result, args.json, out)
    return 0


def format_notification(notification: Notification) -> str:
    lines = [f"warning for bdtRefId {notification.bdt_ref_id}"]
    if not isinstance(notification.time_window, Unset):
        window = notification.time_window
        lines.append(f"  degraded {_time(window.start_time)} .. {_time(window.stop_time)}")
    if isinstance(notification.cand_policies, Unset):
        lines.append("  no candidate offered")
    else:
        lines.append(candidates_table(notification.cand_policies))
    return "\n".join(lines)


def _listen(args: argparse.Namespace, out: TextIO) -> int:
    missing = missing_extra("receiver", "listen")
    if missing is not None:
        raise CommandFailed(missing)
    from nef_client.receiver import serve_receiver

    port = probe_listen(args.host, args.port)

    def show(notification: Notification) -> None:
        if args.json:
            print(json.dumps(notification.to_dict(), default=str), file=out, flush=True)
        else:
            print(format_notification(notification), file=out, flush=True)

    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"listening on http://{host}:{port}/ (Ctrl-C stops)", file=out, flush=True)
    serve_receiver(show, args.host, port)
    return 0


def _session_of(text: str) -> tuple[str, str]:
    """POLICY_ID or POLICY_ID=SESSION (the media delivery session id; default the policy id)."""
    policy_id, _, session_id = text.partition("=")
    if not policy_id:
        raise ValueError(f"not a policy: {text!r} (POLICY_ID or POLICY_ID=SESSION)")
    return policy_id, session_id or policy_id


def _events(args: argparse.Namespace, out: TextIO) -> int:
    import asyncio
    import contextlib

    from nef_client import AsyncClient
    from nef_client.m6 import BdtEventEmitter, Event, TransferError
    from nef_client.m6._watch import watch

    if (args.gateway_db is None) == (not args.policies):
        raise UsageError("events: give POLICY_ID... (a PCF's) or --gateway-db PATH, not both")
    if args.gateway_db is not None and not args.gateway_db.is_file():
        raise UsageError(f"events: no gateway database at {args.gateway_db}")
    if args.listen_port is not None:
        args.listen_port = probe_listen(args.listen_host, args.listen_port, "--listen-port")

    def show(event: Event) -> None:
        if args.json:
            print(json.dumps(event.to_dict()), file=out, flush=True)
            return
        document = event.to_dict()
        if isinstance(event, TransferError):
            line = f"{document['event']} {event.session_id} {event.reason.value}: {event.detail}"
            if event.candidates:
                line += "\n" + candidates_table_of(event.candidates)
        else:
            line = (
                f"{document['event']} {event.session_id} {document['windowStart']} .. "
                f"{document['windowEnd']} quota {_opt(event.volume_quota)} B, "
                f"max DL {_opt(event.max_downlink_bps)} bit/s, "
                f"max UL {_opt(event.max_uplink_bps)} bit/s"
            )
        print(line, file=out, flush=True)

    def report(problem: str) -> None:
        print(f"nef-bdt: {problem}", file=sys.stderr, flush=True)

    receiver = None
    if args.listen_port is not None:
        from nef_client.receiver import receiver_in_background

        def receiver(callback: Callable[[Notification], None]) -> Any:
            return receiver_in_background(callback, args.listen_host, args.listen_port)

        print(f"warnings: http://{args.listen_host}:{args.listen_port}/", file=out, flush=True)

    async def run() -> None:
        if args.gateway_db is not None:
            from nef_gateway.events import watch as watch_store

            refresh = args.refresh.total_seconds() if args.refresh else 1.0
            await watch_store(args.gateway_db, BdtEventEmitter(), show, refresh_seconds=refresh)
            return
        pcf_client = AsyncClient(
            args.pcf,
            verify=not args.insecure,
            timeout=args.timeout,
            http_version=args.http_version,
        )
        async with pcf_client as pcf:
            await watch(
                pcf, dict(args.policies), BdtEventEmitter(), show, report,
                refresh_seconds=args.refresh.total_seconds() if args.refresh else 30.0,
                receiver=receiver,
            )  # fmt: skip

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
    return 0


def candidates_table_of(windows: Sequence[Any]) -> str:
    """M6 transfer windows as an aligned text table (like ``candidates_table``)."""
    header = ("id", "start", "stop", "max DL bit/s", "max UL bit/s")
    rows = [header] + [
        (
            str(w.window_id),
            _time(w.start),
            _time(w.stop),
            _opt(w.max_downlink_bps),
            _opt(w.max_uplink_bps),
        )
        for w in windows
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _client_options(parser: argparse.ArgumentParser, *, after_command: bool) -> None:
    """The options about the PCF and the output: before the command, or after it.

    After the command they carry no defaults, so that they override the ones given
    before it only when given themselves.
    """

    def default(value: Any) -> Any:
        return argparse.SUPPRESS if after_command else value

    pcf = os.environ.get("NEF_BDT_PCF", DEFAULT_PCF)
    parser.add_argument(
        "--pcf",
        type=http_url,
        default=default(pcf),
        metavar="URL",
        help=f"the PCF's apiRoot (env NEF_BDT_PCF; default: {DEFAULT_PCF})",
    )
    parser.add_argument("--nrf", type=http_url, metavar="URL", default=default(None),
                        help="NRF apiRoot to get OAuth2 tokens from")  # fmt: skip
    parser.add_argument(
        "--nf-instance-id", default=default(None), help="this NEF's NF instance id, for the NRF"
    )
    parser.add_argument("--ca", default=default(None), help="PEM file of the CAs to trust")
    parser.add_argument(
        "--cert", default=default(None), help="client certificate (PEM) for mutual TLS"
    )
    parser.add_argument("--key", default=default(None), help="key of --cert, if not in it")
    parser.add_argument(
        "--insecure", action="store_true", default=default(False), help="do not verify the PCF"
    )
    parser.add_argument(
        "--timeout",
        type=seconds(0.001, 3600),
        default=default(10.0),
        metavar="SECONDS",
        help="seconds per request",
    )
    parser.add_argument(
        "--http-version",
        choices=HTTP_VERSIONS,
        default=default("auto"),
        help="auto: h2c for http://, HTTP/1.1 to a PCF without it (a mock, a proxy);"
        " 2 or 1.1 forces one",
    )
    parser.add_argument(
        "--json", action="store_true", default=default(False), help="print JSON instead of text"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="nef-bdt", description="Negotiate background data transfer policies with a PCF."
    )
    parser.add_version()
    _client_options(parser, after_command=False)
    after = Parser(add_help=False)
    _client_options(after, after_command=True)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    negotiate = commands.add_parser(
        "negotiate", parents=[after], help="ask for transfer policies (create)"
    )
    negotiate.add_argument("--asp", required=True, help="ASP identifier")
    negotiate.add_argument(
        "--volume", required=True, type=_typed(_positive_volume), help="per UE: 500MB, 2GiB..."
    )
    negotiate.add_argument("--ues", required=True, type=at_least(1), help="number of UEs")
    negotiate.add_argument(
        "--start",
        required=True,
        type=_typed(parse_time),
        help="ISO 8601 (UTC if no offset), now, +1d",
    )
    end = negotiate.add_mutually_exclusive_group(required=True)
    end.add_argument("--duration", type=_typed(_positive_duration), help="2h, 1h30m, PT6H")
    end.add_argument("--stop", type=_typed(parse_time), help="like --start")
    negotiate.add_argument("--tai", action="append", type=_typed(_tai), help="MCC-MNC-TAC")
    negotiate.add_argument("--dnn", help="data network name")
    negotiate.add_argument("--snssai", type=_typed(_snssai), help="SST or SST:SD")
    negotiate.add_argument(
        "--notif-uri", type=http_url, metavar="URL", help="where the PCF sends warnings"
    )
    negotiate.add_argument("--warnings", action="store_true", help="ask for warnings")
    negotiate.set_defaults(run=_negotiate)

    select = commands.add_parser("select", parents=[after], help="select a transfer policy")
    select.add_argument("policy_id")
    select.add_argument("transfer_policy_id", type=at_least(0), help="0 = none acceptable")
    select.set_defaults(run=_select)

    show = commands.add_parser("show", parents=[after], help="show a policy")
    show.add_argument("policy_id")
    show.set_defaults(run=_show)

    warnings = commands.add_parser(
        "warnings", parents=[after], help="switch warning notifications on or off"
    )
    warnings.add_argument("policy_id")
    warnings.add_argument("state", choices=["on", "off"])
    warnings.set_defaults(run=_warnings)

    listen = commands.add_parser(
        "listen", parents=[after], help="receive and print warning notifications"
    )
    listen.add_argument("--host", default="127.0.0.1", help="address to listen on")
    listen.add_argument(
        "--port", type=port_number, default=8090, help="port to listen on (0: a free one)"
    )
    listen.set_defaults(run=_listen)

    events = commands.add_parser(
        "events",
        parents=[after],
        help="print the M6 BDT events (TS 26.512) of policies as they happen",
        description="Print BACKGROUND_DATA_TRANSFER_OPPORTUNITY when a policy's selected "
        "window opens and ERROR_BACKGROUND_DATA_TRANSFER when an advertised window is "
        "cancelled (warning, removal), until Ctrl-C.",
    )
    events.add_argument(
        "policies",
        nargs="*",
        type=_typed(_session_of),
        metavar="POLICY_ID[=SESSION]",
        help="a policy to watch at --pcf, and its media delivery session id "
        "(default: the policy id)",
    )
    events.add_argument(
        "--gateway-db",
        type=Path,
        help="watch every subscription of a NEF gateway's store instead "
        "(each subscription id is a session)",
    )
    events.add_argument(
        "--listen-port",
        type=port_number,
        help="receive warnings on this port (the policies' notifUri)",
    )
    events.add_argument("--listen-host", default="127.0.0.1", help="address to listen on")
    events.add_argument(
        "--refresh",
        type=_typed(_positive_duration),
        help="read the policies (default 30s) or the gateway's store (default 1s) this often",
    )
    events.set_defaults(run=_events)

    gateway = commands.add_parser(
        "gateway",
        parents=[after],
        help="serve the NEF's northbound BDT API (TS 29.122 3gpp-bdt) in front of --pcf",
    )
    try:
        from nef_gateway.cli import add_arguments
    except ImportError:  # pragma: no cover - the wheel ships both packages
        pass
    else:
        add_arguments(gateway)
    gateway.set_defaults(run=_gateway)
    return parser


def _gateway(args: argparse.Namespace, out: TextIO) -> int:
    from nef_gateway.cli import serve

    return serve(args, args.pcf)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)

    def command() -> int:
        try:
            code: int = args.run(args, out or sys.stdout)
        except NefClientError as exc:
            raise CommandFailed(f"{type(exc).__name__}: {exc}") from exc
        return code

    return run_command("nef-bdt", command)


if __name__ == "__main__":
    raise SystemExit(main())
