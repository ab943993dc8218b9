"""TS 29.554 / 29.500 behaviour of the real PCF process, seen by a NEF over HTTP.

One server serves the whole module (with a small ``--max-body-bytes``); every test makes
its own policies, with an aspId of its own, so that no test sees another's.
"""

from __future__ import annotations

import json
import re
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.dates import FRIDAY, future_day, iso, window
from tests.problems import PROBLEM, params, problem_of
from tests.server_process import PcfProcess, running_pcf

MAX_BODY = 4096
MERGE_PATCH = {"content-type": "application/merge-patch+json"}

DAY = future_day(FRIDAY)
DATE = f"{DAY:%Y-%m-%d}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, PcfProcess]]:
    db = tmp_path_factory.mktemp("api") / "pcf.db"
    with running_pcf(db, extra_args=["--max-body-bytes", str(MAX_BODY)]) as running:
        yield running


@pytest.fixture(scope="module")
def api(server: tuple[str, PcfProcess]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server[0], timeout=10) as client:
        yield client


def request(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "aspId": f"asp-{uuid.uuid4().hex[:8]}",
        "desTimeInt": window(DAY + timedelta(hours=1), DAY + timedelta(hours=5)),
        "numOfUes": 20,
        "volPerUe": {"downlinkVolume": 90_000_000},
    }
    doc.update(changes)
    return doc


NOTIFYING = {"suppFeat": "1", "notifUri": "http://nef.example/bdt/notify"}


