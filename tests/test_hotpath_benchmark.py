"""The in-process benchmark (benchmarks/pcf_hotpath.py) runs and reports every operation.

A smoke run: the SBI application answers each prebuilt Create, GET and PATCH with its
success status (the script asserts it), and the table has a row of positive numbers for
each; the numbers themselves are the benchmark's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "pcf_hotpath.py"


def test_a_short_run_prints_a_row_per_operation() -> None:
    run = subprocess.run(
        [sys.executable, SCRIPT, "--requests", "5", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.splitlines()
    for operation in ("create", "get", "patch"):
        row = next(line for line in lines if line.startswith(f"| {operation} |"))
        whole, service = (float(cell.replace(",", "")) for cell in row.split("|")[2:4])
        assert whole > 0 and 0 < service < whole, row
