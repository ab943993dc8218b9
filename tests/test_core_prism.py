"""What the PCF sends to an NRF and an NWDAF, checked by mocks made from the official files.

The PCF runs with ``--nrf`` and ``--nwdaf`` (and ``--nwdaf-oauth2``) pointed at Prism
mocks of the official Rel-18 TS29510_Nnrf_NFManagement.yaml (with
TS29510_Nnrf_NFDiscovery.yaml and TS29510_Nnrf_AccessToken.yaml) and
TS29520_Nnwdaf_EventsSubscription.yaml (tests/prism.py): registration, heartbeats and
deregistration, the access token request for the NWDAF, and the subscription's create,
update and delete, each must pass the official schema (Prism logs every request's
validation, and answers a request that fails it with a 4xx instead of a success).
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from tests.bdt_config import write_config
from tests.conftest import official_release
from tests.dates import future_day, window
from tests.polling import wait_for as _wait_for
from tests.prism import Checked, prism_mock
from tests.server_process import running_pcf

pytestmark = pytest.mark.slow

FILES = {
    "nrf": [
        "TS29510_Nnrf_NFManagement.yaml",
        "TS29510_Nnrf_NFDiscovery.yaml",
        "TS29510_Nnrf_AccessToken.yaml",
    ],
    "nwdaf": ["TS29520_Nnwdaf_EventsSubscription.yaml"],
}
NIGHT = future_day(days_ahead=2)
NFM = "/nnrf-nfm/v1/nf-instances/"
TOKEN = "/oauth2/token"
SUBSCRIPTIONS = "/nnwdaf-eventssubscription/v1/subscriptions"


def _policy(day: int) -> dict:
    start = NIGHT + timedelta(days=day)
    return {
        "aspId": f"asp-{day}",
        "desTimeInt": window(start, start + timedelta(hours=4)),
        "numOfUes": 1,
        "volPerUe": {"downlinkVolume": 10**9},
        "notifUri": "http://127.0.0.1:9/nef-warnings",
        "warnNotifReq": True,
        "suppFeat": "1",
    }


def wait_for(predicate, timeout: float = 120.0) -> None:
    """Prism's first answers are slow (it compiles the schemas), and the PCF's first
    h2c attempt at it waits for a timeout before HTTP/1.1."""
    _wait_for(predicate, timeout)


def _seen(requests: list[Checked], method: str, prefix: str) -> list[Checked]:
    return [r for r in requests if r.method == method and r.path.startswith(prefix)]


def test_registration_and_subscriptions_pass_the_official_schemas(tmp_path) -> None:
    official = official_release("Rel-18")
    files = {role: [official / name for name in names] for role, names in FILES.items()}
    for path in (p for paths in files.values() for p in paths):
        if not path.is_file():
            pytest.skip(f"official file {path.name} not found in {official}")
    config = write_config(
        tmp_path / "c.yaml", candidates=1, nwdaf_check_seconds=0.2, nwdaf_refresh_seconds=1
    )
    with (
        prism_mock(files["nrf"], tmp_path, "nrf") as nrf,
        prism_mock(files["nwdaf"], tmp_path, "nwdaf") as nwdaf,
    ):
        args = ["--nrf", nrf.url, "--nrf-heartbeat", "1", "--nwdaf", nwdaf.url, "--nwdaf-oauth2"]
        args += ["--config", str(config)]
        with (
            running_pcf(tmp_path / "pcf.db", extra_args=args) as (url, _),
            httpx.Client(http1=False, http2=True, timeout=30) as http,
        ):
            wait_for(lambda: len(_seen(nrf.requests(), "PATCH", NFM)) >= 2)  # heartbeats

            first = http.post(f"{url}/bdtpolicies", json=_policy(0))
            assert first.status_code == 201, first.text
            wait_for(lambda: _seen(nwdaf.requests(), "POST", SUBSCRIPTIONS))
            wait_for(lambda: _seen(nwdaf.requests(), "PUT", SUBSCRIPTIONS + "/"))  # refreshed
            second = http.post(f"{url}/bdtpolicies", json=_policy(1))
            assert second.status_code == 201, second.text
            puts = len(_seen(nwdaf.requests(), "PUT", SUBSCRIPTIONS + "/"))
            wait_for(lambda: len(_seen(nwdaf.requests(), "PUT", SUBSCRIPTIONS + "/")) > puts)
            for created in (first, second):
                declined = http.patch(
                    created.headers["location"],
                    json={"bdtPolData": {"selTransPolicyId": 0}},
                    headers={"content-type": "application/merge-patch+json"},
                )
                assert declined.status_code == 204, declined.text
            wait_for(lambda: _seen(nwdaf.requests(), "DELETE", SUBSCRIPTIONS + "/"))
        # A clean stop deregisters.
        wait_for(lambda: _seen(nrf.requests(), "DELETE", NFM), timeout=10)

        for mock, expected in (
            (nrf, [("PUT", NFM), ("PATCH", NFM), ("DELETE", NFM), ("POST", TOKEN)]),
            (nwdaf, [("POST", SUBSCRIPTIONS), ("PUT", SUBSCRIPTIONS), ("DELETE", SUBSCRIPTIONS)]),
        ):
            requests = mock.requests()
            for method, prefix in expected:
                assert _seen(requests, method, prefix), (method, prefix, requests)
            assert all(r.passed for r in requests), mock.violations()
            assert mock.violations() == []
