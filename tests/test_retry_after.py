"""The one Retry-After parser that the NEF client and the PCF's notification sender share."""

from __future__ import annotations

import time

import pytest

from nf_common.retry_after import parse_retry_after

# The caller's clock, a whole second; HTTP-dates are measured from it, not from the
# machine's clock, so the tests below move it freely.
NOW = float(int(time.time()))
LATER = time.gmtime(NOW + 30)


@pytest.mark.parametrize(("value", "seconds"), [("0", 0.0), ("7", 7.0), (" 120 ", 120.0)])
def test_delay_seconds(value: str, seconds: float) -> None:
    assert parse_retry_after(value, NOW) == seconds


@pytest.mark.parametrize(
    "value",
    [
        time.strftime("%a, %d %b %Y %H:%M:%S GMT", LATER),  # IMF-fixdate, the preferred one
        time.strftime("%A, %d-%b-%y %H:%M:%S GMT", LATER),  # obsolete RFC 850 format
        time.asctime(LATER),  # obsolete asctime format: no zone written, GMT all the same
        time.strftime("%a, %d %b %Y %H:%M:%S -0000", LATER),  # parses without a zone too
    ],
)
def test_http_date_is_measured_from_the_callers_clock(value: str) -> None:
    assert parse_retry_after(value, NOW) == pytest.approx(30.0)
    assert parse_retry_after(value, NOW + 10) == pytest.approx(20.0)


def test_http_date_in_the_past_means_now() -> None:
    past = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(NOW - 3600))
    assert parse_retry_after(past, NOW) == 0.0


@pytest.mark.parametrize(
    "value",
    [None, "", "   ", "-5", "1.5", "soon", "\u00b2", time.strftime("%a, 32 %b %Y 05:06:37 GMT")],
)
def test_anything_else_says_nothing(value: str | None) -> None:
    assert parse_retry_after(value, NOW) is None
