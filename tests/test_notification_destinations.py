# ruff: noqa: F811  (the store and clock fixtures of tests.test_delivery are shared)
"""notifUri is no SSRF: the operator's allow-list, at Create and at every connection.

Each attack here once worked on loopback: any host and port was POSTed to (loopback,
link-local), and a 307 was followed to another authority with method and body, which in
``--stub`` mode reached the PCF's own ``/reset`` and wiped its store.
"""

from __future__ import annotations

import asyncio
import re
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from nef_client._serving import background
from nef_gateway.composition import destinations
from nef_gateway.domain import ConfiguredGroups, RequestError, patch_change, transfer_request
from nef_gateway.settings import Settings
from nf_common.delivery import NotificationSender
from nf_common.destinations import LABS, Destinations, entry_problem
from pcf_server.config import ConfigError, network_from_document
from pcf_server.settings import ADMIN_BASE_PATH as ADMIN
from tests.asgi import read_body
from tests.bdt_config import config, write_config
from tests.conftest import REPO
from tests.polling import wait_for
from tests.problems import params, problem_of
from tests.server_process import free_port, running_pcf
from tests.test_delivery import POLICY, Nef, add, clock, deliver, rows, store  # noqa: F401
from tests.test_delivery_abuse import events, hostile_nefs
from tests.test_network_e2e import night, night_request

# -- the rule ---------------------------------------------------------------------------

REFUSED = [
    "http://127.0.0.1:8090/bdt",
    "http://127.8.9.10/bdt",
    "http://[::1]:8090/bdt",
    "http://[::ffff:127.0.0.1]/bdt",  # loopback written as IPv6
    "http://localhost:8090/bdt",  # a name is resolved
    "http://169.254.169.254/latest/meta-data/",  # AWS, GCP, Azure metadata
    "http://[fd00:ec2::254]/latest/meta-data/",  # AWS metadata over IPv6
    "http://100.100.100.200/latest/meta-data/",  # Alibaba
    "http://169.254.10.20/bdt",  # link-local
    "http://[fe80::1]/bdt",
    "http://0.0.0.0:8090/bdt",  # unspecified: this host
    "http://[::]:8090/bdt",
    "http://224.0.0.1/bdt",
]


@pytest.mark.parametrize("uri", REFUSED)
def test_the_default_refuses_this_host_link_local_and_metadata(uri: str) -> None:
    reason = Destinations().refusal(uri, "notifUri")
    assert reason is not None and reason.startswith("notifUri: "), reason


@pytest.mark.parametrize(
    "uri", ["http://10.1.2.3:8090/bdt", "https://192.0.2.7/bdt", "http://[2001:db8::7]/bdt"]
)
def test_the_default_allows_the_addresses_of_a_network(uri: str) -> None:
    assert Destinations().refusal(uri, "notifUri") is None


def test_an_operator_opens_loopback_for_labs_but_never_its_own_listeners() -> None:
    lab = Destinations(allow=("127.0.0.0/8", "::1")).with_own_ports(8080, 8081)
    assert lab.refusal("http://127.0.0.1:8090/bdt", "notifUri") is None
    assert lab.refusal("http://localhost:8090/bdt", "notifUri") is None
    for own in ("http://127.0.0.1:8081/pcf-bdt-admin/v1/reset", "http://[::1]:8080/"):
        reason = lab.refusal(own, "notifUri")
        assert reason is not None and "listener of this server" in reason
    assert lab.refusal("http://169.254.169.254/", "notifUri") is not None  # still refused


def test_refuse_entries_win_and_only_allowed_closes_the_rest() -> None:
    rules = Destinations(allow=("10.0.0.0/8", "*.nef.core"), refuse=("10.9.0.0/16", "bad.nef.core"))
    assert rules.refusal("http://10.1.0.1/", "n") is None
    assert rules.refusal("http://10.9.0.1/", "n") == "n: 10.9.0.1 is refused by the operator"
    assert (
        rules.refusal("http://bad.nef.core/", "n") == "n: bad.nef.core is refused by the operator"
    )
    strict = Destinations(allow=("10.0.0.0/8",), only_allowed=True)
    assert strict.refusal("http://10.1.0.1/", "n") is None
    assert strict.refusal("http://192.0.2.1/", "n") == "n: 192.0.2.1 is not in the allow-list"


