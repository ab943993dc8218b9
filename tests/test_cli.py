from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import httpx

from pcf_server.cli import build_parser, default_workers
from tests.dates import TUESDAY, future_day, window
from tests.server_process import running_pcf

DAY = future_day(TUESDAY)


def test_serve_defaults() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.db, args.workers) == (
        "127.0.0.1",
        8080,
        Path("pcf-bdt.db"),
        None,  # decided by serve: one per core (default_workers), 1 with --stub
    )


def test_default_workers_follow_the_cores() -> None:
    assert default_workers() == len(os.sched_getaffinity(0))


def test_api_root_option_sets_location(tmp_path: Path) -> None:
    root = "https://pcf.operator.example:8443/prefix"
    with running_pcf(tmp_path / "p.db", extra_args=["--api-root", root]) as (url, _):
        one_byte = {"numOfUes": 1, "volPerUe": {"totalVolume": 1}}
        desired = window(DAY, DAY + timedelta(hours=1))
        response = httpx.post(
            f"{url}/bdtpolicies", json={"aspId": "a", "desTimeInt": desired, **one_byte}
        )
    assert response.status_code == 201
    location = response.headers["location"]
    assert location.startswith(f"{root}/npcf-bdtpolicycontrol/v1/bdtpolicies/")


def test_timeline_and_degrade_read_times_the_same_way() -> None:
    """Both operator commands take `now`, `+1d` and ISO 8601, to the second."""
    common = ["--area", "town", "--from", "now", "--to", "+2d"]
    timeline = build_parser().parse_args(["timeline", *common, "--out", "t.png"])
    degrade = build_parser().parse_args(["degrade", *common, "--factor", "0.5"])
    for args in (timeline, degrade):
        # Each of `now` and `+2d` reads the clock: a second may turn between the two readings.
        assert timedelta(days=2) <= args.stop - args.start <= timedelta(days=2, seconds=1)
        assert args.start.microsecond == 0 and args.start.tzinfo is not None
