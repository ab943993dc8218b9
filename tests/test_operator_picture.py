"""The operator's picture: the timeline JSON and the page that draws it, after real traffic.

A real PCF process (``pcf-bdt serve``) gets policies from a NEF (``nef_client``): two
ASPs' selected transfer policies (committed) and a third ASP's unselected offers (held),
and an operator degradation. The expected series are computed here from the test
configuration (tests/bdt_config.py: 1 Gbps down, ceiling 0.8, the load profile) and from
the transfer policies the PCF offered, not from the PCF's picture; then the JSON of
``GET /areas/{id}/timeline`` and the chart Debian's headless Chromium drew from it (its
values read back from the pixels, stacked, by the page itself) must both hold them.
"""

from __future__ import annotations

import html
import json
import re
import shlex
import shutil
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from nef_client import Client
from nf_common.bitrate import parse_bitrate
from tests.bdt_config import write_config
from tests.server_process import running_pcf

pytestmark = pytest.mark.slow

SLOT = 900
ADMIN = "/pcf-bdt-admin/v1"
CAPACITY_DL = 1e9
CEILING = 0.8
PROFILE = [(0, 0.2), (6 * 60, 0.5), (18 * 60, 0.7), (22 * 60, 0.3)]  # minute of day, load
# Flags of headless Chromium on this kind of machine (env's machine notes): no sandbox as
# root, no GPU, nothing of Google's background services (the network is closed).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,900",
    # Run the page's fetch and drawing to the end before dumping or shooting it.
    "--virtual-time-budget=15000",
    "--run-all-compositor-stages-before-draw",
]


PCF_BDT = [sys.executable, "-m", "pcf_server"]
README = Path(__file__).resolve().parent.parent / "README.md"
TEXT: dict[str, Any] = {"capture_output": True, "text": True, "timeout": 120}


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("headless Chromium is not installed (Debian: apt-get install chromium)")
    return found


def browse(url: str, profile: Path, *action: str) -> subprocess.CompletedProcess[str]:
    command = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *action, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def _load(moment: datetime) -> float:
    minute = moment.hour * 60 + moment.minute
    return [fraction for start, fraction in PROFILE if start <= minute][-1]


