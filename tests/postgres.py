"""A real PostgreSQL for tests: the machine's server, each test run in a database of its own.

The server at ``PCF_TEST_PG`` (default ``postgresql://postgres@127.0.0.1:5432``) is
used; when it does not answer, the Debian cluster is started as CI does
(``pg_ctlcluster``). Tests skip, saying why, only when neither works. Each database is
``pcf_test_<random>``, dropped afterwards, so runs never see each other's rows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

SERVER = os.environ.get("PCF_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
_reachable: bool | None = None
_why = ""


def _answers(url: str) -> str | None:
    import psycopg

    try:
        with psycopg.connect(f"{url}/postgres", connect_timeout=3):
            return None
    except psycopg.OperationalError as exc:
        return str(exc).strip()


def _start_cluster() -> str:
    clusters = Path("/etc/postgresql")
    if shutil.which("pg_ctlcluster") is None or not clusters.is_dir():
        return "pg_ctlcluster or /etc/postgresql not found"
    messages = []
    for version in sorted(p.name for p in clusters.iterdir()):
        started = subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            capture_output=True,
            text=True,
            check=False,
        )
        messages.append(started.stderr.strip())
    return "; ".join(messages)


def server() -> str:
    """The server's URI (without a database), or skip saying why it cannot be had."""
    global _reachable, _why
    if _reachable is None:
        try:
            import psycopg  # noqa: F401
        except ImportError:
            _reachable, _why = False, "psycopg is not installed (pip install -e '.[dev]')"
        else:
            error = _answers(SERVER)
            if error is not None:
                started = _start_cluster()
                deadline = time.monotonic() + 20
                while error is not None and time.monotonic() < deadline:
                    time.sleep(0.2)
                    error = _answers(SERVER)
                if error is not None:
                    _why = f"PostgreSQL at {SERVER}: {error}; starting it: {started}"
            _reachable = error is None
    if not _reachable:
        pytest.skip(_why)
    return SERVER


@contextmanager
def database() -> Iterator[str]:
    """A new, empty database on the server; its URI. Dropped when the block ends."""
    import psycopg

    base = server()
    name = f"pcf_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
