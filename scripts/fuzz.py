"""Run schemathesis against a PCF that this script starts, on a fresh database, and stops.

Three APIs are fuzzed in turn on the same server: Npcf_BDTPolicyControl (the 3GPP API,
stateful links included), the operator API (on the server's operator listener) and the
NWDAF notification endpoint.

    .venv/bin/python scripts/fuzz.py                     # what CI runs (seeded, bounded)
    .venv/bin/python scripts/fuzz.py --max-examples 500  # longer; any schemathesis option

Options after the script name go to ``schemathesis run`` and replace the defaults below
option by option. The exact schemathesis command is printed before it runs, so it can
also be rerun by hand against a PCF started with ``pcf-bdt serve``.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from nef_client.testing import free_ports
from pcf_server.settings import ADMIN_BASE_PATH, BASE_PATH, NWDAF_BASE_PATH

REPO = Path(__file__).resolve().parent.parent
# (specification, base path, on the operator listener) of every API the PCF serves, the
# 3GPP one first.
APIS = (
    ("specs/TS29554_Npcf_BDTPolicyControl.yaml", BASE_PATH, False),
    ("pcf_server/api/admin.yaml", ADMIN_BASE_PATH, True),
    ("specs/TS29520_Nnwdaf_EventsSubscription.yaml", NWDAF_BASE_PATH, False),
)
DEFAULTS = {
    "--checks": "all",
    "--mode": "all",
    "--phases": "examples,coverage,fuzzing,stateful",
    "--max-examples": "50",
    "--seed": "1",
    "--request-timeout": "10",
}
TIMEOUT_S = 900


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _wait_until_up(url: str, server: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the PCF exited with {server.returncode}")
        try:
            httpx.get(f"{url}/bdtpolicies/probe", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"the PCF did not answer within {timeout}s")


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the PCF; if it does not stop in time, kill its whole process group (workers)."""
    server.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=10)
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


def schemathesis_command(spec: str, url: str, extra: list[str]) -> list[str]:
    options = dict(DEFAULTS)
    passthrough: list[str] = []
    index = 0
    while index < len(extra):
        name = extra[index]
        if name in options and index + 1 < len(extra):
            options[name] = extra[index + 1]
            index += 2
        else:
            passthrough.append(name)
            index += 1
    flat = [part for pair in options.items() for part in pair]
    return [_bin("schemathesis"), "run", spec, "--url", url, *flat, *passthrough]


def main(argv: list[str]) -> int:
    port, admin_port = free_ports(2)
    url = f"http://127.0.0.1:{port}{BASE_PATH}"
    with tempfile.TemporaryDirectory(prefix="pcf-fuzz-") as scratch:
        db = Path(scratch) / "pcf.db"
        server = subprocess.Popen(
            [
                _bin("pcf-bdt"),
                "serve",
                "--port",
                str(port),
                "--db",
                str(db),
                "--workers",
                "2",
                "--admin-listen",
                f"127.0.0.1:{admin_port}",
            ],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            _wait_until_up(url, server)
            _wait_until_up(f"http://127.0.0.1:{admin_port}", server)  # any answer will do
            env = {**os.environ, "SCHEMATHESIS_HOOKS": "scripts.schemathesis_hooks"}
            worst = 0
            for spec, base_path, operator in APIS:
                api_url = f"http://127.0.0.1:{admin_port if operator else port}{base_path}"
                command = schemathesis_command(spec, api_url, argv)
                print("SCHEMATHESIS_HOOKS=scripts.schemathesis_hooks " + shlex.join(command))
                started = time.monotonic()
                result = subprocess.run(command, cwd=REPO, env=env, timeout=TIMEOUT_S, check=False)
                print(f"schemathesis finished in {time.monotonic() - started:.1f}s")
                worst = max(worst, result.returncode)
            return worst
        finally:
            _stop(server)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
