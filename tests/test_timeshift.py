"""The clock-shift harness that CI runs the suite under really moves child processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HARNESS = Path(__file__).resolve().parent / "timeshift"
DAY = 86_400.0


def test_the_shift_moves_the_wall_clock_of_child_processes_but_not_monotonic_time() -> None:
    # This test may itself run under the harness: measure against our own clock and shift.
    own_shift = float(os.environ.get("PCF_BDT_CLOCK_SHIFT_DAYS") or 0)
    env = {**os.environ, "PYTHONPATH": str(HARNESS), "PCF_BDT_CLOCK_SHIFT_DAYS": "400"}
    before = time.time()
    out = subprocess.run(
        [sys.executable, "-c", "import time; print(time.time(), time.monotonic())"],
        env=env, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    after = time.time()
    wall, monotonic = (float(x) for x in out.stdout.split())
    moved = (400 - own_shift) * DAY
    assert before + moved - 1 <= wall <= after + moved + 1
    # Monotonic time is the machine's: within the test's own duration of ours.
    assert abs(monotonic - time.monotonic()) < after - before + 1
