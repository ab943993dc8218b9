"""How an AF tests its BDT negotiation against a real NEF, with the generated 3gpp-bdt client.

``nef_gateway`` (a real ``nef-bdt gateway`` process in front of the stub PCF, fresh
stores per test) and ``pcf_stub`` come from the pytest plugin installed with npcf-bdt:
no conftest. The AF talks 3gpp-bdt only (``nnef_bdt_client``); the test steers the
network behind the NEF through ``pcf_stub``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from nnef_bdt_client import Client
from nnef_bdt_client.api.bdt_subscriptions_collection import create_bdt_subscription
from nnef_bdt_client.api.individual_bdt_subscription_document import (
    delete_bdt_subscription,
    fetch_ind_bdt_subscription,
    modify_bdt_subscription,
)
from nnef_bdt_client.models import Bdt, BdtPatch, ProblemDetails, TimeWindow, UsageThreshold
from nnef_bdt_client.types import Unset

from nef_client.testing import NefGateway, PcfStub

# 01:00 UTC tomorrow: a quiet night in the shipped configuration (UTC), whatever the time
# of day the tests run at; "now + 1 day" would book busy hours on some runs and not others.
TOMORROW = datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0) + timedelta(days=1)


class Af:
    """The code under test: an AF that books the cheapest window the NEF offers."""

    def __init__(self, nef_url: str, scs_as_id: str) -> None:
        self.nef = Client(base_url=nef_url)
        self.scs_as_id = scs_as_id

    def book(self, volume: int, ues: int) -> Bdt | ProblemDetails:
        created = create_bdt_subscription.sync_detailed(
            self.scs_as_id,
            client=self.nef,
            body=Bdt(
                volume_per_ue=UsageThreshold(downlink_volume=volume),
                number_of_u_es=ues,
                desired_time_window=TimeWindow(
                    start_time=TOMORROW, stop_time=TOMORROW + timedelta(hours=8)
                ),
            ),
        )
        if not isinstance(created.parsed, Bdt):
            assert isinstance(created.parsed, ProblemDetails)
            return created.parsed
        subscription_id = created.headers["location"].rsplit("/", 1)[1]
        offered = created.parsed.transfer_policies
        assert not isinstance(offered, Unset)  # a 201 always offers at least one
        cheapest = min(offered, key=lambda p: p.rating_group)
        chosen = modify_bdt_subscription.sync(
            self.scs_as_id,
            subscription_id,
            client=self.nef,
            body=BdtPatch(selected_policy=cheapest.bdt_policy_id),
        )
        assert chosen is not None
        return chosen


def test_the_af_books_the_cheapest_window(nef_gateway: NefGateway) -> None:
    booked = Af(nef_gateway.url, "my-af").book(volume=100_000_000, ues=50)
    assert isinstance(booked, Bdt)
    assert not isinstance(booked.transfer_policies, Unset)
    assert isinstance(booked.self_, str) and isinstance(booked.selected_policy, int)
    offered = {p.bdt_policy_id: p.rating_group for p in booked.transfer_policies}
    assert offered[booked.selected_policy] == min(offered.values())
    subscription_id = booked.self_.rsplit("/", 1)[1]
    again = fetch_ind_bdt_subscription.sync(
        "my-af", subscription_id, client=Client(base_url=nef_gateway.url)
    )
    assert isinstance(again, Bdt) and again.selected_policy == booked.selected_policy
    gone = delete_bdt_subscription.sync_detailed(
        "my-af", subscription_id, client=Client(base_url=nef_gateway.url)
    )
    assert gone.status_code == 204


def test_the_af_sees_the_networks_refusal(nef_gateway: NefGateway, pcf_stub: PcfStub) -> None:
    pcf_stub.fail_next(1, status=403, cause="BDT_CAPACITY_UNAVAILABLE")
    refused = Af(nef_gateway.url, "my-af").book(volume=100_000_000, ues=50)
    assert isinstance(refused, ProblemDetails)
    assert (refused.status, refused.cause) == (403, "BDT_CAPACITY_UNAVAILABLE")
