"""The README's commands and example stay true."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.server_process import running_pcf

README = (REPO / "README.md").read_text(encoding="utf-8")


def block(marker: str) -> str:
    lines = README.splitlines()
    start = lines.index(f"<!-- {marker} -->")
    assert lines[start + 1].startswith("```")
    end = lines.index("```", start + 2)
    return "\n".join(lines[start + 2 : end])


def test_ci_runs_the_readme_test_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "readme_block test-command" in ci
    assert block("test-command").endswith(".venv/bin/pytest")


def test_ci_runs_the_readme_fuzz_command() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "readme_block fuzz-command" in ci
    assert block("fuzz-command") == ".venv/bin/python scripts/fuzz.py"


def test_run_command_starts_the_pcf_with_defaults() -> None:
    command = block("run-command")
    assert command.endswith(".venv/bin/pcf-bdt serve")
    assert "'.[server]'" in command


def test_example_creates_and_selects(tmp_path: Path) -> None:
    with running_pcf(tmp_path / "pcf.db") as (url, _):
        code = block("example").replace("http://127.0.0.1:8080/npcf-bdtpolicycontrol/v1", url)
        assert url in code
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
    assert result.returncode == 0, result.stderr
    assert "selected 1" in result.stdout
