"""The README's command lines run as written: nef-bdt against the stub, degrade at a PCF."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from nef_client.cli import build_parser
from nef_client.testing import PcfStub
from pcf_server.cli import build_parser as pcf_parser
from tests.server_process import running_pcf
from tests.test_readme import block

BIN = Path(sys.executable).parent


def run(line: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    words = shlex.split(line)
    command = [str(BIN / words[0].removeprefix(".venv/bin/")), *words[1:]]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})}
    )


def test_the_nef_bdt_commands(pcf_stub: PcfStub) -> None:
    env = {"NEF_BDT_PCF": pcf_stub.root}
    lines = block("nef-bdt-commands").splitlines()
    negotiate, select, show, warnings, listen, events = lines
    created = run(negotiate, env)
    assert created.returncode == 0, created.stderr
    policy_id = created.stdout.split()[1]
    for line in (select, warnings):
        done = run(line.replace("POLICY_ID", policy_id), env)
        assert done.returncode == 0, (line, done.stderr)
    shown = run(show.replace("POLICY_ID", policy_id), env)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["policyId"] == policy_id
    # the two that run until Ctrl-C: their command lines parse
    for line in (listen, events):
        build_parser().parse_args(shlex.split(line.split("#")[0])[1:])


def test_the_degrade_command(tmp_path: Path) -> None:
    line = block("degrade-command")
    with running_pcf(tmp_path / "pcf.db") as (_, process):
        done = run(line.replace("http://127.0.0.1:8081", process.admin_root))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("degradation ") and "area metro at 0.3" in done.stdout


def test_the_gateway_command_and_the_pcf_run_command_can_share_a_machine() -> None:
    """The README starts a PCF with its defaults, then the gateway: no port of one may be
    a port of the other (the gateway's default once was the PCF's operator port)."""
    serve = pcf_parser().parse_args(["serve"])
    pcf_ports = {serve.port, serve.admin_listen[1]}
    gateway = build_parser().parse_args(shlex.split(block("gateway-command"))[1:])
    assert gateway.port not in pcf_ports, (gateway.port, pcf_ports)
    default = build_parser().parse_args(["gateway"])
    assert default.port not in pcf_ports, (default.port, pcf_ports)
