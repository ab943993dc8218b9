"""The generated client against the real PCF process, over cleartext HTTP/2."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from npcf_bdt_client import Client
from npcf_bdt_client.api.bdt_policies_collection import create_bdt_policy
from npcf_bdt_client.api.individual_bdt_policy_document import get_bdt_policy, update_bdt_policy
from npcf_bdt_client.models import (
    BdtPolicy,
    BdtPolicyDataPatch,
    BdtReqData,
    PatchBdtPolicy,
    TimeWindow,
    UsageThreshold,
)

from tests.server_process import running_pcf


@pytest.fixture
def pcf_url(tmp_path: Path) -> Iterator[str]:
    with running_pcf(tmp_path / "pcf.db") as (url, _):
        yield url


def test_create_read_select_over_h2c(pcf_url: str) -> None:
    versions: list[str] = []

    def record(response: httpx.Response) -> None:
        versions.append(response.http_version)

    client = Client(
        base_url=pcf_url,
        raise_on_unexpected_status=True,
        httpx_args={"http1": False, "http2": True, "event_hooks": {"response": [record]}},
    )
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    request = BdtReqData(
        asp_id="asp-e2e",
        des_time_int=TimeWindow(start_time=start, stop_time=start + timedelta(hours=4)),
        num_of_ues=100,
        vol_per_ue=UsageThreshold(downlink_volume=10_000_000),
    )
    with client:
        created = create_bdt_policy.sync_detailed(client=client, body=request)
        assert created.status_code == 201
        policy = created.parsed
        assert isinstance(policy, BdtPolicy)
        location = created.headers["location"]
        assert location.startswith(pcf_url + "/bdtpolicies/")
        policy_id = location.rsplit("/", 1)[1]
        offered = [tp.trans_policy_id for tp in policy.bdt_pol_data.transf_policies]
        assert len(offered) > 1 and 0 not in offered
        assert policy.bdt_req_data.to_dict() == request.to_dict()

        read = get_bdt_policy.sync(policy_id, client=client)
        assert isinstance(read, BdtPolicy)
        assert read.bdt_pol_data.bdt_ref_id == policy.bdt_pol_data.bdt_ref_id

        choice = offered[-1]
        patch = PatchBdtPolicy(bdt_pol_data=BdtPolicyDataPatch(sel_trans_policy_id=choice))
        updated = update_bdt_policy.sync(policy_id, client=client, body=patch)
        assert isinstance(updated, BdtPolicy)
        assert updated.bdt_pol_data.sel_trans_policy_id == choice

        again = get_bdt_policy.sync(policy_id, client=client)
        assert isinstance(again, BdtPolicy)
        assert again.bdt_pol_data.sel_trans_policy_id == choice
    assert versions == ["HTTP/2"] * 4


def test_http1_is_served_on_the_same_port(pcf_url: str) -> None:
    response = httpx.get(f"{pcf_url}/bdtpolicies/unknown")
    assert response.http_version == "HTTP/1.1"
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["cause"] == "BDT_POLICY_NOT_FOUND"
