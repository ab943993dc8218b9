"""The throughput benchmark (benchmarks/pcf_throughput.py) runs and reports every row.

A smoke run: it checks that the three servers start on granian, that the load reaches
them and that the table has its rows; the numbers themselves are the benchmark's.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "pcf_throughput.py"


@pytest.mark.slow
def test_quick_run_prints_the_pcf_rows_and_ratios() -> None:
    if shutil.which("h2load") is None:
        pytest.skip("h2load is missing (apt-get install -y nghttp2-client)")
    run = subprocess.run(
        [sys.executable, SCRIPT, "--quick", "--no-stub"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.splitlines()
    for operation in ("create", "get", "patch"):
        row = next(line for line in lines if line.startswith(f"| pcf {operation}, 1 |"))
        assert "not 2xx" not in row, row  # every request of the PCF was answered 2xx
        rate = float(row.split("|")[2].replace(",", ""))
        assert rate > 0, row
        assert any(line.startswith(f"| {operation}, 1 |") for line in lines)
    assert "stub skipped: --no-stub" in run.stdout
