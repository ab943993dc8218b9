"""How a NEF tests its BDT negotiation against a real PCF, with nef_client's public API.

``pcf_stub`` (a real ``pcf-bdt serve --stub`` process, fresh store per test) and
``nef_notifications`` come from the pytest plugin installed with npcf-bdt: no conftest.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import nef_client
from nef_client.testing import NotificationSink, PcfStub

# 01:00 UTC tomorrow: a quiet night in the shipped configuration (UTC), whatever the time
# of day the tests run at; "now + 1 day" would book busy hours on some runs and not others.
TOMORROW = datetime.now(UTC).replace(hour=1, minute=0, second=0, microsecond=0) + timedelta(days=1)


class Nef:
    """The code under test: a NEF that books the cheapest window for an AF."""

    def __init__(self, pcf_url: str, notify_url: str | None = None) -> None:
        self.client = nef_client.Client(pcf_url, retry=nef_client.RetryPolicy(backoff=0.01))
        self.notify_url = notify_url

    def book(self, asp: str, volume: int, ues: int) -> nef_client.PolicyResult:
        offer = self.client.create(
            asp,
            volume_per_ue=volume,
            number_of_ues=ues,
            desired_window=(TOMORROW, TOMORROW + timedelta(hours=8)),
            notification_uri=self.notify_url,
            warnings=self.notify_url is not None,
        )
        if offer.selected_id is not None:  # one offer only: already final
            return offer
        cheapest = min(offer.candidates, key=lambda c: c.rating_group)
        chosen = self.client.select(offer.policy_id, cheapest.trans_policy_id)
        if isinstance(chosen, nef_client.PolicyRemoved):  # only a selection of 0 removes
            raise RuntimeError(f"the PCF removed {offer.policy_id}")
        return chosen


def test_nef_books_a_window(pcf_stub: PcfStub) -> None:
    nef = Nef(pcf_stub.url)
    booked = nef.book("video-asp", volume=500_000_000, ues=1000)
    assert booked.selected is not None
    assert booked.selected.rec_time_int.start_time >= TOMORROW
    methods = [request.method for request in pcf_stub.requests()]
    assert methods[0] == "POST"


def test_nef_survives_pcf_congestion(pcf_stub: PcfStub) -> None:
    pcf_stub.fail_next(2, status=503, cause="NF_CONGESTION")
    booked = Nef(pcf_stub.url).book("video-asp", volume=1_000_000, ues=10)
    assert booked.selected is not None
    assert [r.status for r in pcf_stub.requests()][:3] == [503, 503, 201]


def test_nef_reports_a_rejected_request(pcf_stub: PcfStub) -> None:
    pcf_stub.fail_next(1, status=403, cause="UNAUTHORIZED_ASP")
    with pytest.raises(nef_client.Forbidden) as refused:
        Nef(pcf_stub.url).book("unknown-asp", volume=1, ues=1)
    assert refused.value.cause == "UNAUTHORIZED_ASP"


def test_nef_is_warned_when_the_network_degrades(
    pcf_stub: PcfStub, nef_notifications: NotificationSink
) -> None:
    # "metro" is the default area of the shipped configuration: requests without an
    # area are counted there.
    pcf_stub.set_capacity("metro", downlink="10 Gbps", uplink="1 Gbps")
    booked = Nef(pcf_stub.url, nef_notifications.url).book("video-asp", 50_000_000, 100)
    assert booked.selected is not None
    window = booked.selected.rec_time_int
    # A mild degradation leaves room for this small transfer: the PCF keeps the policy
    # and says nothing (TS 23.502 4.16.7.3: only policies that no longer fit are affected).
    mild = pcf_stub.degrade("metro", window.start_time, window.stop_time, factor=0.5)
    assert (mild["affected"], mild["notified"]) == ([], [])
    # The booked window all but gone: the PCF finds new candidates outside it,
    # invalidates the old policy and warns the NEF.
    outcome = pcf_stub.degrade("metro", window.start_time, window.stop_time, factor=0.01)
    assert outcome["notified"] == [booked.policy_id]
    (warning,) = nef_notifications.wait(1)
    assert warning.bdt_ref_id == booked.bdt_ref_id
    assert warning.cand_policies
    for candidate in warning.cand_policies:
        new = candidate.rec_time_int
        assert new.stop_time <= window.start_time or new.start_time >= window.stop_time
