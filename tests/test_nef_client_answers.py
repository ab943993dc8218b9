"""What the NEF client does with answers a well-behaved PCF never gives.

A scripted PCF (an ASGI app on hypercorn, HTTP/2 over h2c like the real one) answers
each request with the next reply of the test's script: a Retry-After as an HTTP date,
redirections and creations without a Location, bodies that are not a BdtPolicy. No
test sleeps: the dates are chosen so that the client either retries at once or not at
all.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

import nef_client
from nef_client import AsyncClient, Client, RetryPolicy
from nef_client._serving import background
from tests.asgi import read_body
from tests.dates import SATURDAY, future_day, window

START = future_day(SATURDAY) + timedelta(hours=1)
WINDOW = (START, START + timedelta(hours=6))
API = "/npcf-bdtpolicycontrol/v1"
POLICY = {
    "bdtReqData": {
        "aspId": "asp",
        "desTimeInt": window(*WINDOW),
        "numOfUes": 1,
        "volPerUe": {"totalVolume": 1},
    },
    "bdtPolData": {
        "bdtRefId": "ref-1",
        "transfPolicies": [
            {"transPolicyId": 1, "recTimeInt": window(*WINDOW), "ratingGroup": 1},
        ],
    },
}

Reply = tuple[int, list[tuple[str, str]], bytes]


@dataclass
class ScriptedPcf:
    replies: list[Reply] = field(default_factory=list)
    seen: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, version

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await read_body(receive)
        self.seen.append((scope["method"], scope["path"], scope["http_version"]))
        status, headers, body = self.replies.pop(0) if self.replies else (500, [], b"")
        raw = [(k.encode(), v.encode()) for k, v in headers]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})


@pytest.fixture
def pcf() -> Iterator[tuple[ScriptedPcf, str]]:
    app = ScriptedPcf()
    with background(app) as url:
        yield app, url


def created(location: str | None = f"{API}/bdtpolicies/p1", body: Any = POLICY) -> Reply:
    headers = [("content-type", "application/json")]
    if location is not None:
        headers.append(("location", location))
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return 201, headers, raw


def busy(retry_after: str) -> Reply:
    problem = {"status": 503, "cause": "NF_CONGESTION"}
    headers = [("content-type", "application/problem+json"), ("retry-after", retry_after)]
    return 503, headers, json.dumps(problem).encode()


def create(client: Client) -> nef_client.PolicyResult:
    return client.create("asp", volume_per_ue=1, number_of_ues=1, desired_window=WINDOW)


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def test_a_retry_after_date_that_has_passed_is_retried_at_once(pcf) -> None:
    app, url = pcf
    app.replies = [busy(http_date(datetime.now(UTC) - timedelta(minutes=5))), created()]
    with Client(url, retry=RetryPolicy(attempts=2, backoff=30, max_backoff=30)) as client:
        # A backoff of up to 30 s would apply if the date were not understood; the
        # date says "now", so the second try is sent at once.
        started = datetime.now(UTC)
        result = create(client)
        assert datetime.now(UTC) - started < timedelta(seconds=10)
    assert result.policy_id == "p1"
    assert [method for method, _, _ in app.seen] == ["POST", "POST"]


def test_a_retry_after_date_too_far_ahead_is_raised_with_the_wait_it_asks(pcf) -> None:
    app, url = pcf
    app.replies = [busy(http_date(datetime.now(UTC) + timedelta(hours=1)))]
    with (
        Client(url, retry=RetryPolicy(attempts=3, max_retry_after=30)) as client,
        pytest.raises(nef_client.ServiceUnavailable) as caught,
    ):
        create(client)
    assert caught.value.retry_after == pytest.approx(3600, abs=5)
    assert len(app.seen) == 1


@pytest.mark.parametrize("status", [307, 308])
def test_a_redirection_without_location_is_an_unexpected_response(pcf, status) -> None:
    app, url = pcf
    app.replies = [(status, [], b"")]
    with Client(url) as client, pytest.raises(nef_client.UnexpectedResponse) as caught:
        client.get("p1")
    assert caught.value.status == status
    assert "without a Location header" in str(caught.value)


@pytest.mark.parametrize("status", [201, 303])
def test_a_create_answer_without_location_is_an_unexpected_response(pcf, status) -> None:
    app, url = pcf
    reply = created(location=None)
    app.replies = [(status, reply[1], reply[2] if status == 201 else b"")]
    with Client(url) as client, pytest.raises(nef_client.UnexpectedResponse) as caught:
        create(client)
    assert caught.value.status == status
    assert f"{status} to a create without a Location header" in str(caught.value)
    assert len(app.seen) == 1  # a 303 without Location is not followed anywhere


@pytest.mark.parametrize(
    "body",
    [
        b"not json at all",
        b"[]",
        json.dumps({"bdtReqData": POLICY["bdtReqData"]}).encode(),  # no bdtPolData
        json.dumps({**POLICY, "bdtPolData": {"bdtRefId": 7, "transfPolicies": "x"}}).encode(),
        json.dumps(
            {**POLICY, "bdtPolData": {**POLICY["bdtPolData"], "transfPolicies": [{"x": 1}]}}
        ).encode(),
    ],
    ids=["not-json", "array", "no-policy-data", "wrong-types", "policy-without-members"],
)
def test_a_body_that_is_not_a_bdt_policy_is_an_unexpected_response(pcf, body) -> None:
    app, url = pcf
    app.replies = [created(body=body), (200, [("content-type", "application/json")], body)]
    with Client(url) as client:
        with pytest.raises(nef_client.UnexpectedResponse) as caught:
            create(client)
        assert caught.value.status == 201 and caught.value.body == body
        with pytest.raises(nef_client.UnexpectedResponse) as caught:
            client.get("p1")
        assert caught.value.status == 200


def test_the_async_client_reads_the_same_answers_the_same_way(pcf) -> None:
    app, url = pcf
    app.replies = [
        busy(http_date(datetime.now(UTC) - timedelta(minutes=5))),
        created(location=None),
    ]

    async def go() -> None:
        async with AsyncClient(url, retry=RetryPolicy(attempts=2)) as client:
            with pytest.raises(nef_client.UnexpectedResponse, match="without a Location"):
                await client.create("asp", volume_per_ue=1, number_of_ues=1, desired_window=WINDOW)

    asyncio.run(go())
    assert len(app.seen) == 2 and {version for _, _, version in app.seen} == {"2"}