def create(api: httpx.Client, doc: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    response = api.post("/bdtpolicies", json=doc)
    assert response.status_code == 201, response.text
    return response.headers["location"].rsplit("/", 1)[1], response.json()


def patch(api: httpx.Client, policy_id: str, body: Any) -> httpx.Response:
    return api.patch(f"/bdtpolicies/{policy_id}", json=body, headers=MERGE_PATCH)


# 1. Create


def test_create_answers_201_with_location_and_full_policy(api: httpx.Client) -> None:
    doc = request(
        dnn="internet",
        nwAreaInfo={"tais": [{"plmnId": {"mcc": "001", "mnc": "01"}, "tac": "00AB"}]},
    )
    response = api.post("/bdtpolicies", json=doc)
    assert response.status_code == 201
    location = response.headers["location"]
    base = str(api.base_url).rstrip("/")
    assert re.fullmatch(re.escape(base) + r"/bdtpolicies/[A-Za-z0-9_-]+", location), location
    assert location.startswith("http://127.0.0.1:")  # absolute, {apiRoot}/npcf-.../v1/...
    body = response.json()
    assert body["bdtReqData"] == doc
    data = body["bdtPolData"]
    assert data["transfPolicies"] and all(tp["transPolicyId"] != 0 for tp in data["transfPolicies"])
    assert {"transPolicyId", "recTimeInt", "ratingGroup"} <= set(data["transfPolicies"][0])
    _, other = create(api, request())
    assert other["bdtPolData"]["bdtRefId"] != data["bdtRefId"]
    assert api.get(location).json() == body


# 2. 303 See Other


def test_equivalent_request_gets_303_to_the_existing_policy(api: httpx.Client) -> None:
    doc = request()
    first = api.post("/bdtpolicies", json=doc)
    assert first.status_code == 201
    same = {
        **doc,
        "desTimeInt": {
            "startTime": f"{DATE}T03:00:00+02:00",
            "stopTime": f"{DATE}T05:00:00Z",
        },
        "warnNotifReq": False,
    }
    again = api.post("/bdtpolicies", json=same)
    assert again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert again.content == b""
    different = api.post("/bdtpolicies", json={**doc, "numOfUes": 21})
    assert different.status_code == 201
    assert different.headers["location"] != first.headers["location"]


# 3. Get


def test_unknown_policy_is_404_bdt_policy_not_found(api: httpx.Client) -> None:
    assert problem_of(api.get("/bdtpolicies/nope"), 404)["cause"] == "BDT_POLICY_NOT_FOUND"
    gone = patch(api, "nope", {"bdtPolData": {"selTransPolicyId": 1}})
    assert problem_of(gone, 404)["cause"] == "BDT_POLICY_NOT_FOUND"


# 4. Update


def test_select_then_switch_warnings(api: httpx.Client) -> None:
    policy_id, created = create(api, request(**NOTIFYING))
    chosen = created["bdtPolData"]["transfPolicies"][-1]["transPolicyId"]
    selected = patch(api, policy_id, {"bdtPolData": {"selTransPolicyId": chosen}})
    assert selected.status_code == 200
    assert selected.json()["bdtPolData"]["selTransPolicyId"] == chosen
    switched = patch(api, policy_id, {"bdtReqData": {"warnNotifReq": True}})
    assert switched.status_code == 200
    assert switched.json()["bdtReqData"]["warnNotifReq"] is True
    stored = api.get(f"/bdtpolicies/{policy_id}").json()
    assert stored["bdtPolData"]["selTransPolicyId"] == chosen
    assert stored["bdtReqData"]["warnNotifReq"] is True


def test_selection_not_offered_is_400_naming_the_attribute(api: httpx.Client) -> None:
    policy_id, created = create(api, request())
    offered = {tp["transPolicyId"] for tp in created["bdtPolData"]["transfPolicies"]}
    missing = max(offered) + 1
    body = problem_of(patch(api, policy_id, {"bdtPolData": {"selTransPolicyId": missing}}), 400)
    assert body["cause"] == "MANDATORY_IE_INCORRECT"
    assert params(body) == ["/bdtPolData/selTransPolicyId"]
    assert "selTransPolicyId" not in api.get(f"/bdtpolicies/{policy_id}").json()["bdtPolData"]


def test_zero_with_bdt_notification_5g_removes_the_policy(api: httpx.Client) -> None:
    policy_id, created = create(api, request(**NOTIFYING))
    assert created["bdtPolData"]["suppFeat"] == "1"
    removed = patch(api, policy_id, {"bdtPolData": {"selTransPolicyId": 0}})
    assert removed.status_code == 204 and removed.content == b""
    assert problem_of(api.get(f"/bdtpolicies/{policy_id}"), 404)["cause"] == "BDT_POLICY_NOT_FOUND"


def test_zero_without_bdt_notification_5g_is_not_offered(api: httpx.Client) -> None:
    policy_id, _ = create(api, request())
    body = problem_of(patch(api, policy_id, {"bdtPolData": {"selTransPolicyId": 0}}), 400)
    assert params(body) == ["/bdtPolData/selTransPolicyId"]
    assert api.get(f"/bdtpolicies/{policy_id}").status_code == 200


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(lambda n: {"bdtPolData": {"selTransPolicyId": n}}, id="draft-BdtPolicyPatch"),
        pytest.param(lambda n: {"selTransPolicyId": n}, id="Rel-15-bare"),
        pytest.param(lambda n: {"selTransPolicyId": n, "warnNotifReq": True}, id="Rel-16-bare"),
    ],
)
def test_older_update_shapes_are_understood(api: httpx.Client, shape: Any) -> None:
    policy_id, created = create(api, request(**NOTIFYING))
    chosen = created["bdtPolData"]["transfPolicies"][-1]["transPolicyId"]
    response = patch(api, policy_id, shape(chosen))
    assert response.status_code == 200, response.text
    assert response.json()["bdtPolData"]["selTransPolicyId"] == chosen
    body = shape(chosen)
    if "warnNotifReq" in body:
        assert response.json()["bdtReqData"]["warnNotifReq"] is True


def test_bare_shape_errors_name_the_bare_attributes(api: httpx.Client) -> None:
    policy_id, _ = create(api, request())
    body = problem_of(patch(api, policy_id, {"selTransPolicyId": 99}), 400)
    assert params(body) == ["/selTransPolicyId"]
    body = problem_of(patch(api, policy_id, {"selTransPolicyId": "one", "warnNotifReq": 1}), 400)
    assert params(body) == ["/selTransPolicyId", "/warnNotifReq"]
    assert body["cause"] == "MANDATORY_IE_INCORRECT"


# 5. Errors


