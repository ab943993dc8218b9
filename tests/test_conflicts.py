"""What the use cases do when another writer gets in their way (issue: no 500 from it).

The conflicts come from ``tests.interference``: a real store whose units of work see
what another PCF instance sharing the database would have done meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3

import httpx
import pytest

from pcf_server.api.app import create_sbi_app as create_app
from pcf_server.policy.model import TimeWindow
from pcf_server.service import BdtPolicyControl, Contention, PolicyPatch
from pcf_server.service.network_events import NetworkEvents
from pcf_server.settings import BASE_PATH, Settings
from pcf_server.wire.bdt import create_command
from tests.interference import Interfering
from tests.test_capacity import NIGHT, night_request, reservations
from tests.test_warnings import outbox, warned


def interfered(store, engine, clock, kind: str, times: int) -> BdtPolicyControl:
    return BdtPolicyControl(Interfering(store, kind, times), engine, planner=engine, clock=clock)


def test_an_update_is_applied_again_after_a_concurrent_save(service, store, engine, clock):
    policy = service.create(create_command(night_request("asp-a", 100)))
    assert len(policy.transfer_policies) == 3
    busy = interfered(store, engine, clock, "save", 2)  # two attempts lose, the third wins
    updated = busy.update(policy.policy_id, PolicyPatch(selected_id=2))
    assert updated is not None and updated.selected_id == 2
    assert service.get(policy.policy_id).selected_id == 2
    assert reservations(store) == [(policy.policy_id, 2, "committed")]


def test_an_update_that_always_loses_is_contention_and_changes_nothing(
    service, store, engine, clock
):
    policy = service.create(create_command(night_request("asp-a", 100)))
    busy = interfered(store, engine, clock, "save", 3)
    with pytest.raises(Contention):
        busy.update(policy.policy_id, PolicyPatch(selected_id=2))
    assert service.get(policy.policy_id).selected_id is None
    assert reservations(store) == [(policy.policy_id, n, "held") for n in (1, 2, 3)]


def test_a_create_decides_again_when_the_guard_refuses(store, engine, clock) -> None:
    busy = interfered(store, engine, clock, "reserve", 2)
    policy = busy.create(create_command(night_request("asp-a", 100)))
    assert reservations(store) == [(policy.policy_id, n, "held") for n in (1, 2, 3)]
    losing = interfered(store, engine, clock, "reserve", 3)
    with pytest.raises(Contention):
        losing.create(create_command(night_request("asp-b", 100)))
    assert {row[0] for row in reservations(store)} == {policy.policy_id}


def test_a_degradation_is_done_again_after_a_concurrent_save(service, store, engine, clock):
    policy = service.create(create_command(warned("asp-a", 300)))  # single offer: committed
    busy = NetworkEvents(Interfering(store, "save", 1), engine, engine, clock=clock)
    outcome = busy.degrade("town", TimeWindow(*NIGHT), 0.3)
    assert outcome.affected == outcome.notified == [policy.policy_id]
    assert [row[0] for row in outbox(store)] == [policy.policy_id]  # one warning, not two
    db = sqlite3.connect(store.path)
    assert db.execute("SELECT count(*) FROM degradation").fetchone() == (1,)


def test_contention_is_503_nf_congestion_with_retry_after(service, store, engine, clock) -> None:
    policy = service.create(create_command(night_request("asp-a", 100)))
    busy = interfered(store, engine, clock, "save", 1_000)
    events = NetworkEvents(store.unit_of_work, engine, engine, clock=clock)
    app = create_app(busy, events, Settings(db_path=store.path))

    async def patch() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://pcf") as client:
            return await client.patch(
                f"{BASE_PATH}/bdtpolicies/{policy.policy_id}",
                content=json.dumps({"bdtPolData": {"selTransPolicyId": 1}}),
                headers={"content-type": "application/merge-patch+json"},
            )

    response = asyncio.run(patch())
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "1"
    assert response.json()["cause"] == "NF_CONGESTION"
