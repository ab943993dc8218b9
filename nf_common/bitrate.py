"""TS 29.571 BitRate strings (``"12.5 Mbps"``), read and written the same way everywhere."""

from __future__ import annotations

import re

# TS 29.571 BitRate; the PCF's operator configuration schema uses the same pattern.
BITRATE_PATTERN = r"^(\d+(?:\.\d+)?) (bps|Kbps|Mbps|Gbps|Tbps)$"
_BITRATE = re.compile(BITRATE_PATTERN)
_UNITS = (("Tbps", 1e12), ("Gbps", 1e9), ("Mbps", 1e6), ("Kbps", 1e3), ("bps", 1.0))
_EXACT = {"bps": 1, "Kbps": 10**3, "Mbps": 10**6, "Gbps": 10**9, "Tbps": 10**12}


def format_bitrate(bits_per_second: float) -> str:
    """Render a rate as a TS 29.571 BitRate string with the largest unit that keeps >= 1."""
    for unit, factor in _UNITS:
        if bits_per_second >= factor or unit == "bps":
            value = f"{bits_per_second / factor:.3f}".rstrip("0").rstrip(".")
            return f"{value} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def parse_bitrate(text: str) -> float:
    """Bits per second of a BitRate string; ``ValueError`` if it is not one."""
    match = _BITRATE.match(text)
    if match is None:
        raise ValueError(f"not a BitRate: {text!r}")
    return float(match.group(1)) * dict(_UNITS)[match.group(2)]


def bandwidth(text: str) -> int:
    """A BitRate string as a whole number of bit/s (TS 29.122 Bandwidth), rounded.

    Exact decimal arithmetic: ``"12.5 Mbps"`` is 12500000, not 12499999.999...
    """
    match = _BITRATE.match(text)
    if match is None:
        raise ValueError(f"not a BitRate: {text!r}")
    number, unit = match.groups()
    whole, _, fraction = number.partition(".")
    numerator: int = int(whole + fraction) * _EXACT[unit]
    denominator: int = 10 ** len(fraction)
    return (2 * numerator + denominator) // (2 * denominator)