def test_every_schema_error_is_listed_with_its_cause(api: httpx.Client) -> None:
    doc = request(
        numOfUes="many",
        volPerUe={"downlinkVolume": -1},
        nwAreaInfo={"tais": [{"plmnId": {"mcc": "1", "mnc": "01"}}]},
    )
    del doc["aspId"]
    body = problem_of(api.post("/bdtpolicies", json=doc), 400)
    assert body["cause"] == "MANDATORY_IE_MISSING"
    reasons = {entry["param"]: entry["reason"] for entry in body["invalidParams"]}
    assert set(reasons) == {
        "/aspId",
        "/numOfUes",
        "/volPerUe/downlinkVolume",
        "/nwAreaInfo/tais/0/plmnId/mcc",
        "/nwAreaInfo/tais/0/tac",
    }
    assert reasons["/numOfUes"].startswith("mandatory")
    assert reasons["/nwAreaInfo/tais/0/plmnId/mcc"].startswith("optional")


@pytest.mark.parametrize(
    ("change", "cause", "where"),
    [
        ({"numOfUes": 2.5}, "MANDATORY_IE_INCORRECT", "/numOfUes"),
        ({"volPerUe": {"totalVolume": 2**63}}, "OPTIONAL_IE_INCORRECT", "/volPerUe/totalVolume"),
        ({"snssai": {"sst": 1000}}, "OPTIONAL_IE_INCORRECT", "/snssai/sst"),
        ({"suppFeat": "xyz"}, "OPTIONAL_IE_INCORRECT", "/suppFeat"),
        ({"suppFeat": "1"}, "MANDATORY_IE_MISSING", "/notifUri"),
        # A notifUri no warning could ever be delivered to is refused at Create, where the
        # NEF can still fix it.
        ({**NOTIFYING, "notifUri": "http://[::1"}, "MANDATORY_IE_INCORRECT", "/notifUri"),
        ({**NOTIFYING, "notifUri": "not a uri"}, "MANDATORY_IE_INCORRECT", "/notifUri"),
        ({**NOTIFYING, "notifUri": "ftp://x/y"}, "MANDATORY_IE_INCORRECT", "/notifUri"),
        ({**NOTIFYING, "notifUri": "/relative/path"}, "MANDATORY_IE_INCORRECT", "/notifUri"),
        (
            {**NOTIFYING, "notifUri": "http://nef.example/" + "a" * 2048},
            "MANDATORY_IE_INCORRECT",
            "/notifUri",
        ),
        ({"numOfUes": 0}, "MANDATORY_IE_INCORRECT", "/numOfUes"),
        # A desired window that has already ended: refused, not re-planned from now.
        (
            {
                "desTimeInt": window(
                    DAY - timedelta(days=400, hours=-1), DAY - timedelta(days=400, hours=-5)
                )
            },
            "MANDATORY_IE_INCORRECT",
            "/desTimeInt/stopTime",
        ),
        (
            {
                "desTimeInt": {
                    "startTime": f"{DATE}T25:00:00Z",
                    "stopTime": iso(DAY + timedelta(days=1)),
                }
            },
            "MANDATORY_IE_INCORRECT",
            "/desTimeInt/startTime",
        ),
        (
            {
                "desTimeInt": {
                    "startTime": f"{DATE}T05:00:00Z",
                    "stopTime": f"{DATE}T01:00:00Z",
                }
            },
            "MANDATORY_IE_INCORRECT",
            "/desTimeInt/stopTime",
        ),
        (
            {
                "desTimeInt": {
                    "startTime": f"{DATE}T05:00:00",
                    "stopTime": iso(DAY + timedelta(days=1, hours=1)),
                }
            },
            "MANDATORY_IE_INCORRECT",
            "/desTimeInt/startTime",
        ),
    ],
)
def test_wrong_values(api: httpx.Client, change: dict[str, Any], cause: str, where: str) -> None:
    body = problem_of(api.post("/bdtpolicies", json=request(**change)), 400)
    assert (body["cause"], params(body)) == (cause, [where])


