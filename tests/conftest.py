from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from pcf_server.config import network_from_document
from pcf_server.policy.engine import LoadAwareDecider
from pcf_server.service import BdtPolicyControl
from pcf_server.storage import SqliteStore
from tests.bdt_config import config

REPO = Path(__file__).resolve().parent.parent
SPECS = REPO / "specs"
OFFICIAL = Path(os.environ.get("BDT_3GPP_DIR", REPO.parent / "shared" / "3gpp"))
RELEASES = ["Rel-15", "Rel-16", "Rel-17", "Rel-18"]


def official_release(release: str) -> Path:
    """The folder of the official 3GPP files of a release, or skip saying why."""
    folder = OFFICIAL / release
    if not (folder / "TS29554_Npcf_BDTPolicyControl.yaml").is_file():
        pytest.skip(
            f"official 3GPP files of {release} not found at {folder} "
            "(set BDT_3GPP_DIR to the folder holding Rel-15..Rel-18)"
        )
    return folder


# The service on a real store and the test configuration (tests.bdt_config), on a clock
# the test moves: the fixtures of the in-process tests of the use cases.


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    from tests.test_engine import NOW  # the engine tests' "now": the day before their days

    return Clock(NOW)


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    return SqliteStore(tmp_path / "c.db")


@pytest.fixture
def engine() -> LoadAwareDecider:
    return LoadAwareDecider(network_from_document(config()))


@pytest.fixture
def service(store: SqliteStore, engine: LoadAwareDecider, clock: Clock) -> BdtPolicyControl:
    return BdtPolicyControl(store.unit_of_work, engine, planner=engine, clock=clock)
