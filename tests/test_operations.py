"""Health probes of both listeners (issue 14, point 1), in process.

``/readyz`` is 503 with a reason for each thing that keeps the process from working: the
store locked by another writer, at another schema version, the notification sender
stopped; ``/healthz`` stays 200 throughout (the process is alive).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import connexion
import pytest

from pcf_server.api.app import create_admin_app, create_sbi_app
from pcf_server.bootstrap import Pcf, build, create_app
from pcf_server.settings import Settings
from pcf_server.storage.migrate import migrations


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db_path=tmp_path / "pcf.db")


@contextlib.contextmanager
def serving(app: connexion.AsyncApp) -> Iterator[Any]:
    with app.test_client() as client:  # runs the lifespan: the sender starts
        yield client


def ready_reasons(client: Any) -> list[str]:
    response = client.get("/readyz")
    if response.status_code == 200:
        assert response.json() == {"status": "ready"}
        return []
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    document = response.json()
    assert document["status"] == 503 and document["detail"] == "; ".join(document["reasons"])
    return list(document["reasons"])


def test_a_serving_pcf_is_alive_and_ready_on_both_listeners(settings: Settings) -> None:
    pcf = build(settings)
    admin = create_admin_app(
        pcf.events, settings, background=[pcf.sender.run], operations=pcf.operations(metrics=True)
    )
    with serving(create_app(settings)) as sbi, serving(admin) as operator:
        for client in (sbi, operator):
            assert client.get("/healthz").json() == {"status": "alive"}
            assert client.head("/readyz").status_code == 200
            assert ready_reasons(client) == []
            assert client.post("/readyz").status_code == 405
        assert operator.get("/metrics").status_code == 200
        assert sbi.get("/metrics").status_code == 404  # metrics on the operator listener only


def test_a_store_locked_by_another_writer_is_not_ready(settings: Settings) -> None:
    with serving(create_app(settings)) as client:
        assert ready_reasons(client) == []
        holder = sqlite3.connect(settings.db_path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # a writer that does not let go
        try:
            started = time.monotonic()
            (reason,) = ready_reasons(client)
            assert "not writable" in reason and "locked" in reason
            assert time.monotonic() - started < 10  # the probe does not wait 30 s
            assert client.get("/healthz").status_code == 200
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert ready_reasons(client) == []


def test_a_read_only_store_is_not_ready(settings: Settings) -> None:
    """The file made immutable (``chattr +i``: read-only even for root, who runs CI)."""
    with serving(create_app(settings)) as client:
        assert ready_reasons(client) == []
        made = subprocess.run(["chattr", "+i", str(settings.db_path)], capture_output=True)
        if made.returncode != 0:
            pytest.skip(f"chattr +i is not available here: {made.stderr.decode().strip()}")
        try:
            (reason,) = ready_reasons(client)
            assert "not writable" in reason and "readonly" in reason, reason
            assert client.get("/healthz").status_code == 200
        finally:
            subprocess.run(["chattr", "-i", str(settings.db_path)], check=True)
        assert ready_reasons(client) == []


def test_a_store_at_another_schema_version_is_not_ready(settings: Settings) -> None:
    with serving(create_app(settings)) as client:
        db = sqlite3.connect(settings.db_path, isolation_level=None)
        newer = len(migrations()) + 1
        db.execute(f"PRAGMA user_version = {newer}")  # a newer PCF migrated it meanwhile
        db.close()
        (reason,) = ready_reasons(client)
        assert f"schema is version {newer}" in reason


def test_a_stopped_notification_sender_is_not_ready(settings: Settings) -> None:
    pcf: Pcf = build(settings)

    async def sender_that_stops() -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(pcf.sender.run(), timeout=0.5)

    app = create_sbi_app(
        pcf.policies,
        pcf.events,
        settings,
        background=[sender_that_stops],
        operations=pcf.operations(metrics=False),
    )
    with serving(app) as client:
        deadline = time.monotonic() + 10
        reasons = ready_reasons(client)
        while not reasons and time.monotonic() < deadline:
            time.sleep(0.05)
            reasons = ready_reasons(client)
        assert reasons == ["the notification sender is not running"]
        assert client.get("/healthz").status_code == 200


def test_probes_need_no_token_and_are_not_routed_to_the_api(tmp_path: Path) -> None:
    key = tmp_path / "nrf.pem"
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    key.write_bytes(
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    settings = Settings(db_path=tmp_path / "pcf.db", oauth2_keys=(key,))
    with serving(create_app(settings)) as client:
        assert client.get("/npcf-bdtpolicycontrol/v1/bdtpolicies/x").status_code == 401
        assert client.get("/healthz").status_code == 200
        assert ready_reasons(client) == []