def _slot(moment: datetime) -> int:
    return int(moment.timestamp() // SLOT)


def _slot_after(moment: datetime) -> int:
    return -int(-moment.timestamp() // SLOT)


def _rounding(text: str) -> float:
    """How far a BitRate string may be from the rate it was written from: half its last digit."""
    number, unit = text.split(" ")
    decimals = len(number.partition(".")[2])
    return parse_bitrate(f"1 {unit}") * 0.5 * 10.0**-decimals


def _add(
    series: dict[str, list[float]],
    slack: dict[str, list[float]],
    key: str,
    candidate: Any,
    first: int,
    n: int,
) -> None:
    """Add the candidate's downlink rate to its slots, and its rounding to their slack."""
    window = candidate.rec_time_int
    rate = parse_bitrate(candidate.max_bit_rate_dl)
    for slot in range(max(first, _slot(window.start_time)), _slot_after(window.stop_time)):
        if slot - first < n:
            series[key][slot - first] += rate
            slack[key][slot - first] += _rounding(candidate.max_bit_rate_dl)


def _within(got: list[float], want: list[float], slack: list[float]) -> bool:
    """Equal slot by slot, but for the rounding of the BitRate strings summed in each slot."""
    return len(got) == len(want) and all(
        abs(g - w) <= s + 1e-6 for g, w, s in zip(got, want, slack, strict=True)
    )


def _close(got: list[float], want: list[float], tolerance: float) -> bool:
    return len(got) == len(want) and all(
        abs(g - w) <= tolerance for g, w in zip(got, want, strict=True)
    )


def test_the_page_draws_limit_load_reservations_and_degradations(tmp_path) -> None:
    config = write_config(tmp_path / "c.yaml", candidates=3)
    now = datetime.now(UTC)
    start = datetime.fromtimestamp(_slot(now) * SLOT, UTC)
    stop = start + timedelta(hours=48)
    first, n = _slot(start), 48 * 4
    committed: dict[str, list[float]] = defaultdict(lambda: [0.0] * n)
    held: dict[str, list[float]] = defaultdict(lambda: [0.0] * n)
    slack: dict[str, list[float]] = defaultdict(lambda: [0.0] * n)

    with running_pcf(tmp_path / "pcf.db", extra_args=["--config", str(config)]) as (url, pcf):
        admin = pcf.admin_root + ADMIN
        with Client(url) as nef:
            for asp, hours, select in [
                ("asp-a", 3, True),
                ("asp-a", 20, True),
                ("asp-c", 26, True),
                ("asp-b", 8, False),
            ]:
                begin = now + timedelta(hours=hours)
                offer = nef.create(
                    asp,
                    volume_per_ue=5 * 10**9,
                    number_of_ues=20,
                    desired_window=(begin, begin + timedelta(hours=6)),
                )
                if select:
                    chosen = offer.candidates[0]
                    nef.select(offer.policy_id, chosen.trans_policy_id)
                    _add(committed, slack, asp, chosen, first, n)
                else:
                    for candidate in offer.candidates:
                        _add(held, slack, asp, candidate, first, n)
        assert len(committed) == 2 and len(held) == 1
        assert all(max(series) >= 20e6 for series in [*committed.values(), *held.values()])

        degraded_from = (start + timedelta(hours=30)).replace(minute=0)
        degraded_to = degraded_from + timedelta(hours=3)
        answer = httpx.post(
            f"{admin}/degradations",
            json={
                "areaId": "town",
                "timeWindow": {
                    "startTime": degraded_from.isoformat(),
                    "stopTime": degraded_to.isoformat(),
                },
                "factor": 0.5,
            },
        )
        assert answer.status_code == 200, answer.text
        degraded = range(_slot(degraded_from) - first, _slot(degraded_to) - first)

        slot_times = [start + timedelta(seconds=SLOT * i) for i in range(n)]
        expected = [_load(t) * CAPACITY_DL for t in slot_times]
        limit = [CAPACITY_DL * CEILING * (0.5 if i in degraded else 1.0) for i in range(n)]

        query = {"from": start.isoformat(), "to": stop.isoformat()}
        document = httpx.get(f"{admin}/areas/town/timeline", params=query).json()
        assert document["slots"][0] == start.isoformat().replace("+00:00", "Z")
        assert len(document["slots"]) == n
        downlink = document["downlink"]
        assert _close(downlink["limit"], limit, 1e-3)
        assert _close(downlink["expected"], expected, 1e-3)
        assert downlink["committed"].keys() == committed.keys()
        assert downlink["held"].keys() == held.keys()
        # The PCF sums the rates it stored; the test, the BitRate strings it was sent.
        for asp, series in committed.items():
            assert _within(downlink["committed"][asp], series, slack[asp]), asp
        for asp, series in held.items():
            assert _within(downlink["held"][asp], series, slack[asp]), asp
        assert [(d["areaId"], d["factor"], d["source"]) for d in document["degradations"]] == [
            ("town", 0.5, "operator")
        ]

        page = f"{admin}/view/areas/town?from={start.isoformat()}&to={stop.isoformat()}"
        page = page.replace("+", "%2B")
        dom = browse(page, tmp_path / "chromium", "--dump-dom").stdout
        index = browse(f"{admin}/view/areas", tmp_path / "chromium", "--dump-dom").stdout

        # pcf-bdt timeline draws the same JSON into files for reports.
        command = [*PCF_BDT, "timeline", "--area", "town", "--url", pcf.admin_root]
        command += ["--from", start.isoformat(), "--to", stop.isoformat()]
        for name in ("town.svg", "town.png"):
            done = subprocess.run([*command, "--out", str(tmp_path / name)], **TEXT)
            assert (done.returncode, done.stdout) == (0, f"wrote {tmp_path / name}\n"), done
        mistakes = [
            (["--out", str(tmp_path / "town.txt")], 2, "give a .png or .svg file"),
            (["--out", str(tmp_path / "no" / "t.png")], 2, "no directory"),
            (["--area", "nowhere", "--out", str(tmp_path / "n.png")], 1, "404 no network area"),
        ]
        for extra, status, words in mistakes:
            done = subprocess.run([*command, *extra], **TEXT)
            assert done.returncode == status, done
            assert done.stderr.startswith("pcf-bdt: error: ") and words in done.stderr, done
            assert done.stderr.count("\n") == 1, done.stderr

    svg = (tmp_path / "town.svg").read_text()
    for text in ["expected load", "asp-a", "asp-c", "held: asp-b", "limit", "degraded x0.5"]:
        assert f">{text}" in svg, text
    assert (tmp_path / "town.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    assert 'data-state="drawn"' in dom, dom[-2000:]
    found = re.search(r'<output id="drawn" hidden="">(.*?)</output>', dom, re.S)
    assert found is not None, dom[-2000:]
    drawn = json.loads(html.unescape(found.group(1)))
    series = {s["label"]: s for s in drawn["series"]}
    assert list(series) == ["expected load", "asp-a", "asp-c", "held: asp-b", "limit"]
    assert [s["kind"] for s in series.values()] == [
        "expected",
        "committed",
        "committed",
        "held",
        "limit",
    ]

    # What was drawn, read back from pixels: one pixel is about 2 Mbit/s on this chart.
    mbit = 1e6
    tolerance = 4.0
    tops = [e / mbit for e in expected]
    assert _close(series["expected load"]["top"], tops, tolerance)
    for label, more in [
        ("asp-a", committed["asp-a"]),
        ("asp-c", committed["asp-c"]),
        ("held: asp-b", held["asp-b"]),
    ]:
        tops = [t + m / mbit for t, m in zip(tops, more, strict=True)]
        assert _close(series[label]["top"], tops, tolerance), label
    assert _close(series["limit"]["top"], [v / mbit for v in limit], tolerance)
    ((band,),) = [drawn["bands"]]
    assert (band["factor"], band["first"], band["stop"]) == (0.5, degraded.start, degraded.stop)

    # The index draws every configured area's next 48 hours, each linking to its page;
    # town's small chart holds what its own page drew, slot for slot (coarser pixels).
    assert 'data-state="drawn"' in index, index[-2000:]
    links = re.findall(r'<a href="([^"]+)">(\w+)</a>', index)
    assert [(href.rsplit("/", 1)[-1], name) for href, name in links] == [
        ("town", "town"),
        ("village", "village"),
    ]
    small = {
        area: json.loads(html.unescape(text))
        for area, text in re.findall(
            r'<section class="area" data-area="(\w+)">.*?<output hidden="">(.*?)</output>',
            index,
            re.S,
        )
    }
    assert list(small) == ["town", "village"]
    page_tops = {
        s["label"]: dict(zip(drawn["labels"], s["top"], strict=True)) for s in drawn["series"]
    }
    for line in small["town"]["series"]:
        tops = dict(zip(small["town"]["labels"], line["top"], strict=True))
        common = tops.keys() & page_tops[line["label"]].keys()
        assert len(common) >= n - 8, line["label"]
        assert all(abs(tops[k] - page_tops[line["label"]][k]) <= 10.0 for k in common), line
    assert [s["label"] for s in small["village"]["series"]] == ["expected load", "limit"]


# A day to come, for ranges refused whatever the day: backwards, and longer than 7 days.
_DAY = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=30)


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _readme_command(marker: str) -> list[str]:
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"<!-- {marker} -->")
    assert lines[start + 1] == "```"
    return shlex.split(lines[start + 2])


def test_the_readme_timeline_command_and_bad_ranges(tmp_path) -> None:
    """With the shipped configuration (areas metro and suburbs), as the README runs it."""
    with running_pcf(tmp_path / "pcf.db") as (_, pcf):
        admin = pcf.admin_root + ADMIN
        program, *args = _readme_command("timeline-command")
        assert program == "pcf-bdt"
        done = subprocess.run([*PCF_BDT, *args, "--url", pcf.admin_root], cwd=tmp_path, **TEXT)
        assert done.returncode == 0, done
        assert "<svg" in (tmp_path / "metro.svg").read_text()
        for path, params, status, cause in [
            ("/areas/nowhere/timeline", {}, 404, "AREA_NOT_FOUND"),
            ("/view/areas/nowhere", {}, 404, "AREA_NOT_FOUND"),
            ("/areas/metro/timeline", {"from": "yesterday"}, 400, "INVALID_MSG_FORMAT"),
            (
                "/areas/metro/timeline",
                {"from": _iso(_DAY + timedelta(days=1)), "to": _iso(_DAY)},
                400,
                "MANDATORY_IE_INCORRECT",
            ),
            (
                "/areas/metro/timeline",
                {"from": _iso(_DAY), "to": _iso(_DAY + timedelta(days=8))},
                400,
                "MANDATORY_IE_INCORRECT",
            ),
        ]:
            answer = httpx.get(admin + path, params=params)
            assert answer.status_code == status, (path, params, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["cause"] == cause
        script = httpx.get(f"{admin}/view/static/chart.umd.min.js")
        assert script.status_code == 200 and "Chart.js v4" in script.text[:200]
        missing = httpx.get(f"{admin}/view/static/secret.txt")
        assert missing.status_code == 404
        assert missing.json()["cause"] == "RESOURCE_URI_STRUCTURE_NOT_FOUND"
        page = httpx.get(f"{admin}/view/areas/metro")
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
