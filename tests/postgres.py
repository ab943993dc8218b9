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
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

from tests.ports import port_outside_ephemeral_range

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


BIN = Path("/usr/lib/postgresql/15/bin")


class PrivateCluster:
    """A PostgreSQL cluster of the test's own (``initdb`` in a temporary folder), on a
    port of its own, so that a test can stop and start it without touching the shared
    server. Run as the ``postgres`` user when the tests run as root (initdb refuses root).
    """

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = port
        self.url = f"postgresql://postgres@127.0.0.1:{port}/postgres"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        if not (BIN / "initdb").exists():
            pytest.skip(f"{BIN / 'initdb'} not found: cannot run a private PostgreSQL")
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(str(BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1"
            f" -c unix_socket_directories={self.folder} -c fsync=on"
        )
        self._run(
            str(BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-w",
            "-l", str(self.folder / "log"), "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


@contextmanager
def private_cluster(port: int | None = None) -> Iterator[PrivateCluster]:
    """A new cluster in a temporary folder of its own (pytest's are private to root,
    where the ``postgres`` user could not reach them), removed afterwards.

    On ``port``, by default one outside the ephemeral range (``port_outside_ephemeral_range``).
    """
    port = port or port_outside_ephemeral_range()
    folder = Path(tempfile.mkdtemp(prefix="pcf-test-pg-"))
    folder.chmod(0o755)
    cluster = PrivateCluster(folder / "cluster", port)
    try:
        cluster.init()
        cluster.start()
        try:
            yield cluster
        finally:
            with suppress(subprocess.CalledProcessError):
                cluster.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def store() -> Iterator[Any]:
    """A ``PostgresStore`` on a new database; closed, and the database dropped, after."""
    from pcf_server.storage.postgres import PostgresStore

    with database() as url:
        opened = PostgresStore(url)
        try:
            yield opened
        finally:
            opened.close()
