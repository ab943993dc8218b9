"""Each user mistake with ``pcf-bdt`` or ``nef-bdt`` is one line and an exit status.

Every case runs the installed command as a real process and checks that stderr is exactly
one line ``PROG: error: ...`` (no traceback, no usage block) and the status: 2 for a
usage mistake, 1 for a failure while running.
"""

from __future__ import annotations

import http.server
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nef_client.testing import PcfStub
from tests.http11 import http11_server
from tests.server_process import free_port, free_ports, running_pcf

BIN = Path(sys.executable).parent
PCF_BDT = str(BIN / "pcf-bdt")
NEF_BDT = str(BIN / "nef-bdt")


def run(*command: str, stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=60, check=False
    )


def one_line(result: subprocess.CompletedProcess[str], prog: str, status: int) -> str:
    """The message of the one error line, after checking the status and the shape."""
    assert result.returncode == status, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stderr.endswith("\n")
    prefix = f"{prog}: error: "
    assert lines[0].startswith(prefix), lines[0]
    return lines[0].removeprefix(prefix)


NEGOTIATE = ["negotiate", "--asp", "a", "--volume", "1MB", "--ues", "5", "--start", "+1d"]

NEF_USAGE = {
    "--ues -5": (
        [*NEGOTIATE[:5], "--ues", "-5", "--start", "+1d", "--duration", "1h"],
        "argument --ues: must be at least 1, not -5",
    ),
    "--volume 0": (
        [*NEGOTIATE[:4], "0", *NEGOTIATE[5:], "--duration", "1h"],
        "argument --volume: not a volume to transfer: '0'",
    ),
    "stop before start": ([*NEGOTIATE, "--stop", "+2h"], "is not after --start"),
    "zero duration": ([*NEGOTIATE, "--duration", "0s"], "not a positive duration"),
    "--pcf not-a-url": (
        ["--pcf", "not-a-url", "show", "x"],
        "argument --pcf: 'not-a-url' is not an http:// or https:// URL",
    ),
    "--pcf after the command": (["show", "x", "--pcf", "pcf:80"], "is not an http://"),
    "--warnings without --notif-uri": (
        [*NEGOTIATE, "--duration", "1h", "--warnings"],
        "--warnings needs --notif-uri",
    ),
    "unknown command": (["frobnicate"], "invalid choice: 'frobnicate'"),
    "no command": ([], "the following arguments are required: COMMAND"),
    "listen --port 99999": (["listen", "--port", "99999"], "99999 is not a port number"),
    "listen on another machine's address": (
        ["listen", "--host", "192.0.2.1", "--port", "0"],
        "192.0.2.1 is not an address of this machine",
    ),
    "--timeout -1": (["--timeout", "-1", "show", "x"], "argument --timeout"),
    "select a negative transfer policy": (["select", "p", "-1"], "must be at least 0"),
    "--nrf without --nf-instance-id": (
        ["--nrf", "http://127.0.0.1:1", "show", "x"],
        "--nrf needs --nf-instance-id",
    ),
    "gateway --port 70000": (["gateway", "--port", "70000"], "70000 is not a port number"),
    "--ca missing": (
        ["--ca", "/nowhere/ca.pem", "show", "x"],
        "--ca /nowhere/ca.pem: no such file",
    ),
    "--notif-uri not a URL": (
        [*NEGOTIATE, "--duration", "1h", "--notif-uri", "nef:80/notify"],
        "argument --notif-uri: 'nef:80/notify' is not an http:// or https:// URL",
    ),
    "gateway --db a directory": (["gateway", "--port", "0", "--db", "/"], "--db / is a directory"),
    # The gateway reaches the PCF with nef-bdt's client options, checked as for the others.
    "gateway --nrf without --nf-instance-id": (
        ["gateway", "--port", "0", "--nrf", "http://127.0.0.1:1"],
        "--nrf needs --nf-instance-id",
    ),
    "gateway --cert missing": (
        ["--cert", "/nowhere/nef.pem", "gateway", "--port", "0"],
        "--cert /nowhere/nef.pem: no such file",
    ),
}


@pytest.mark.parametrize("case", NEF_USAGE, ids=list(NEF_USAGE))
def test_nef_bdt_usage_mistakes(case: str) -> None:
    arguments, expected = NEF_USAGE[case]
    result = run(NEF_BDT, *arguments)
    assert expected in one_line(result, "nef-bdt", 2)
    assert result.stdout == ""