def test_int64_bounds_are_exact(api: httpx.Client) -> None:
    largest = api.post("/bdtpolicies", json=request(volPerUe={"totalVolume": 2**63 - 1}))
    # The largest int64 is a valid body: it passes validation, and it is the load-aware
    # engine that refuses it (no network moves 2^63 bytes per UE), not the validator.
    assert problem_of(largest, 403)["cause"] == "BDT_CAPACITY_UNAVAILABLE"
    just_over = api.post("/bdtpolicies", json=request(volPerUe={"totalVolume": 2**63}))
    assert problem_of(just_over, 400)["invalidParams"][0]["param"] == "/volPerUe/totalVolume"
    assert problem_of(api.post("/bdtpolicies", json=request(volPerUe={"uplinkVolume": 2**64})), 400)


@pytest.mark.parametrize(
    "raw",
    [b"{", b'{"aspId": NaN}', b"\xff\xfe{}", b"", b"[]", b"null", b"[" * 3000],
    ids=["syntax", "nan", "not-utf8", "empty", "array", "null", "deep"],
)
def test_unreadable_bodies_are_invalid_msg_format(api: httpx.Client, raw: bytes) -> None:
    response = api.post("/bdtpolicies", content=raw, headers={"content-type": "application/json"})
    assert problem_of(response, 400)["cause"] == "INVALID_MSG_FORMAT"
    policy_id, _ = create(api, request())
    response = api.patch(f"/bdtpolicies/{policy_id}", content=raw, headers=MERGE_PATCH)
    assert problem_of(response, 400)["cause"] == "INVALID_MSG_FORMAT"


def test_wrong_content_type_is_415(api: httpx.Client) -> None:
    body = problem_of(
        api.post(
            "/bdtpolicies",
            content=b"aspId=x",
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        415,
    )
    assert body["cause"] == "UNSUPPORTED_MEDIA_TYPE"
    policy_id, _ = create(api, request())
    plain_json = api.patch(f"/bdtpolicies/{policy_id}", json={"selTransPolicyId": 1})
    assert problem_of(plain_json, 415)["cause"] == "UNSUPPORTED_MEDIA_TYPE"


def test_bodies_over_the_limit_are_413(api: httpx.Client) -> None:
    big = request(dnn="d" * MAX_BODY)
    body = problem_of(api.post("/bdtpolicies", json=big), 413)
    assert body["cause"] == "PAYLOAD_TOO_LARGE"

    def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer coding
        yield b'{"aspId": "'
        for _ in range(MAX_BODY // 1000 + 1):
            yield b"a" * 1000
        yield b'"}'

    chunked = api.post(
        "/bdtpolicies", content=chunks(), headers={"content-type": "application/json"}
    )
    assert problem_of(chunked, 413)["cause"] == "PAYLOAD_TOO_LARGE"
    assert api.post("/bdtpolicies", json=request(dnn="d" * 100)).status_code == 201


@pytest.mark.parametrize(
    "path", ["/nothing", "/bdtpolicies/a/b", "/bdtpolicies/", "/../bdtpolicies", "/BDTPOLICIES"]
)
def test_unknown_resources_are_404(api: httpx.Client, path: str) -> None:
    body = problem_of(api.get(path), 404)
    assert body["cause"] == "RESOURCE_URI_STRUCTURE_NOT_FOUND"


def test_outside_the_api_is_404(api: httpx.Client) -> None:
    root = str(api.base_url).split("/npcf-")[0]
    response = httpx.get(f"{root}/npcf-bdtpolicycontrol/v2/bdtpolicies")
    assert problem_of(response, 404)["cause"] == "RESOURCE_URI_STRUCTURE_NOT_FOUND"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("GET", "/bdtpolicies", "POST"),
        ("DELETE", "/bdtpolicies", "POST"),
        ("OPTIONS", "/bdtpolicies", "POST"),
        ("POST", "/bdtpolicies/x", "GET, HEAD, PATCH"),
        ("PUT", "/bdtpolicies/x", "GET, HEAD, PATCH"),
        ("DELETE", "/bdtpolicies/x", "GET, HEAD, PATCH"),
        ("OPTIONS", "/bdtpolicies/x", "GET, HEAD, PATCH"),
    ],
)
def test_wrong_methods_are_405_with_allow(api: httpx.Client, method: str, path: str, allow: str):
    body = problem_of(api.request(method, path), 405)
    assert body["cause"] == "METHOD_NOT_ALLOWED"
    assert api.request(method, path).headers["allow"] == allow


