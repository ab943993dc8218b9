"""Start the real PCF (``python -m pcf_server serve``) as a separate process for tests."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx

from nef_client.testing import free_ports
from tests.conftest import REPO

BASE_PATH = "/npcf-bdtpolicycontrol/v1"


def free_port() -> int:
    return free_ports(1)[0]


class PcfProcess(subprocess.Popen[bytes]):
    """The server process; ``admin_root`` is its operator listener's apiRoot."""

    admin_root: str


@contextmanager
def running_pcf(
    db: Path,
    port: int | None = None,
    extra_args: Sequence[str] = (),
    timeout: float = 30.0,
    scheme: str = "http",
    verify: ssl.SSLContext | bool = True,
    admin_port: int | None = None,
    probe_headers: dict[str, str] | None = None,
    store: str | None = None,
) -> Iterator[tuple[str, PcfProcess]]:
    """Yield (base URL of the API, process) once the server answers; stop it after.

    ``store`` is the ``--db`` value when it is not the file ``db`` (a PostgreSQL URI);
    the server's output goes to ``db`` with the suffix ``.log`` either way.

    The operator listener is on ``admin_port`` (a free one by default): never the
    default port, which several test servers would share. The server runs in a session
    (process group) of its own, so that ``kill_hard`` can take its worker processes down
    with it.
    """
    # Two ports asked for one after the other may be the same one: ask for them at once,
    # and never take for one listener the port the caller gave the other.
    spares = free_ports(3)
    port = port or next(p for p in spares if p != admin_port)
    if "--admin-listen" not in extra_args:
        admin_port = admin_port or next(p for p in spares if p != port)
        extra_args = [*extra_args, "--admin-listen", f"127.0.0.1:{admin_port}"]
    admin_address = list(extra_args)[list(extra_args).index("--admin-listen") + 1]
    log = db.with_suffix(".log").open("wb")
    # The console script that users run, when installed; the module otherwise.
    script = Path(sys.executable).with_name("pcf-bdt")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "pcf_server"]
    process = PcfProcess(
        [*command, "serve", "--port", str(port), "--db", store or str(db), *extra_args],
        cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env={**os.environ},
        start_new_session=True,
    )  # fmt: skip
    url = f"{scheme}://127.0.0.1:{port}{BASE_PATH}"
    process.admin_root = f"http://{admin_address}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"PCF exited with {process.returncode}: {_tail(db)}")
            try:
                probe = httpx.get(
                    f"{url}/bdtpolicies/probe", timeout=1, verify=verify, headers=probe_headers
                )
                # 404: no such policy; 401: up, and asking for a token.
                if probe.status_code in (401, 404) and _admin_up(process.admin_root):
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"PCF did not answer within {timeout}s: {_tail(db)}")
            time.sleep(0.1)
        yield url, process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                kill_hard(process)
        _reap_group(process)
        log.close()


def _admin_up(root: str) -> bool:
    try:
        httpx.get(f"{root}/pcf-bdt-admin/v1/areas", timeout=1)
    except httpx.TransportError:
        return False
    return True


def kill_hard(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the server and its workers at once, as a crash or the OOM killer would."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _reap_group(process: subprocess.Popen[bytes]) -> None:
    """Workers orphaned by a killed server would keep the port and the database."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _tail(db: Path) -> str:
    return db.with_suffix(".log").read_text(errors="replace")[-2000:]
