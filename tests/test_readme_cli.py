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
