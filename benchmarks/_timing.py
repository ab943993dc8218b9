"""Timing shared by the benchmarks (run as scripts, so this module sits beside them)."""

from __future__ import annotations

import time
from collections.abc import Callable


def per_call_us(call: Callable[[], object], calls: int) -> float:
    """Mean wall time of one call in microseconds, over ``calls`` calls in a row."""
    began = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - began) / calls * 1e6
