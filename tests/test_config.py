"""The operator configuration: the shipped default, and errors that name the key."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from pcf_server.config import ConfigError, default_network, load_network, network_from_document
from pcf_server.policy import network as network_module
from tests.bdt_config import config, write_config
from tests.dates import TUESDAY, future_day


def test_the_default_configuration_is_shipped_and_sensible() -> None:
    net = default_network()
    assert net.default_area in net.areas
    metro = net.areas[net.default_area]
    evening = net.slot_of(future_day(TUESDAY) + timedelta(hours=20))
    night = evening + 8 * 4  # 04:00 the next morning (15-minute slots)
    assert net.expected_load(metro, evening) > net.expected_load(metro, night) + 0.4
    assert net.tier(evening).price > net.tier(night).price
    assert net.slot_seconds == 900 and net.hold == timedelta(seconds=300)


def test_the_kept_tiers_and_expected_loads_are_those_of_each_slot(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a network keeps per slot for the engine is what it would work out each time.

    In a zone with its own offset, over two days of distinct profiles and tariffs, and
    with so small a bound on what is kept that it starts afresh on the way.
    """
    monkeypatch.setattr(network_module, "_STARTS_KEPT", 7)
    net = dataclasses.replace(default_network(), timezone="Asia/Kolkata")
    first = net.slot_of(future_day(TUESDAY))
    stop = first + 2 * 96
    for area_id, area in net.areas.items():
        loads = [net.expected_load(area, slot) for slot in range(first, stop)]
        assert len(set(loads)) > 3
        for begin in (first, first + 5, first + 90):  # again, partly from what was kept
            assert net.expected_loads(area_id, begin, stop) == loads[begin - first :]
    tiers = [net.tier(slot) for slot in range(first, stop)]
    assert len({tier.rating_group for tier in tiers}) > 2
    for begin in (first, first + 5, first + 90):
        assert net.tiers(begin, stop) == tiers[begin - first :]
    assert net.expected_loads(net.default_area, stop, first) == []


def test_the_core_settings_load_and_keep_their_defaults_when_left_out(tmp_path: Path) -> None:
    net = load_network(
        write_config(
            tmp_path / "c.yaml",
            nwdaf_thresholds=[{"type": "GNB_RSC_USAGE_GBR_TRAFFIC", "relative_ratio": 70}],
            nwdaf_check_seconds=2,
            nwdaf_refresh_seconds=120,
            unanswered_warning_minutes=15,
        )
    )
    assert [(t.perf_type, t.relative_ratio) for t in net.nwdaf_thresholds] == [
        ("GNB_RSC_USAGE_GBR_TRAFFIC", 70)
    ]
    assert net.nwdaf_check == timedelta(seconds=2) and net.nwdaf_refresh == timedelta(minutes=2)
    assert net.unanswered_warning == timedelta(minutes=15)
    plain = load_network(write_config(tmp_path / "d.yaml"))
    assert plain.unanswered_warning == timedelta(hours=1) == default_network().unanswered_warning
    assert plain.nwdaf_thresholds == default_network().nwdaf_thresholds


def test_a_file_with_every_setting_loads(tmp_path: Path) -> None:
    net = load_network(write_config(tmp_path / "c.yaml"))
    assert set(net.areas) == {"town", "village"}
    assert net.areas["village"].capacity.downlink == 100e6
    assert net.resolve(None) == ("town",)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"slot_minte": 15}, "slot_minte"),  # misspelt key
        ({"utilisation_ceiling": 1.5}, "utilisation_ceiling"),
        ({"default_area": "nowhere"}, "default_area: no area 'nowhere'"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"slot_minutes": 7}, "slot_minutes"),
        (
            {"tariffs": [{"from": "00:00", "to": "12:00", "rating_group": 1, "price": 1}]},
            "tariffs: tiers must reach 24:00",
        ),
        (
            {
                "tariffs": [
                    {"from": "00:00", "to": "13:00", "rating_group": 1, "price": 1},
                    {"from": "12:00", "to": "24:00", "rating_group": 2, "price": 2},
                ]
            },
            "overlap at 13:00",
        ),
        (
            {"nwdaf_thresholds": [{"type": "NUM_OF_UE", "relative_ratio": 5}]},
            "type: 'NUM_OF_UE' is not one of",
        ),
        (
            {"nwdaf_thresholds": [{"type": "GNB_ACTIVE_RATIO", "relative_ratio": 0}]},
            "relative_ratio: 0 is less than the minimum",
        ),
        (
            {"nwdaf_thresholds": [{"type": "GNB_ACTIVE_RATIO"}]},
            "'relative_ratio' is a required property",
        ),
        ({"nwdaf_thresholds": []}, "nwdaf_thresholds"),
        ({"nwdaf_check_seconds": 0}, "nwdaf_check_seconds"),
        ({"nwdaf_refresh_seconds": -1}, "nwdaf_refresh_seconds"),
        ({"unanswered_warning_minutes": "soon"}, "unanswered_warning_minutes"),
    ],
)
def test_errors_name_the_offending_key(change: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        network_from_document(config(**change))


def test_nested_errors_give_the_dotted_path() -> None:
    doc = config()
    doc["areas"]["town"]["capacity"]["downlink"] = "lots"
    with pytest.raises(ConfigError, match=r"areas\.town\.capacity\.downlink"):
        network_from_document(doc)
    doc = config()
    doc["areas"]["town"]["load_profile"] = "missing"
    with pytest.raises(ConfigError, match=r"areas\.town\.load_profile: no load profile"):
        network_from_document(doc)
    doc = config()
    doc["load_profiles"]["town"]["default"] = {"06:00": 0.5}
    with pytest.raises(ConfigError, match=r"load_profiles\.town\.default: .*00:00"):
        network_from_document(doc)
    doc = config()
    doc["areas"]["village"]["tais"] = doc["areas"]["town"]["tais"]
    with pytest.raises(ConfigError, match=r"areas\.village: tai:001-01:0001 is already in"):
        network_from_document(doc)


def test_serve_refuses_a_bad_file_with_its_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(config(candidates=0)), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pcf_server", "serve", "--config", str(bad),
         "--db", str(tmp_path / "x.db"), "--port", "0"],  # the default may be taken
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "candidates" in result.stderr and str(bad) in result.stderr


def test_left_out_keys_take_the_one_set_of_defaults() -> None:
    """The hold time and the other knobs have one default each: the Network's."""
    optional = ("timezone", "slot_minutes", "utilisation_ceiling", "candidates",
                "search_horizon_hours", "min_window_minutes", "hold_seconds",
                "congestion_penalty", "downlink_share")  # fmt: skip
    doc = {key: value for key, value in config().items() if key not in optional}
    net = network_from_document(doc)
    assert net.hold == timedelta(seconds=300)  # as the README says
    assert (net.slot_seconds, net.utilisation_ceiling, net.candidates) == (900, 0.8, 3)
    assert (net.search_horizon, net.min_window) == (timedelta(hours=48), timedelta(hours=1))
    assert (net.congestion_penalty, net.downlink_share, net.timezone) == (2.0, 0.9, "UTC")
