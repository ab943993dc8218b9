"""``nef-bdt`` against the real PCF process, and its human units."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from nef_client._units import parse_duration, parse_time, parse_volume
from nef_client.testing import PcfStub
from nf_common.cli import print_table
from tests.dates import SATURDAY, future_day, window

START = future_day(SATURDAY) + timedelta(hours=1)

NEF_BDT = [str(Path(sys.executable).with_name("nef-bdt"))]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*NEF_BDT, *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("500MB", 500_000_000),
        ("500 mb", 500_000_000),
        ("1.5GiB", 1_610_612_736),
        ("2k", 2000),
        ("1000", 1000),
        ("3B", 3),
        ("1TB", 10**12),
    ],
)
def test_volumes(text: str, expected: int) -> None:
    assert parse_volume(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", timedelta(hours=2)),
        ("1h30m", timedelta(minutes=90)),
        ("45s", timedelta(seconds=45)),
        ("2d", timedelta(days=2)),
        ("PT6H", timedelta(hours=6)),
        ("P1DT30M", timedelta(days=1, minutes=30)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_times() -> None:
    now = datetime.now(UTC)
    assert parse_time("now", now) == now
    assert parse_time("+1d", now) == now + timedelta(days=1)
    one_am = future_day() + timedelta(hours=1)
    date = f"{one_am:%Y-%m-%d}"
    assert parse_time(f"{date}T01:00Z") == one_am
    assert parse_time(f"{date}T03:00+02:00") == one_am
    assert parse_time(f"{date} 01:00") == one_am


@pytest.mark.parametrize(
    "call", [lambda: parse_volume("lots"), lambda: parse_duration("2x"), lambda: parse_time("x")]
)
def test_bad_units_are_refused(call: object) -> None:
    with pytest.raises(ValueError):
        call()  # type: ignore[operator]


def test_negotiate_select_show(pcf_stub: PcfStub) -> None:
    negotiated = run(
        "--pcf", pcf_stub.root, "negotiate", "--asp", "video", "--volume", "500MB",
        "--ues", "1000", "--start", f"{START:%Y-%m-%dT%H:%M}Z", "--duration", "6h",
        "--tai", "001-01-0001", "--snssai", "1:010203", "--warnings",
        "--notif-uri", "http://nef.example/notify",
    )  # fmt: skip
    assert negotiated.returncode == 0, negotiated.stderr
    lines = negotiated.stdout.splitlines()
    policy_id = lines[0].split()[1]
    header = next(line for line in lines if line.startswith("id "))
    assert header.split()[:4] == ["id", "start", "stop", "duration"]
    body = pcf_stub.requests()[0].body
    assert body["volPerUe"] == {"totalVolume": 500_000_000}
    assert body["desTimeInt"] == window(START, START + timedelta(hours=6))
    assert body["nwAreaInfo"]["tais"][0]["tac"] == "0001"
    assert body["warnNotifReq"] is True

    selected = run("--pcf", pcf_stub.root, "select", policy_id, "1")
    assert selected.returncode == 0, selected.stderr
    assert "selected   1" in selected.stdout
    assert any(line.startswith("1* ") for line in selected.stdout.splitlines())

    shown = run("--pcf", pcf_stub.root, "--json", "show", policy_id)
    assert shown.returncode == 0, shown.stderr
    document = json.loads(shown.stdout)
    assert document["policyId"] == policy_id
    assert document["bdtPolData"]["selTransPolicyId"] == 1


def test_select_none_acceptable_says_the_policy_was_removed(pcf_stub: PcfStub) -> None:
    negotiated = run(
        "--pcf", pcf_stub.root, "negotiate", "--asp", "video", "--volume", "500MB",
        "--ues", "1000", "--start", f"{START:%Y-%m-%dT%H:%M}Z", "--duration", "6h",
        "--notif-uri", "http://nef.example/notify",
    )  # fmt: skip
    assert negotiated.returncode == 0, negotiated.stderr
    policy_id = negotiated.stdout.split()[1]
    removed = run("--pcf", pcf_stub.root, "--json", "select", policy_id, "0")
    assert removed.returncode == 0, removed.stderr
    assert json.loads(removed.stdout) == {
        "policyId": policy_id,
        "location": f"{pcf_stub.url}/bdtpolicies/{policy_id}",
        "removed": True,
    }
    again = run("--pcf", pcf_stub.root, "select", policy_id, "0")
    assert again.returncode == 1 and "404" in again.stderr  # gone: nothing to remove


def test_errors_are_reported_with_their_cause(pcf_stub: PcfStub) -> None:
    shown = run("--pcf", pcf_stub.root, "show", "nope")
    assert shown.returncode == 1
    assert "NotFound" in shown.stderr and "BDT_POLICY_NOT_FOUND" in shown.stderr


def test_bad_units_are_usage_errors() -> None:
    bad = run("negotiate", "--asp", "a", "--volume", "lots", "--ues", "1", "--start", "now",
              "--duration", "1h")  # fmt: skip
    assert bad.returncode == 2
    assert "not a volume" in bad.stderr


def test_listen_prints_notifications() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [*NEF_BDT, "--json", "listen", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("listening on")
        deadline = time.monotonic() + 10
        while True:
            try:
                response = httpx.post(f"http://127.0.0.1:{port}/", json={"bdtRefId": "ref-9"})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert response.status_code == 204
        assert json.loads(process.stdout.readline()) == {"bdtRefId": "ref-9"}
        bad = httpx.post(f"http://127.0.0.1:{port}/", json={"candPolicies": []})
        assert bad.status_code == 400
    finally:
        process.terminate()
        process.wait(timeout=10)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_tables_are_drawn_on_a_terminal_and_plain_text_elsewhere() -> None:
    header, rows = ("id", "start"), [("1*", "2031-03-01T01:00:00Z")]
    terminal, pipe = Terminal(), io.StringIO()
    print_table(header, rows, terminal)
    print_table(header, rows, pipe)
    assert pipe.getvalue() == "id  start\n--  --------------------\n1*  2031-03-01T01:00:00Z\n"
    drawn = terminal.getvalue()
    assert "┃" in drawn or "│" in drawn  # rich's box drawing
    assert "1*" in drawn and "2031-03-01T01:00:00Z" in drawn


def test_cli_times_have_no_microseconds() -> None:
    from nef_client.cli import _time

    assert _time(datetime(2031, 3, 1, 1, 0, 0, 123456, tzinfo=UTC)) == "2031-03-01T01:00:00Z"
