"""``Retry-After`` (RFC 9110 clause 10.2.3), read the same way by every client of ours.

The NEF's client reads it when a PCF answers 429 or 503, and the notification sender
(``nf_common.delivery``) when a NEF or an AF answers a notification so: one parser, so
that they cannot drift apart.
"""

from __future__ import annotations

from datetime import UTC
from email.utils import parsedate_to_datetime

__all__ = ["parse_retry_after"]


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait before trying again, or None when ``value`` says nothing usable.

    ``value`` is the header's value: delay-seconds (``"120"``) or an HTTP-date (any of
    the three formats RFC 9110 clause 5.6.7 allows, all in GMT). ``now`` is the POSIX
    time the answer is read at, from the caller's clock, since an HTTP-date names an
    instant: a date already past gives 0.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # asctime and "-0000" dates parse naive; HTTP-dates are GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now)
