"""The throughput benchmark (benchmarks/pcf_throughput.py) runs and reports every row.

A smoke run: it checks that the servers start on granian, that the load reaches them and
that the tables have their rows; the numbers themselves are the benchmark's. The run is
made once for the module; the PostgreSQL rows are checked only where a PostgreSQL server
can be had (``tests.postgres``), and skipped saying why otherwise.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import postgres

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "pcf_throughput.py"
OPERATIONS = ("create", "get", "patch")


@pytest.fixture(scope="module")
def quick_run() -> list[str]:
    """The lines a ``--quick`` run printed (PostgreSQL started first where it can be)."""
    if shutil.which("h2load") is None:
        pytest.skip("h2load is missing (apt-get install -y nghttp2-client)")
    # Where none can be had, the benchmark must say why it skipped the PostgreSQL rows.
    with contextlib.suppress(pytest.skip.Exception):
        postgres.server()
    run = subprocess.run(
        [sys.executable, SCRIPT, "--quick", "--no-stub", "--pg", postgres.SERVER],
        capture_output=True,
        text=True,
        timeout=420,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout.splitlines()


def _rate(lines: list[str], server: str, operation: str) -> float:
    """The req/s of a row, which must exist and have had only the answers it expects."""
    row = next(line for line in lines if line.startswith(f"| {server} {operation}, 1 |"))
    assert not re.search(r"\(\d+ not ", row), row
    return float(row.split("|")[2].replace(",", ""))


def _ratios(lines: list[str], server: str, operation: str) -> list[str]:
    row = next(line for line in lines if line.startswith(f"| {operation}, 1, {server} |"))
    return [cell.strip() for cell in row.split("|")[2:4]]


@pytest.mark.slow
def test_quick_run_prints_the_pcf_rows_and_ratios(quick_run: list[str]) -> None:
    for operation in OPERATIONS:
        assert _rate(quick_run, "pcf", operation) > 0
        stub, bare = _ratios(quick_run, "pcf", operation)
        assert stub == "-"  # no stub in this run
        assert float(bare) > 0
    assert "stub skipped: --no-stub" in quick_run


@pytest.mark.slow
def test_quick_run_prints_what_a_303_costs_beside_a_get(quick_run: list[str]) -> None:
    """The PCF rows' repeated Create, every answer a 303, and its rate over GET's."""
    for server in ("pcf", "pcf-pg1", "pcf-pg2"):
        if server != "pcf":
            postgres.server()  # skips, saying why, where no PostgreSQL can be had
        repeat = _rate(quick_run, server, "repeat")
        ratio = next(
            line for line in quick_run if line.startswith(f"{server}, 1 worker(s): repeat (303)")
        )
        assert float(ratio.rsplit(": ", 1)[1]) == pytest.approx(
            repeat / _rate(quick_run, server, "get"), rel=0.03, abs=0.006
        )
    assert not any(line.startswith("| ceiling repeat") for line in quick_run)


@pytest.mark.slow
def test_quick_run_prints_the_connexion_ceiling_and_its_ratios(quick_run: list[str]) -> None:
    for operation in OPERATIONS:
        assert _rate(quick_run, "ceiling", operation) > 0
        assert float(_ratios(quick_run, "ceiling", operation)[1]) > 0


@pytest.mark.slow
def test_quick_run_prints_the_postgresql_rows(quick_run: list[str]) -> None:
    skipped = [line for line in quick_run if line.startswith("PostgreSQL rows skipped")]
    postgres.server()  # skips, saying why, where no PostgreSQL can be had
    assert not skipped, skipped
    for server in ("pcf-pg1", "pcf-pg2"):
        for operation in OPERATIONS:
            assert _rate(quick_run, server, operation) > 0
            assert float(_ratios(quick_run, server, operation)[1]) > 0
    assert any(line.startswith("PostgreSQL Create, 1 worker(s) each") for line in quick_run)


@pytest.mark.slow
def test_quick_run_drops_its_postgresql_databases(quick_run: list[str]) -> None:
    import psycopg

    server = postgres.server()
    made = [m[1] for line in quick_run if (m := re.search(r"database (pcf_bench_\w+)", line))]
    assert len(made) == 2, quick_run  # one per PostgreSQL row
    with psycopg.connect(f"{server}/postgres") as admin:
        left = admin.execute(
            "SELECT datname FROM pg_database WHERE datname = ANY(%s)", (made,)
        ).fetchall()
    assert left == []


@pytest.mark.slow
def test_rounds_report_each_rows_median_round() -> None:
    """With --rounds, the main table's req/s is the median of the rounds' for every row."""
    if shutil.which("h2load") is None:
        pytest.skip("h2load is missing (apt-get install -y nghttp2-client)")
    run = subprocess.run(
        [sys.executable, SCRIPT, "--quick", "--servers", "bare", "--rounds", "3"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.splitlines()
    assert "median of 3 interleaved rounds" in lines[0]
    assert "| server, operation, workers | round 1 | round 2 | round 3 |" in lines
    for operation in OPERATIONS:
        rows = [line for line in lines if line.startswith(f"| bare {operation}, 1 |")]
        reported, each_round = rows  # the main table's row, then the rounds' row
        rates = sorted(float(cell.replace(",", "")) for cell in each_round.split("|")[2:5])
        assert len(rates) == 3
        assert _rate([reported], "bare", operation) == rates[1]


def test_rounds_must_be_at_least_one() -> None:
    run = subprocess.run(
        [sys.executable, SCRIPT, "--rounds", "0"], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2
    assert run.stderr.strip().splitlines()[-1].endswith("--rounds must be at least 1")
    assert "Traceback" not in run.stderr