def test_nef_bdt_failures_at_the_pcf_are_one_line(pcf_stub: PcfStub) -> None:
    refused = run(NEF_BDT, "--pcf", f"http://127.0.0.1:{free_port()}", "show", "x")
    assert "TransportError" in one_line(refused, "nef-bdt", 1)
    missing = run(NEF_BDT, "show", "nope", "--pcf", pcf_stub.root)
    assert "BDT_POLICY_NOT_FOUND" in one_line(missing, "nef-bdt", 1)


def test_listen_without_the_receiver_extra_says_which_extra(tmp_path: Path) -> None:
    """Modules of the extra made unimportable, as in an install without it."""
    script = (
        "import sys\n"
        "for name in ('hypercorn', 'jsonschema'): sys.modules[name] = None\n"
        "from nef_client.cli import main\n"
        f"raise SystemExit(main(['listen', '--port', '{free_port()}']))\n"
    )
    result = run(sys.executable, "-c", script)
    message = one_line(result, "nef-bdt", 1)
    assert "receiver extra" in message and "npcf-bdt[receiver]" in message
    assert result.stdout == ""  # no "listening on" before the refusal


def test_output_closed_early_is_one_line(pcf_stub: PcfStub) -> None:
    """``nef-bdt --json show ID | head``: the reader has gone before the write."""
    created = run(
        NEF_BDT, "--pcf", pcf_stub.root, *NEGOTIATE, "--duration", "1h",
        "--notif-uri", "http://nef.example/n",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    policy_id = created.stdout.split()[1]
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        closed = run(NEF_BDT, "show", policy_id, "--json", "--pcf", pcf_stub.root, stdout=write_end)
    finally:
        os.close(write_end)
    assert "broken pipe" in one_line(closed, "nef-bdt", 1)
    shown = run(NEF_BDT, "show", policy_id, "--json", "--pcf", pcf_stub.root)
    assert shown.returncode == 0 and f'"policyId": "{policy_id}"' in shown.stdout


def test_versions() -> None:
    for prog, command in (("pcf-bdt", PCF_BDT), ("nef-bdt", NEF_BDT)):
        result = run(command, "--version")
        assert result.returncode == 0 and result.stderr == ""
        name, version = result.stdout.split()
        assert name == prog and version[0].isdigit()


def test_help_shows_defaults() -> None:
    serve = run(PCF_BDT, "serve", "--help").stdout
    assert "(default: 8080)" in " ".join(serve.split())
    assert "(default: 127.0.0.1:8081)" in " ".join(serve.split())
    negotiate = run(NEF_BDT, "--help").stdout
    assert "(default: 10.0)" in " ".join(negotiate.split())


# -- pcf-bdt ------------------------------------------------------------------------------


def serve(tmp_path: Path, *more: str) -> subprocess.CompletedProcess[str]:
    """``pcf-bdt serve`` expected to refuse to start, on a free port unless told."""
    admin, port = free_ports(2)
    command = [PCF_BDT, "serve", "--admin-listen", f"127.0.0.1:{admin}"]
    if "--port" not in more:
        command += ["--port", str(port)]
    if "--db" not in more:
        command += ["--db", str(tmp_path / "pcf.db")]
    process = subprocess.Popen(
        [*command, *more], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        stdout, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:  # it started: stop it, the test fails on the status
            os.killpg(process.pid, 9)
            process.wait()
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def test_serve_refuses_bad_stores(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE invoice (id INTEGER)")
    connection.close()
    cases = {
        str(tmp_path / "missing" / "pcf.db"): "the directory",
        str(tmp_path): "is a directory, not a database file",
        str(text): "is not an SQLite database",
        str(foreign): "is a database of another program",
    }
    for db, expected in cases.items():
        message = one_line(serve(tmp_path, "--db", db), "pcf-bdt", 2)
        assert message.startswith(f"--db {db}") and expected in message, message
    assert not (tmp_path / "missing").exists()


def test_serve_refuses_a_corrupt_store(tmp_path: Path) -> None:
    db = tmp_path / "pcf.db"
    with running_pcf(db):
        pass
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    pages = db.stat().st_size // 4096
    assert pages > 4
    with db.open("r+b") as file:  # a few pages of garbage, as a bad disk leaves them
        file.seek(2 * 4096)
        file.write(b"\xff" * 3 * 4096)
    message = one_line(serve(tmp_path, "--db", str(db)), "pcf-bdt", 2)
    assert message.startswith(f"--db {db} is damaged"), message


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--port", "99999"], "argument --port: 99999 is not a port number (0-65535)"),
        (["--port", "http"], "argument --port: 'http' is not a port number"),
        (["--host", "192.0.2.1"], "192.0.2.1 is not an address of this machine"),
        (["--host", "no-such-host.invalid"], "'no-such-host.invalid' is not known"),
        (["--workers", "0"], "argument --workers: must be at least 1, not 0"),
        (["--tls-cert", "/nowhere/cert.pem", "--tls-key", "/nowhere/key.pem"],
         "--tls-cert /nowhere/cert.pem: does not exist"),
        (["--tls-cert", "cert.pem"], "--tls-cert and --tls-key go together"),
        (["--config", "/nowhere/pcf.yaml"], "--config /nowhere/pcf.yaml: does not exist"),
        (["--admin-listen", "127.0.0.1:99999"], "port 99999 is out of range"),
        (["--shutdown-timeout", "0"], "must be between 1 and 600 seconds"),
        (["--api-root", "pcf.example"], "argument --api-root: 'pcf.example' is not an http://"),
        (["--nwdaf-oauth2", "--nwdaf", "http://127.0.0.1:9"],
         "--nwdaf-oauth2 needs --nrf (the NRF issuing the tokens) and --nwdaf"),
        (["--nwdaf-oauth2", "--nrf", "http://127.0.0.1:9"], "--nwdaf-oauth2 needs --nrf"),
    ],
)  # fmt: skip
def test_serve_usage_mistakes(tmp_path: Path, arguments: list[str], expected: str) -> None:
    result = serve(tmp_path, *arguments)
    assert expected in one_line(result, "pcf-bdt", 2)


def test_serve_names_a_certificate_that_is_not_one(tmp_path: Path) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n")
    result = serve(tmp_path, "--tls-cert", str(cert), "--tls-key", str(cert))
    assert f"--tls-cert {cert}" in one_line(result, "pcf-bdt", 2)


@pytest.fixture
def not_json() -> Iterator[str]:
    """An HTTP server that answers every POST with an HTML page."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html>hello</html>")

        def log_message(self, *args: object) -> None:
            pass

    with http11_server(Handler) as url:
        yield url


DEGRADE = [PCF_BDT, "degrade", "--area", "metro", "--from", "+1d", "--to", "+25h"]


def test_degrade_mistakes(not_json: str) -> None:
    answer = one_line(run(*DEGRADE, "--factor", "0.5", "--url", not_json), "pcf-bdt", 1)
    assert "answered 200 (text/html), not JSON" in answer
    refused = run(*DEGRADE, "--factor", "0.5", "--pcf", f"http://127.0.0.1:{free_port()}")
    assert "cannot reach" in one_line(refused, "pcf-bdt", 1)
    assert "not between 0 and 1" in one_line(run(*DEGRADE, "--factor", "1.5"), "pcf-bdt", 2)
    backwards = [PCF_BDT, "degrade", "--area", "metro", "--from", "+2d", "--to", "+1d"]
    assert "is not after --from" in one_line(run(*backwards, "--factor", "0.5"), "pcf-bdt", 2)
    bad_time = run(*DEGRADE[:5], "tomorrow", *DEGRADE[6:], "--factor", "0.5")
    assert "argument --from: not a time: 'tomorrow'" in one_line(bad_time, "pcf-bdt", 2)


def test_degrade_prints_problem_details_and_results_readably(tmp_path: Path) -> None:
    with running_pcf(tmp_path / "pcf.db") as (_, process):
        unknown = run(*DEGRADE[:3], "atlantis", *DEGRADE[4:], "--factor", "0.5",
                      "--pcf", process.admin_root)  # fmt: skip
        message = one_line(unknown, "pcf-bdt", 1)
        assert message.startswith(f"{process.admin_root}/pcf-bdt-admin/v1/degradations answered 4")
        assert "{" not in message  # a sentence, not the JSON document
        done = run(*DEGRADE, "--factor", "0.5", "--pcf", process.admin_root)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert done.stdout.startswith("degradation ") and "area metro at 0.5" in done.stdout
    assert ".000" not in done.stdout and "+00:00" not in done.stdout