# 6. Feature negotiation


@pytest.mark.parametrize(
    ("asked", "answered"),
    [("1", "1"), ("7", "7"), ("FF", "7"), ("0", "0"), ("10", "0"), ("6", "6")],
)
def test_supp_feat_is_the_intersection(api: httpx.Client, asked: str, answered: str) -> None:
    _, created = create(api, request(suppFeat=asked, notifUri="http://nef.example/n"))
    assert created["bdtPolData"]["suppFeat"] == answered
    assert created["bdtReqData"]["suppFeat"] == asked


def test_no_supp_feat_means_none_and_none_echoed(api: httpx.Client) -> None:
    doc = request(warnNotifReq=True, notifUri="http://nef.example/n")
    policy_id, created = create(api, doc)
    assert "suppFeat" not in created["bdtPolData"]
    assert created["bdtReqData"] == doc  # the raw request, as sent
    ignored = patch(api, policy_id, {"bdtReqData": {"warnNotifReq": False}})
    assert ignored.status_code == 200
    # Without BdtNotification_5G the switch does not exist: ignored, the echo unchanged.
    assert ignored.json()["bdtReqData"]["warnNotifReq"] is True


def test_a_desired_window_that_has_begun_gets_windows_from_now(api: httpx.Client) -> None:
    now = datetime.now(UTC)
    begun = window(now - timedelta(hours=1), now + timedelta(hours=3))
    _, created = create(api, request(desTimeInt=begun, volPerUe={"downlinkVolume": 1000}))
    offers = created["bdtPolData"]["transfPolicies"]
    assert offers
    for offer in offers:
        start = datetime.fromisoformat(offer["recTimeInt"]["startTime"])
        assert now <= start + timedelta(seconds=1)  # rounded up to the whole second
        assert "." not in offer["recTimeInt"]["startTime"]


def test_notif_uri_is_not_checked_without_bdt_notification_5g(api: httpx.Client) -> None:
    # Without the feature notifUri is echoed but never used (TS 29.554 4.2.2.2), so a
    # URI the PCF could not reach does no harm and is not a reason to refuse the Create.
    doc = request(notifUri="ftp://x/y", warnNotifReq=True)
    _, created = create(api, doc)
    assert created["bdtReqData"] == doc


def test_h2c_body_without_content_length(api: httpx.Client) -> None:
    """HTTP/2 needs no Content-Length; connexion alone would take such a body as absent."""
    raw = json.dumps(request()).encode()

    def stream() -> Iterator[bytes]:
        yield raw[:10]
        yield raw[10:]

    with httpx.Client(base_url=api.base_url, http1=False, http2=True) as h2:
        response = h2.post(
            "/bdtpolicies", content=stream(), headers={"content-type": "application/json"}
        )
    assert response.http_version == "HTTP/2"
    assert "content-length" not in response.request.headers
    assert response.status_code == 201, response.text


# 7. HTTP/2 framing of answers the SBI guard gives before the application


@pytest.fixture(scope="module")
def h2(api: httpx.Client) -> Iterator[httpx.Client]:
    """h2c with prior knowledge to the module's server, as a 5G SBI peer speaks."""
    with httpx.Client(base_url=api.base_url, http1=False, http2=True, timeout=30) as client:
        yield client


def _stream(size: int) -> Iterator[bytes]:
    """A JSON body of ``size`` bytes sent without a Content-Length."""
    yield b'{"aspId": "'
    left = size - len(b'{"aspId": ""}')
    while left > 0:
        yield b"a" * min(left, 2**16)
        left -= 2**16
    yield b'"}'


