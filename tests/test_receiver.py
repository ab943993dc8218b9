"""The notification receiver: mounted in an ASGI app, and on its own over h2c."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from typing import Any

import httpx
import pytest
from npcf_bdt_client.models import Notification
from starlette.applications import Starlette
from starlette.routing import Mount

from nef_client.receiver import MAX_BODY, NotificationReceiver, receiver_in_background, spec_path
from tests.dates import SATURDAY, future_day, window

START = future_day(SATURDAY) + timedelta(hours=1)

VALID: dict[str, Any] = {
    "bdtRefId": "ref-1",
    "candPolicies": [
        {
            "transPolicyId": 3,
            "ratingGroup": 7,
            "recTimeInt": window(START + timedelta(hours=1), START + timedelta(hours=3)),
            "maxBitRateDl": "12.5 Mbps",
        }
    ],
    "timeWindow": window(START, START + timedelta(hours=6)),
    "nwAreaInfo": {"tais": [{"plmnId": {"mcc": "001", "mnc": "01"}, "tac": "0001"}]},
}


class mounted:
    """The receiver mounted under a prefix of a NEF's own Starlette app."""

    def __init__(self, callback: Any) -> None:
        self.app = Starlette(routes=[Mount("/nef/notify/", app=NotificationReceiver(callback))])

    def __enter__(self) -> mounted:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://nef") as client:
                return await client.request(method, path, **kwargs)

        return asyncio.run(call())

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def get(self, path: str) -> httpx.Response:
        return self.request("GET", path)


def test_valid_notification_reaches_the_callback_typed() -> None:
    got: list[Notification] = []
    with mounted(got.append) as client:
        response = client.post("/nef/notify/bdt", json=VALID)
    assert response.status_code == 204
    assert response.content == b""
    (notification,) = got
    assert isinstance(notification, Notification)
    assert notification.bdt_ref_id == "ref-1"
    assert notification.cand_policies[0].trans_policy_id == 3  # type: ignore[index]
    assert notification.to_dict() == Notification.from_dict(VALID).to_dict()


def test_async_callback_is_awaited() -> None:
    got: list[str] = []

    async def callback(notification: Notification) -> None:
        await asyncio.sleep(0)
        got.append(notification.bdt_ref_id)

    with mounted(callback) as client:
        assert client.post("/nef/notify/", json={"bdtRefId": "r"}).status_code == 204
    assert got == ["r"]


@pytest.mark.parametrize(
    ("body", "cause", "param"),
    [
        ({"candPolicies": VALID["candPolicies"]}, "MANDATORY_IE_MISSING", "/bdtRefId"),
        (
            {**VALID, "timeWindow": {**VALID["timeWindow"], "startTime": "yesterday"}},
            "MANDATORY_IE_INCORRECT",
            "/timeWindow/startTime",
        ),
        ({"bdtRefId": "r", "candPolicies": []}, "MANDATORY_IE_INCORRECT", "/candPolicies"),
        (
            {"bdtRefId": "r", "candPolicies": [{"transPolicyId": 1, "ratingGroup": 1}]},
            "MANDATORY_IE_MISSING",
            "/candPolicies/0/recTimeInt",
        ),
        (
            {**VALID, "candPolicies": [{**VALID["candPolicies"][0], "maxBitRateDl": "fast"}]},
            "MANDATORY_IE_INCORRECT",
            "/candPolicies/0/maxBitRateDl",
        ),
    ],
)
def test_invalid_bodies_get_400_problem_details(body: Any, cause: str, param: str) -> None:
    got: list[Notification] = []
    with mounted(got.append) as client:
        response = client.post("/nef/notify/", json=body)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["cause"] == cause
    assert param in [p["param"] for p in problem["invalidParams"]]
    assert got == []


def test_a_body_that_is_not_an_object_is_named_by_the_empty_pointer() -> None:
    """RFC 6901: "" is the whole document ("/" would be its member named "")."""
    with mounted(lambda _: None) as client:
        response = client.post("/nef/notify/", json=["bdtRefId"])
    assert response.status_code == 400
    assert [p["param"] for p in response.json()["invalidParams"]] == [""]


def test_an_over_long_body_is_413() -> None:
    with mounted(lambda _: None) as client:
        response = client.post(
            "/nef/notify/",
            content=b" " * (MAX_BODY + 1),
            headers={"content-type": "application/json"},
        )
    assert (response.status_code, response.json()["cause"]) == (413, "PAYLOAD_TOO_LARGE")


def test_not_json_wrong_media_type_and_method() -> None:
    got: list[Notification] = []
    with mounted(got.append) as client:
        not_json = client.post(
            "/nef/notify/", content=b"{", headers={"content-type": "application/json"}
        )
        text = client.post("/nef/notify/", content=b"x", headers={"content-type": "text/plain"})
        get = client.get("/nef/notify/")
    assert (not_json.status_code, not_json.json()["cause"]) == (400, "INVALID_MSG_FORMAT")
    assert (text.status_code, text.json()["cause"]) == (415, "UNSUPPORTED_MEDIA_TYPE")
    assert (get.status_code, get.headers["allow"]) == (405, "POST")
    assert got == []


def test_failing_callback_answers_500() -> None:
    def callback(_: Notification) -> None:
        raise RuntimeError("database down")

    with mounted(callback) as client:
        response = client.post("/nef/notify/", json={"bdtRefId": "r"})
    assert (response.status_code, response.json()["cause"]) == (500, "SYSTEM_FAILURE")


def test_runs_on_its_own_over_h2c_and_http1() -> None:
    got: list[Notification] = []
    arrived = threading.Event()

    def callback(notification: Notification) -> None:
        got.append(notification)
        arrived.set()

    with receiver_in_background(callback) as url:
        with httpx.Client(http1=False, http2=True) as h2c:
            response = h2c.post(f"{url}/any/path", json=VALID)
        assert (response.status_code, response.http_version) == (204, "HTTP/2")
        assert httpx.post(url, json={"bdtRefId": "h1"}).status_code == 204
    assert arrived.is_set()
    assert [n.bdt_ref_id for n in got] == ["ref-1", "h1"]


def test_spec_is_found_in_a_checkout() -> None:
    assert spec_path().name == "openapi.yaml"
    assert "Notification:" in spec_path().read_text()
