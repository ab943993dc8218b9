"""Move the wall clock of every Python process started with this folder on PYTHONPATH.

``PCF_BDT_CLOCK_SHIFT_DAYS=400 PYTHONPATH="$PWD/tests/timeshift" pytest`` runs the suite as if
it were 400 days later: pytest and every server it starts (they inherit PYTHONPATH)
see the moved clock, so a test that leans on a fixed calendar date fails here today
rather than on that date. time-machine moves only the wall clock; monotonic time, and
with it every timeout, is left alone (libfaketime moves both and hangs timed waits).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

_days = float(os.environ.get("PCF_BDT_CLOCK_SHIFT_DAYS") or 0)
if _days:
    import time

    import time_machine

    time_machine.travel(datetime.now(UTC) + timedelta(days=_days), tick=True).start()
    # time-machine starts ticking at the first reading of the clock, not at start(): read
    # it now, or the process's clock lags the real one by however long it takes to ask.
    time.time()
