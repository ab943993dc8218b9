"""Starting the servers a benchmark measures, and a PostgreSQL database of its own.

A free port, waiting until a server answers, and a database made for one run and
dropped after it.
"""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from nef_client.testing import free_ports


def free_port() -> int:
    return free_ports(1)[0]


def wait_up(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Until ``url`` answers anything; exits if ``process`` does or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args!r} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise SystemExit(f"{url} did not answer")


def postgres_unreachable(server: str) -> str | None:
    """Why the PostgreSQL ``server`` (a URI without a database) cannot be used; None if it can."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[dev]')"
    try:
        with psycopg.connect(f"{server}/postgres", connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"{server}: {str(exc).strip()}"


@contextmanager
def postgres_database(server: str) -> Iterator[str]:
    """A new database on ``server``, its URI; dropped when the block ends, however it ends.

    Named ``pcf_bench_<random>``: runs never see each other's rows.
    """
    import psycopg

    name = f"pcf_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        # FORCE: servers that could not be stopped still hold connections.
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
