"""Where a GET reads, and a Create looks for an equivalent policy (a 303 is a read): on the
event loop where the store answers without waiting (SQLite), in the threadpool otherwise
(PostgreSQL's round trips must not hold up other requests).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import connexion
import pytest

from nf_common.destinations import undeliverable
from pcf_server.api.app import create_sbi_app
from pcf_server.bootstrap import build, create_app
from pcf_server.service import BdtPolicyControl
from pcf_server.settings import BASE_PATH, Settings
from tests.test_security import bdt_request


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db_path=tmp_path / "pcf.db")


def _on_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # a worker thread runs no loop
        return False
    return True


def _where_each_call_ran(monkeypatch: pytest.MonkeyPatch, name: str) -> list[bool]:
    """For each call of the service's ``name``, whether it ran on the event loop's thread."""
    seen: list[bool] = []
    original = getattr(BdtPolicyControl, name)

    def recorded(self: BdtPolicyControl, *args: Any, **kwargs: Any) -> Any:
        seen.append(_on_loop())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(BdtPolicyControl, name, recorded)
    return seen


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each read of the service, whether it ran on the event loop's thread."""
    return _where_each_call_ran(monkeypatch, "get")


def read_twice(app: connexion.AsyncApp) -> None:
    """A GET of a policy that exists and of one that does not, answered as ever."""
    with app.test_client() as client:
        created = client.post(f"{BASE_PATH}/bdtpolicies", json=bdt_request())
        assert created.status_code == 201, created.text
        path = urlsplit(created.headers["location"]).path
        found = client.get(path)
        assert found.status_code == 200
        assert found.json() == created.json()
        missing = client.get(path + "0")
        assert missing.status_code == 404
        assert missing.json()["cause"] == "BDT_POLICY_NOT_FOUND"


@pytest.mark.parametrize("reads_on_loop", [True, False])
def test_a_get_reads_on_the_loop_only_when_told_it_may(
    settings: Settings, reads: list[bool], reads_on_loop: bool
) -> None:
    pcf = build(settings)
    read_twice(create_sbi_app(pcf.policies, pcf.events, settings, reads_on_loop=reads_on_loop))
    assert reads == [reads_on_loop, reads_on_loop]


def test_the_pcf_on_sqlite_reads_on_the_loop(settings: Settings, reads: list[bool]) -> None:
    read_twice(create_app(settings))
    assert reads == [True, True]


def test_the_pcf_on_postgresql_reads_in_the_threadpool(reads: list[bool]) -> None:
    from pcf_server.bootstrap import Pcf
    from tests import postgres

    built: list[Pcf] = []

    def parts(settings: Settings) -> Pcf:
        built.append(build(settings))
        return built[-1]

    with postgres.database() as url:
        try:
            read_twice(create_app(Settings(db_path=url), parts=parts))
        finally:
            for pcf in built:
                pcf.store.close()
    assert built and reads == [False, False]


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each look for a policy equivalent to a Create, whether it ran on the loop."""
    return _where_each_call_ran(monkeypatch, "refuse_equivalent")


def create_twice(app: connexion.AsyncApp) -> None:
    """A Create, then the same Create again: 201, then 303 to the policy of the first."""
    with app.test_client() as client:
        created = client.post(f"{BASE_PATH}/bdtpolicies", json=bdt_request())
        assert created.status_code == 201, created.text
        again = client.post(f"{BASE_PATH}/bdtpolicies", json=bdt_request(), follow_redirects=False)
        assert again.status_code == 303, again.text
        assert again.headers["location"] == created.headers["location"]
        assert again.content == b""


@pytest.mark.parametrize("reads_on_loop", [True, False])
def test_a_repeated_create_is_looked_up_on_the_loop_only_when_told_it_may(
    settings: Settings, lookups: list[bool], reads_on_loop: bool
) -> None:
    """On SQLite a 303 is a read answered as a GET is, without the hop to a thread."""
    checked: list[bool] = []

    def destinations(uri: str, where: str) -> str | None:
        checked.append(_on_loop())
        return undeliverable(uri, where)

    pcf = build(settings)
    create_twice(
        create_sbi_app(
            pcf.policies,
            pcf.events,
            settings,
            destinations=destinations,
            reads_on_loop=reads_on_loop,
        )
    )
    assert lookups == [reads_on_loop, reads_on_loop]
    # The notifUri's check may resolve a name: never on the loop, and not for the 303.
    assert checked == [False]


def test_a_refused_notifuri_of_a_new_create_is_still_refused(settings: Settings) -> None:
    pcf = build(settings)
    app = create_sbi_app(
        pcf.policies,
        pcf.events,
        settings,
        destinations=lambda uri, where: "not there",
        reads_on_loop=True,
    )
    with app.test_client() as client:
        refused = client.post(f"{BASE_PATH}/bdtpolicies", json=bdt_request())
    assert refused.status_code == 400
    assert refused.json()["invalidParams"] == [{"param": "/notifUri", "reason": "not there"}]


def test_the_pcf_on_sqlite_answers_a_repeated_create_on_the_loop(
    settings: Settings, lookups: list[bool]
) -> None:
    create_twice(create_app(settings))
    assert lookups == [True, True]


def test_the_pcf_on_postgresql_answers_a_repeated_create_in_the_threadpool(
    lookups: list[bool],
) -> None:
    from tests import postgres

    with postgres.database() as url:
        create_twice(create_app(Settings(db_path=url)))
    assert lookups == [False, False]