@pytest.mark.parametrize("megabytes", [1.1, 2, 10])
@pytest.mark.parametrize("http2", [True, False], ids=["h2c", "http1.1"])
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "no-content-length"])
def test_multi_megabyte_bodies_are_413_on_both_protocols(
    api: httpx.Client, h2: httpx.Client, megabytes: float, http2: bool, declared: bool
) -> None:
    """An h2 stream must end with the answer, not a reset, even if the client still sends.

    Several MB, far above the module's 4 KiB limit (and the default 1 MiB one): a guard
    that answered at once left the rest of the body unread and h2 clients saw the stream
    reset (curl: exit 92; httpx: LocalProtocolError) instead of the 413.
    """
    size = int(megabytes * 2**20)
    client = h2 if http2 else api
    content: bytes | Iterator[bytes] = b"".join(_stream(size)) if declared else _stream(size)
    response = client.post(
        "/bdtpolicies", content=content, headers={"content-type": "application/json"}
    )
    assert response.http_version == ("HTTP/2" if http2 else "HTTP/1.1")
    assert ("content-length" in response.request.headers) == declared
    assert problem_of(response, 413)["cause"] == "PAYLOAD_TOO_LARGE"
    # The connection is still good for the next request.
    assert client.post("/bdtpolicies", json=request()).status_code == 201


def test_413_over_h2c_for_a_patch(h2: httpx.Client) -> None:
    policy_id, _ = create(h2, request())
    response = h2.patch(
        f"/bdtpolicies/{policy_id}",
        content=b"".join(_stream(3 * 2**20)),
        headers=MERGE_PATCH,
    )
    assert problem_of(response, 413)["cause"] == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize("http2", [True, False], ids=["h2c", "http1.1"])
def test_head_sends_the_headers_of_get_and_no_body(
    api: httpx.Client, h2: httpx.Client, http2: bool
) -> None:
    """RFC 9110 9.3.2; over h2 a body after HEAD broke the stream (PROTOCOL_ERROR)."""
    client = h2 if http2 else api
    policy_id, _ = create(api, request())
    got = client.get(f"/bdtpolicies/{policy_id}")
    head = client.head(f"/bdtpolicies/{policy_id}")
    assert head.http_version == ("HTTP/2" if http2 else "HTTP/1.1")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"] == "application/json"
    assert head.headers["content-length"] == got.headers["content-length"] == str(len(got.content))

    unknown = client.head("/bdtpolicies/nope")
    assert (unknown.status_code, unknown.content) == (404, b"")
    assert unknown.headers["content-type"] == PROBLEM
    not_a_resource = client.head("/nothing")
    assert (not_a_resource.status_code, not_a_resource.content) == (404, b"")
    not_allowed = client.head("/bdtpolicies")
    assert (not_allowed.status_code, not_allowed.content) == (405, b"")
    assert not_allowed.headers["allow"] == "POST"
    assert not_allowed.headers["content-type"] == PROBLEM
    # The connection is still usable after the bodiless answers.
    assert client.get(f"/bdtpolicies/{policy_id}").json() == got.json()


# 8. One merge-patch rule for both Update shapes (wire.update_from_document)


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param(lambda n: {"bdtReqData": {"warnNotifReq": None}}, id="PatchBdtPolicy"),
        pytest.param(lambda n: {"selTransPolicyId": n, "warnNotifReq": None}, id="bare"),
    ],
)
def test_null_warn_notif_req_removes_it_and_switches_warnings_off(
    api: httpx.Client, shape: Any
) -> None:
    """RFC 7396: null removes the member; BdtReqData's default for it is false."""
    policy_id, created = create(api, request(warnNotifReq=True, **NOTIFYING))
    assert created["bdtReqData"]["warnNotifReq"] is True
    chosen = created["bdtPolData"]["transfPolicies"][0]["transPolicyId"]
    response = patch(api, policy_id, shape(chosen))
    assert response.status_code == 200, response.text
    assert response.json()["bdtReqData"]["warnNotifReq"] is False
    assert api.get(f"/bdtpolicies/{policy_id}").json()["bdtReqData"]["warnNotifReq"] is False


