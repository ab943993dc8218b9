"""The README's nef_client example runs as written against the real PCF."""

from __future__ import annotations

import subprocess
import sys

from nef_client.testing import PcfStub
from tests.test_readme import block


def test_nef_example_runs(pcf_stub: PcfStub) -> None:
    code = block("nef-example").replace("http://127.0.0.1:8080", pcf_stub.root)
    assert pcf_stub.root in code
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == "selected 1"
    assert lines[2] == "404 BDT_POLICY_NOT_FOUND"
