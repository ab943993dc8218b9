from __future__ import annotations

import os
from pathlib import Path

import pytest

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