@pytest.mark.parametrize(
    ("body", "cause", "where"),
    [
        # The cause follows the one classification rule (nf_common.validation): in the bare
        # BdtPolicyDataPatch the selection is mandatory, in PatchBdtPolicy it sits in the
        # optional bdtPolData.
        ({"selTransPolicyId": None}, "MANDATORY_IE_INCORRECT", "/selTransPolicyId"),
        (
            {"bdtPolData": {"selTransPolicyId": None}},
            "OPTIONAL_IE_INCORRECT",
            "/bdtPolData/selTransPolicyId",
        ),
        ({"selTransPolicyId": 1.0}, "MANDATORY_IE_INCORRECT", "/selTransPolicyId"),
        (
            {"bdtPolData": {"selTransPolicyId": 1.0}},
            "OPTIONAL_IE_INCORRECT",
            "/bdtPolData/selTransPolicyId",
        ),
        ({"bdtPolData": None}, "OPTIONAL_IE_INCORRECT", "/bdtPolData"),
        ({"bdtReqData": None}, "OPTIONAL_IE_INCORRECT", "/bdtReqData"),
    ],
)
def test_null_selection_and_fractional_integers_are_refused_in_both_shapes(
    api: httpx.Client, body: dict[str, Any], cause: str, where: str
) -> None:
    policy_id, _ = create(api, request(**NOTIFYING))
    refused = problem_of(patch(api, policy_id, body), 400)
    assert (refused["cause"], params(refused)) == (cause, [where])
    if "null" in json.dumps(body):
        assert "cannot be removed" in refused["invalidParams"][0]["reason"]
    assert "selTransPolicyId" not in api.get(f"/bdtpolicies/{policy_id}").json()["bdtPolData"]


# 9. Cause and reason agree; unknown members are listed


def test_member_missing_from_an_optional_ie_makes_that_ie_incorrect(api: httpx.Client) -> None:
    """TS 29.500 5.2.7.2: the optional IE bdtPolData is incomplete, nothing mandatory is."""
    policy_id, _ = create(api, request(**NOTIFYING))
    body = problem_of(patch(api, policy_id, {"bdtPolData": {"transfPolicies": []}}), 400)
    assert body["cause"] == "OPTIONAL_IE_INCORRECT"
    [entry] = body["invalidParams"]
    assert entry["param"] == "/bdtPolData/selTransPolicyId"
    assert entry["reason"].startswith("optional IE /bdtPolData is incomplete")
    assert "mandatory" not in entry["reason"]


def test_nwdaf_report_missing_network_area_names_the_incomplete_item(api: httpx.Client) -> None:
    root = str(api.base_url).split("/npcf-")[0]
    report = [
        {
            "subscriptionId": "sub-1",
            "eventNotifications": [
                {
                    "event": "NETWORK_PERFORMANCE",
                    "nwPerfs": [{"nwPerfType": "GNB_ACTIVE_RATIO", "relativeRatio": 50}],
                }
            ],
        }
    ]
    response = httpx.post(f"{root}/pcf-bdt-callbacks/v1/nwdaf-notifications", json=report)
    body = problem_of(response, 400)
    [entry] = body["invalidParams"]
    assert entry["param"] == "/0/eventNotifications/0/nwPerfs/0/networkArea"
    # nwPerfs is optional in EventNotification: its item is the incomplete optional IE.
    assert body["cause"] == "OPTIONAL_IE_INCORRECT"
    assert entry["reason"].startswith("optional IE /0/eventNotifications/0/nwPerfs/0 is incomplete")
    assert "mandatory" not in entry["reason"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/areas/town/capacity", {"downlink": "1 Gbps", "uplink": "1 Gbps"}),
        (
            "POST",
            "/degradations",
            {
                "areaId": "town",
                "factor": 0.5,
                "timeWindow": window(DAY + timedelta(hours=1), DAY + timedelta(hours=5)),
            },
        ),
    ],
)
def test_admin_api_lists_each_unknown_member(
    server: tuple[str, PcfProcess], method: str, path: str, body: dict[str, Any]
) -> None:
    root = server[1].admin_root
    sent = {**body, "extra": 1, "a/b": {"x": 1}}
    response = httpx.request(method, f"{root}/pcf-bdt-admin/v1{path}", json=sent)
    problem = problem_of(response, 400)
    assert problem["cause"] == "INVALID_MSG_FORMAT"
    assert params(problem) == ["/a~1b", "/extra"]
    assert all("unknown attribute" in entry["reason"] for entry in problem["invalidParams"])
    # With a known member missing too, that one decides the cause; all are listed.
    del sent[next(iter(body))]
    problem = problem_of(httpx.request(method, f"{root}/pcf-bdt-admin/v1{path}", json=sent), 400)
    assert problem["cause"] == "MANDATORY_IE_MISSING"
    assert set(params(problem)) == {f"/{next(iter(body))}", "/a~1b", "/extra"}


