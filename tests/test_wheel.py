"""What the wheel ships: the receiver validates from an installed package, not a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-q", "-w", str(out), str(REPO)],
        check=True, capture_output=True,
    )  # fmt: skip
    (built,) = out.glob("npcf_bdt-*.whl")
    return built


def test_wheel_ships_the_spec_the_plugin_and_the_cli(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        text = archive.read(entry_points).decode()
    assert "nef_client/openapi.yaml" in names
    assert "pcf_server/specs/TS29554_Npcf_BDTPolicyControl.yaml" in names
    # The NEF gateway, its bundled 3gpp-bdt spec and migrations, and the AF-side client.
    assert "nef_gateway/openapi-3gpp-bdt.yaml" in names
    assert "nef_gateway/storage/migrations/0001_initial.sql" in names
    # The operator pages and the charting library they load from the PCF (no CDN).
    for name in ("area.html", "areas.html", "timeline.js", "view.css", "vendor/chart.umd.min.js"):
        assert f"pcf_server/api/view/{name}" in names
    assert "pcf_server/api/view/vendor/chart.js-LICENSE.md" in names
    assert "nnef_bdt_client/api/bdt_subscriptions_collection/create_bdt_subscription.py" in names
    assert "nef_client = nef_client.pytest_plugin" in text
    assert "nef-bdt = nef_client.cli:main" in text


def test_receiver_validates_from_the_unpacked_wheel(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    code = (
        "from nef_client.receiver import spec_path, validation_problems\n"
        "print(spec_path())\n"
        "print(validation_problems({'candPolicies': []}))\n"
    )
    # -I: isolated, so the checkout (cwd, PYTHONPATH, editable install) is not on the path.
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path[:0] = [{str(site)!r}]\n" + code],
        capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    where, problems = result.stdout.splitlines()
    assert where == str(site / "nef_client" / "openapi.yaml")
    assert "/bdtRefId" in problems and "/candPolicies" in problems