def test_the_operator_configuration_holds_the_allow_list() -> None:
    network = network_from_document(
        config(notification_destinations={"allow": ["127.0.0.0/8", "nef.lab"], "refuse": []})
    )
    assert network.notification_destinations == Destinations(allow=("127.0.0.0/8", "nef.lab"))
    assert network_from_document(config()).notification_destinations is not None  # tests' lab
    without = config()
    del without["notification_destinations"]
    assert network_from_document(without).notification_destinations is None
    with pytest.raises(ConfigError, match=r"notification_destinations.allow\[1\]: 'a b'"):
        network_from_document(config(notification_destinations={"allow": ["::1", "a b"]}))
    with pytest.raises(ValueError, match="neither"):
        entry_problem("http://x/")


# -- at delivery ------------------------------------------------------------------------


class HostRecorder:
    """A NEF that records the Host header and path of each request."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        await read_body(receive)
        headers = dict(scope["headers"])
        self.seen.append((headers.get(b"host", b"").decode(), scope["path"]))
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
def recorder() -> Iterator[tuple[HostRecorder, str]]:
    app = HostRecorder()
    with background(app) as url:
        yield app, url


def _sender(store: Any, clock: Any, destinations: Destinations) -> NotificationSender:
    return NotificationSender(store.unit_of_work, POLICY, clock=clock, destinations=destinations)


def test_a_loopback_destination_is_refused_at_delivery(recorder, store, clock) -> None:
    app, url = recorder  # as if the URI had been checked under another configuration
    add(store, f"{url}/bdt")
    add(store, url.replace("127.0.0.1", "localhost") + "/bdt")  # resolved at delivery
    assert deliver(_sender(store, clock, Destinations())) == [2]
    assert app.seen == []
    assert [(state, error) for _, state, _, _, error in rows(store)] == [
        ("dead", "DestinationRefused: 127.0.0.1 is a loopback address, not in the allow-list"),
        ("dead", "DestinationRefused: localhost (127.0.0.1) is a loopback address, not in the"
                 " allow-list"),
    ]  # fmt: skip


def _resolving(monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> list[str]:
    """The event loop's DNS answers ``nef.example`` with the next of ``answers``."""
    asked: list[str] = []
    real = asyncio.BaseEventLoop.getaddrinfo

    async def getaddrinfo(self: Any, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "nef.example":
            return await real(self, host, port, *args, **kwargs)
        asked.append(host)
        address = answers[min(len(asked), len(answers)) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", getaddrinfo)
    return asked


def test_the_connection_goes_to_the_checked_address_named_as_the_uri_says(
    recorder, store, clock, monkeypatch
) -> None:
    app, url = recorder
    port = url.rsplit(":", 1)[1]
    asked = _resolving(monkeypatch, ["127.0.0.1"])
    add(store, f"http://nef.example:{port}/bdt")
    assert deliver(_sender(store, clock, LABS)) == [1]
    assert app.seen == [(f"nef.example:{port}", "/bdt")]  # the Host header is the URI's
    assert asked == ["nef.example"]  # resolved by the sender, once, and connected to
    assert rows(store) == []


def test_a_name_that_rebinds_to_a_refused_address_is_not_reached(
    recorder, store, clock, monkeypatch
) -> None:
    app, url = recorder
    port = url.rsplit(":", 1)[1]
    # Checked while it says 127.0.0.2 (allowed), it says 127.0.0.1 (refused) next time:
    # a sender that checked one answer and connected by name would reach the recorder.
    asked = _resolving(monkeypatch, ["127.0.0.2", "127.0.0.1"])
    only_two = Destinations(allow=("127.0.0.2/32",))
    assert only_two.refusal(f"http://nef.example:{port}/bdt", "notifUri") is None  # at Create
    add(store, f"http://nef.example:{port}/bdt")
    assert deliver(_sender(store, clock, only_two)) == [1]
    assert app.seen == []
    ((_, state, _, _, error),) = rows(store)
    assert state == "pending" and error is not None and "ConnectError" in error  # 127.0.0.2
    clock.now += 10
    assert deliver(_sender(store, clock, only_two)) == [1]
    assert app.seen == []
    ((_, state, _, _, error),) = rows(store)
    assert (state, error) == (
        "dead",
        "DestinationRefused: nef.example (127.0.0.1) is a loopback address, not in the allow-list",
    )
    assert asked == ["nef.example"] * 2


def test_a_redirect_to_a_refused_authority_is_not_followed(recorder, store, clock) -> None:
    target, target_url = recorder  # stands for the PCF's own operator listener
    own_port = int(target_url.rsplit(":", 1)[1])
    nef = Nef()
    nef.answers["/moved"] = (307, [(b"location", f"{target_url}/reset".encode())])
    nef.answers["/away"] = (308, [(b"location", b"http://169.254.169.254/latest/meta-data/")])
    with background(nef) as nef_url:
        add(store, f"{nef_url}/moved")
        add(store, f"{nef_url}/away")
        sender = _sender(store, clock, LABS.with_own_ports(own_port))
        assert deliver(sender) == [2]
    assert sorted(path for path, _, _ in nef.received) == ["/away", "/moved"]
    assert target.seen == []
    errors = sorted(str(error) for *_, error in rows(store))
    assert errors == [
        f"DestinationRefused: the redirect target: 127.0.0.1 port {own_port} is a listener"
        " of this server",
        "DestinationRefused: the redirect target: 169.254.169.254 is a cloud metadata "
        "address, not in the allow-list",
    ]


# -- at Create, on a real PCF -------------------------------------------------------------


def test_create_refuses_a_notif_uri_the_allow_list_refuses(tmp_path: Path) -> None:
    with running_pcf(tmp_path / "pcf.db") as (url, _):  # the shipped configuration
        nef = f"http://127.0.0.1:{free_port()}/bdt"
        for uri in (nef, "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/"):
            answer = httpx.post(f"{url}/bdtpolicies", json=night_request(
                "asp", 10, notifUri=uri, warnNotifReq=True, suppFeat="1"))  # fmt: skip
            problem = problem_of(answer, 400)
            assert problem["cause"] == "MANDATORY_IE_INCORRECT"
            assert params(problem) == ["/notifUri"]
        # Without BdtNotification_5G, notifUri is never POSTed to: echoed as sent.
        echoed = httpx.post(f"{url}/bdtpolicies", json=night_request("asp", 10, notifUri=nef))
        assert echoed.status_code == 201


def test_a_lab_pcf_takes_loopback_but_not_its_own_listeners(tmp_path: Path) -> None:
    config_file = write_config(tmp_path / "c.yaml")  # the tests' lab: loopback allowed
    with running_pcf(tmp_path / "pcf.db", extra_args=["--config", str(config_file)]) as (
        url,
        pcf,
    ):
        port = url.split(":")[2].split("/")[0]
        for uri in (f"{pcf.admin_root}{ADMIN}/degradations", f"http://127.0.0.1:{port}/x"):
            answer = httpx.post(f"{url}/bdtpolicies", json=night_request(
                "asp", 10, notifUri=uri, warnNotifReq=True, suppFeat="1"))  # fmt: skip
            problem = problem_of(answer, 400)
            assert params(problem) == ["/notifUri"]
            assert "listener of this server" in problem["invalidParams"][0]["reason"]
        fine = night_request("asp", 10, notifUri=f"http://127.0.0.1:{free_port()}/bdt",
                             warnNotifReq=True, suppFeat="1")  # fmt: skip
        assert httpx.post(f"{url}/bdtpolicies", json=fine).status_code == 201


def test_a_redirect_cannot_reach_the_stub_reset(tmp_path: Path) -> None:
    """The attack: a NEF answers 307 to the stub's own /reset, which wiped its store."""
    db = tmp_path / "pcf.db"
    admin_port = free_port()
    reset = f"http://127.0.0.1:{admin_port}{ADMIN}/reset"
    log = tmp_path / "nef.jsonl"
    with (
        hostile_nefs(log, f"redirect={reset}") as nefs,
        running_pcf(db, extra_args=["--stub"], admin_port=admin_port) as (url, pcf),
    ):
        (nef,) = nefs.values()
        created = httpx.post(f"{url}/bdtpolicies", json=night_request(
            "asp", 300, notifUri=f"{nef}/bdt", warnNotifReq=True, suppFeat="1"))  # fmt: skip
        assert created.status_code == 201, created.text  # the stub allows loopback
        location = created.headers["location"]
        patch = {"content-type": "application/merge-patch+json"}
        selected = httpx.patch(location, json={"bdtPolData": {"selTransPolicyId": 1}},
                               headers=patch)  # fmt: skip
        assert selected.status_code == 200
        outcome = httpx.post(f"{pcf.admin_root}{ADMIN}/degradations", json={
            "areaId": "metro", "timeWindow": night(), "factor": 0.01}).json()  # fmt: skip
        assert outcome["notified"], outcome

        def dead() -> list[Any]:
            with closing(sqlite3.connect(db)) as connection:
                return connection.execute(
                    "SELECT last_error FROM outbox WHERE state = 'dead'"
                ).fetchall()

        wait_for(lambda: any(e.get("event") == "request" for e in events(log)), timeout=20)
        wait_for(lambda: dead() or httpx.get(location).status_code == 404, timeout=20)
        assert httpx.get(location).status_code == 200  # the store was not wiped
        ((error,),) = dead()
        assert "redirect target" in error and "listener of this server" in error


# -- the NEF gateway's notificationDestination --------------------------------------------


def test_the_gateway_checks_notification_destination_with_the_same_rule() -> None:
    refusal = Destinations().refusal
    body = {
        "numberOfUEs": 1,
        "volumePerUE": {"value": 1.0, "unit": "MB"},
        "desiredTimeWindow": night(),
        "notificationDestination": "http://169.254.169.254/latest/meta-data/",
        "warnNotifEnabled": True,
    }
    with pytest.raises(RequestError) as refused:
        transfer_request("af", body, ConfiguredGroups({}), refusal)
    assert [(e.pointer, e.reason) for e in refused.value.all] == [
        (
            "/notificationDestination",
            "notificationDestination: 169.254.169.254 is a cloud metadata address, not in"
            " the allow-list",
        )
    ]
    with pytest.raises(RequestError):
        patch_change(
            {"selectedPolicy": 1, "notificationDestination": "http://localhost/x"}, refusal
        )
    assert patch_change(
        {"selectedPolicy": 1, "notificationDestination": "http://10.0.0.9/x"}, refusal
    )


def test_the_readme_example_of_the_allow_list_is_a_valid_configuration() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (block,) = [
        b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "notification_dest" in b
    ]
    section = yaml.safe_load(block)["notification_destinations"]
    network = network_from_document(config(notification_destinations=section))
    assert network.notification_destinations == Destinations(allow=("127.0.0.0/8", "::1"))


def test_the_gateway_refuses_loopback_and_itself_unless_told() -> None:
    default = destinations(Settings(listen_port=8085))
    assert default.refusal("http://127.0.0.1:9000/af", "d") is not None
    lab = destinations(
        Settings(
            listen_port=8085,
            callback_root="http://127.0.0.1:8086",
            allowed_destinations=("127.0.0.0/8",),
        )
    )
    assert lab.refusal("http://127.0.0.1:9000/af", "d") is None
    for own in ("http://127.0.0.1:8085/3gpp-bdt/v1", "http://127.0.0.1:8086/nef-bdt-callbacks"):
        assert "listener of this server" in str(lab.refusal(own, "d"))