def test_uri_length_limit_of_the_http1_server(api: httpx.Client) -> None:
    """README "Limits": the application answers URIs up to 64 KiB; longer ones get 414.

    granian's HTTP/1.1 parser (hyper) refuses request targets of 65,535 bytes and more
    with a bare 414 before the application sees them; no granian setting changes that
    (``max_buffer_size`` is far larger). Below it the PCF answers with ProblemDetails.
    """
    path = str(api.base_url.path) + "/bdtpolicies/"
    near = api.get(f"/bdtpolicies/{'a' * (65_000 - len(path))}")
    assert problem_of(near, 404)["cause"] == "BDT_POLICY_NOT_FOUND"
    host, port = api.base_url.host, api.base_url.port
    target = path + "a" * 100_000
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        status_line = sock.makefile("rb").readline()
    assert status_line.split()[1] == b"414"


def test_rfc_3339_allows_a_lowercase_t_and_z(api: httpx.Client) -> None:
    """RFC 3339 5.6: "T" and "Z" may be lowercase; the document is echoed as sent."""
    lower = {k: v.replace("T", "t").replace("Z", "z") for k, v in request()["desTimeInt"].items()}
    policy_id, created = create(api, request(desTimeInt=lower))
    assert created["bdtReqData"]["desTimeInt"] == lower
    assert api.get(f"/bdtpolicies/{policy_id}").json()["bdtReqData"]["desTimeInt"] == lower
    # The same instants in upper case are the same request (303 to the same policy).
    again = api.post("/bdtpolicies", json={**created["bdtReqData"], "desTimeInt": window(
        DAY + timedelta(hours=1), DAY + timedelta(hours=5))})  # fmt: skip
    assert again.status_code == 303
    assert again.headers["location"].endswith(policy_id)


@pytest.mark.parametrize(
    ("accept", "status"),
    [
        ("application/xml", 406),
        ("text/html, application/problem+json", 406),
        ("application/json;q=0, */*", 406),
        ("*/*;q=0", 406),
        ("application/json", 200),
        ("application/*", 200),
        ("text/html, */*;q=0.1", 200),
        ("application/json; charset=utf-8", 200),
    ],
)
def test_an_accept_header_that_excludes_json_is_406(
    api: httpx.Client, accept: str, status: int
) -> None:
    policy_id, _ = create(api, request())
    response = api.get(f"/bdtpolicies/{policy_id}", headers={"accept": accept})
    if status == 406:
        assert problem_of(response, 406)["cause"] == "NOT_ACCEPTABLE"
    else:
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"


def test_406_applies_to_every_operation_that_answers_json(api: httpx.Client) -> None:
    refused = api.post("/bdtpolicies", json=request(), headers={"accept": "text/plain"})
    assert problem_of(refused, 406)["cause"] == "NOT_ACCEPTABLE"
    policy_id, _ = create(api, request())
    selection = {"bdtPolData": {"selTransPolicyId": 1}}
    text_only = {**MERGE_PATCH, "accept": "text/plain"}
    body = json.dumps(selection)
    assert (
        api.patch(f"/bdtpolicies/{policy_id}", content=body, headers=text_only).status_code == 406
    )
    # The NWDAF callback answers 204 without a body: nothing to refuse.
    root = str(api.base_url).rsplit("/npcf-bdtpolicycontrol", 1)[0]
    nwdaf = httpx.post(
        f"{root}/pcf-bdt-callbacks/v1/nwdaf-notifications",
        json=[{"subscriptionId": "s", "eventNotifications": [{"event": "NF_LOAD"}]}],
        headers={"accept": "text/plain"},
    )
    assert nwdaf.status_code == 204, nwdaf.text
