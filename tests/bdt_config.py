"""A small operator configuration for tests, with easy numbers.

Area "town": 1 Gbps down, 100 Mbps up, ceiling 0.8. Expected load 0.2 at night
(00-06), 0.5 by day (06-18), 0.7 in the busy evening (18-22), 0.3 late (22-24), so the
downlink headroom is 600 / 300 / 100 / 500 Mbps and the uplink one a tenth of that.
Tariffs: night rating group 1 (price 1), day 2 (price 2), evening 3 (price 4).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

PLMN = {"mcc": "001", "mnc": "01"}
TOWN_TAI = {"plmnId": PLMN, "tac": "0001"}
VILLAGE_TAI = {"plmnId": PLMN, "tac": "0002"}

CONFIG: dict[str, Any] = {
    "timezone": "UTC",
    "slot_minutes": 15,
    "utilisation_ceiling": 0.8,
    "candidates": 3,
    "search_horizon_hours": 48,
    "min_window_minutes": 60,
    "hold_seconds": 300,
    "congestion_penalty": 2.0,
    "downlink_share": 0.9,
    "default_area": "town",
    # A lab: the tests' NEFs listen on this machine.
    "notification_destinations": {"allow": ["127.0.0.0/8", "::1"]},
    "tariffs": [
        {"from": "00:00", "to": "06:00", "rating_group": 1, "price": 1.0},
        {"from": "06:00", "to": "18:00", "rating_group": 2, "price": 2.0},
        {"from": "18:00", "to": "24:00", "rating_group": 3, "price": 4.0},
    ],
    "load_profiles": {
        "town": {"default": {"00:00": 0.2, "06:00": 0.5, "18:00": 0.7, "22:00": 0.3}},
    },
    "areas": {
        "town": {
            "capacity": {"downlink": "1 Gbps", "uplink": "100 Mbps"},
            "load_profile": "town",
            "tais": [TOWN_TAI],
        },
        "village": {
            "capacity": {"downlink": "100 Mbps", "uplink": "10 Mbps"},
            "load_profile": "town",
            "tais": [VILLAGE_TAI],
            "ncgis": [{"plmnId": PLMN, "nrCellId": "00000000A"}],
        },
    },
}


def config(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(CONFIG)
    doc.update(changes)
    return doc


def write_config(path: Path, **changes: Any) -> Path:
    path.write_text(yaml.safe_dump(config(**changes)), encoding="utf-8")
    return path
