"""M6 BDT events (TS 26.512 10.3): when they fire, what they carry, both ways of asking.

Time is a ManualClock: nothing here sleeps, and an event that fires "when the window
opens" is checked at the last instant before and the first instant of the window.
"""

from __future__ import annotations

import asyncio
import json
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nef_client import Client, Forbidden, PolicyRemoved
from nef_client.m6 import (
    BackgroundTransfers,
    BdtEventEmitter,
    ErrorReason,
    Event,
    ManualClock,
    Negotiation,
    NoWindow,
    Opportunity,
    PcfNegotiator,
    TransferError,
    TransferWindow,
    bit_rate_bps,
    windows,
)
from nef_client.testing import NotificationSink, PcfStub
from tests.dates import SATURDAY, future_day, iso
from tests.server_process import free_port

DAY = future_day()
T0 = DAY + timedelta(hours=1)
SECOND = timedelta(seconds=1)
NEF_BDT = [str(Path(sys.executable).with_name("nef-bdt"))]


def window(window_id: int, start_hour: float, hours: float, **rates: float) -> TransferWindow:
    start = DAY + timedelta(hours=start_hour)
    return TransferWindow(
        window_id, start, start + timedelta(hours=hours), rating_group=7,
        max_uplink_bps=rates.get("ul"), max_downlink_bps=rates.get("dl"),
    )  # fmt: skip


def recorder(emitter: BdtEventEmitter) -> list[Event]:
    seen: list[Event] = []
    emitter.subscribe(seen.append)
    return seen


def test_bit_rate_strings() -> None:
    assert bit_rate_bps("12.5 Mbps") == 12_500_000
    assert bit_rate_bps("800 Kbps") == 800_000
    assert bit_rate_bps("1 Tbps") == 1e12
    with pytest.raises(ValueError, match="BitRate"):
        bit_rate_bps("12.5Mbps")


def test_opportunity_fires_once_when_the_selected_window_opens() -> None:
    clock = ManualClock(T0)
    emitter = BdtEventEmitter(clock)
    seen = recorder(emitter)
    chosen = window(2, 3, 2, ul=1e6, dl=2e7)
    emitter.offer("session-1", [window(1, 5, 1), chosen], bdt_ref_id="ref-1", volume_quota=9000)
    emitter.select("session-1", chosen)
    assert emitter.next_due() == chosen.start

    clock.set(chosen.start - SECOND)
    assert emitter.poll() == [] and seen == []
    clock.set(chosen.start)
    (event,) = emitter.poll()
    assert seen == [event]
    assert event == Opportunity(
        session_id="session-1", start=chosen.start, stop=chosen.stop, volume_quota=9000,
        max_uplink_bps=1e6, max_downlink_bps=2e7, window_id=2,
    )  # fmt: skip
    assert event.to_dict() == {
        "event": "BACKGROUND_DATA_TRANSFER_OPPORTUNITY",
        "mediaDeliverySessionId": "session-1",
        "windowStart": (DAY + timedelta(hours=3)).isoformat().replace("+00:00", "Z"),
        "windowEnd": (DAY + timedelta(hours=5)).isoformat().replace("+00:00", "Z"),
        "dataVolumeQuota": 9000,
        "maxUplinkBitRate": 1e6,
        "maxDownlinkBitRate": 2e7,
    }
    clock.advance(timedelta(minutes=30))
    assert emitter.poll() == [] and len(seen) == 1  # once per window
    assert emitter.next_due() is None


def test_a_single_offer_is_final_and_an_open_window_fires_at_once() -> None:
    clock = ManualClock(DAY + timedelta(hours=4))
    emitter = BdtEventEmitter(clock)
    only = window(1, 3, 2)  # opened an hour ago, ends in an hour
    emitter.offer("s", [only], volume_quota=10)
    (event,) = emitter.poll()
    assert isinstance(event, Opportunity) and event.window_id == 1


def test_a_window_that_has_ended_gives_no_event() -> None:
    clock = ManualClock(DAY + timedelta(hours=6))
    emitter = BdtEventEmitter(clock)
    seen = recorder(emitter)
    emitter.offer("s", [window(1, 3, 2)], bdt_ref_id="r")
    assert emitter.poll() == []
    assert emitter.warning("r") is True  # cancelling it after its end is no error either
    emitter.removed("s")
    assert seen == []


def test_warning_cancels_the_selected_window_with_the_new_candidates() -> None:
    clock = ManualClock(T0)
    emitter = BdtEventEmitter(clock)
    seen = recorder(emitter)
    chosen, later = window(1, 3, 2), window(1, 8, 2)
    emitter.offer("s", [chosen, window(2, 6, 1)], bdt_ref_id="ref-9", volume_quota=5)
    emitter.select("s", chosen)
    assert emitter.warning("unknown-ref") is False
    assert emitter.warning("ref-9", [later]) is True
    (error,) = seen
    assert isinstance(error, TransferError)
    assert (error.session_id, error.reason, error.window) == (
        "s", ErrorReason.NETWORK_DEGRADED, chosen
    )  # fmt: skip
    assert error.candidates == (later,)
    assert error.to_dict()["event"] == "ERROR_BACKGROUND_DATA_TRANSFER"
    assert error.to_dict()["errorReason"] == "NETWORK_DEGRADED"
    # The cancelled window does not open; the one selected after the warning does.
    clock.set(chosen.start)
    assert emitter.poll() == []
    # The only candidate of a warning is not final: it waits for a selection.
    emitter.offer("s", [later])
    assert emitter.sessions() == {"s": None}
    emitter.select("s", later)
    clock.set(later.start)
    (opened,) = emitter.poll()
    assert isinstance(opened, Opportunity) and opened.start == later.start
    assert opened.volume_quota == 5


def test_a_warning_during_the_window_cancels_it_too() -> None:
    clock = ManualClock(T0)
    emitter = BdtEventEmitter(clock)
    seen = recorder(emitter)
    emitter.offer("s", [window(1, 3, 2)], bdt_ref_id="r")
    clock.set(DAY + timedelta(hours=4))
    emitter.poll()
    emitter.warning("r")
    assert [type(e) for e in seen] == [Opportunity, TransferError]


def test_removal_and_replacement_are_errors_with_their_reason() -> None:
    clock = ManualClock(T0)
    emitter = BdtEventEmitter(clock)
    seen = recorder(emitter)
    first, second = window(1, 3, 2), window(2, 6, 2)
    emitter.offer("s", [first, second], bdt_ref_id="r")
    emitter.select("s", first)
    emitter.select("s", first)  # the same again: nothing is cancelled
    emitter.select("s", second)
    emitter.removed("s", "the AF deleted the subscription")
    assert [(e.reason, e.window) for e in seen if isinstance(e, TransferError)] == [
        (ErrorReason.REPLACED, first),
        (ErrorReason.REMOVED, second),
    ]
    assert seen[-1].to_dict()["detail"] == "the AF deleted the subscription"  # type: ignore[union-attr]
    assert emitter.sessions() == {}
    assert emitter.warning("r") is False  # forgotten with the session


def test_async_iterator_waits_for_the_clock_and_sees_facts_from_other_threads() -> None:
    async def scenario() -> None:
        clock = ManualClock(T0)
        emitter = BdtEventEmitter(clock)
        chosen = window(1, 3, 2)
        iterator = aiter(emitter.events())
        pending = asyncio.ensure_future(anext(iterator))
        await _settle()
        # A fact from another thread (as a notification receiver's would be) is taken
        # while the iterator waits.
        await asyncio.to_thread(emitter.offer, "s", [chosen], bdt_ref_id="r")
        await _settle()
        assert not pending.done()  # the clock has not reached the window
        clock.set(chosen.start - SECOND)
        await _settle()
        assert not pending.done()
        clock.set(chosen.start)
        opened = await asyncio.wait_for(pending, timeout=5)
        assert isinstance(opened, Opportunity) and opened.session_id == "s"
        await asyncio.to_thread(emitter.warning, "r")
        error = await asyncio.wait_for(anext(iterator), timeout=5)
        assert isinstance(error, TransferError) and error.reason is ErrorReason.NETWORK_DEGRADED
        await iterator.aclose()  # type: ignore[attr-defined]

    asyncio.run(scenario())


async def _settle() -> None:
    """Let every ready task run until all of them wait (no time passes: clock is manual)."""
    for _ in range(20):
        await asyncio.sleep(0)


def test_run_drives_the_callbacks() -> None:
    async def scenario() -> list[Event]:
        clock = ManualClock(T0)
        emitter = BdtEventEmitter(clock)
        seen = recorder(emitter)
        emitter.offer("a", [window(1, 2, 1)])
        emitter.offer("b", [window(1, 3, 1)])
        runner = asyncio.ensure_future(emitter.run())
        await _settle()
        clock.set(DAY + timedelta(hours=2))
        await _settle()
        assert [e.session_id for e in seen] == ["a"]
        clock.set(DAY + timedelta(hours=3))  # "a" has ended as "b" opens
        await _settle()
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        return seen

    seen = asyncio.run(scenario())
    assert [(e.session_id, type(e)) for e in seen] == [("a", Opportunity), ("b", Opportunity)]


# -- the two ways of asking --------------------------------------------------------


@dataclass
class FakeNetwork:
    """A Negotiator whose offers a test sets per desired window."""

    offers: Callable[[datetime, datetime], list[TransferWindow]]
    asked: list[tuple[datetime, datetime, int, timedelta | None]] = field(default_factory=list)
    released: list[str] = field(default_factory=list)
    refuse: bool = False

    def create(
        self, start: datetime, stop: datetime, volume: int, duration: timedelta | None
    ) -> Negotiation:
        self.asked.append((start, stop, volume, duration))
        return Negotiation(f"h{len(self.asked)}", f"ref{len(self.asked)}",
                           tuple(self.offers(start, stop)))  # fmt: skip

    def select(self, handle: str, window_id: int) -> Negotiation:
        if self.refuse:
            raise RuntimeError("403 BDT_CAPACITY_UNAVAILABLE")
        return Negotiation(handle, "ref", (), window_id)

    def release(self, handle: str) -> None:
        self.released.append(handle)


def test_request_by_window_range_offers_and_selects() -> None:
    clock = ManualClock(T0)
    network = FakeNetwork(lambda a, b: [window(1, 3, 2, dl=1e6), window(2, 5, 1, dl=2e6)])
    transfers = BackgroundTransfers(network, BdtEventEmitter(clock))
    seen = recorder(transfers.emitter)
    offer = transfers.request_window("s", DAY + timedelta(hours=2), DAY + timedelta(hours=8),
                                     volume=1_000_000)  # fmt: skip
    assert network.asked == [(DAY + timedelta(hours=2), DAY + timedelta(hours=8), 1_000_000, None)]
    assert [w.window_id for w in offer.windows] == [1, 2] and offer.selected is None
    assert transfers.select("s", 2).window_id == 2
    clock.set(DAY + timedelta(hours=5))
    (event,) = transfers.emitter.poll()
    assert isinstance(event, Opportunity)
    assert (event.window_id, event.volume_quota, event.max_downlink_bps) == (2, 1_000_000, 2e6)
    assert seen == [event]


def test_a_refused_selection_is_an_error_event() -> None:
    network = FakeNetwork(lambda a, b: [window(1, 3, 2), window(2, 5, 1)], refuse=True)
    transfers = BackgroundTransfers(network, BdtEventEmitter(ManualClock(T0)))
    seen = recorder(transfers.emitter)
    transfers.request_window("s", DAY, DAY + timedelta(hours=8), volume=1)
    with pytest.raises(RuntimeError, match="403"):
        transfers.select("s", 1)
    (error,) = seen
    assert isinstance(error, TransferError)
    assert (error.reason, error.window) == (ErrorReason.REFUSED, window(1, 3, 2))
    assert "403 BDT_CAPACITY_UNAVAILABLE" in error.detail


def test_request_by_volume_keeps_windows_long_enough() -> None:
    network = FakeNetwork(lambda a, b: [window(1, 3, 1), window(2, 5, 2.5), window(3, 9, 3)])
    transfers = BackgroundTransfers(network, BdtEventEmitter(ManualClock(T0)))
    offer = transfers.request_volume("s", volume=10**9, duration=timedelta(hours=2),
                                     horizon=timedelta(hours=24))  # fmt: skip
    # One ask for the whole horizon from now; the one-hour window is too short.
    assert network.asked == [(T0, T0 + timedelta(hours=24), 10**9, timedelta(hours=2))]
    assert [w.window_id for w in offer.windows] == [2, 3]
    assert network.released == []


def test_request_by_volume_slides_through_the_horizon() -> None:
    duration = timedelta(hours=2)

    def offers(start: datetime, stop: datetime) -> list[TransferWindow]:
        # Only short windows over the horizon; a full one from 06:00 when asked exactly.
        if stop - start == duration and start >= DAY + timedelta(hours=6):
            return [TransferWindow(1, start, stop, 1)]
        return [TransferWindow(1, start, start + timedelta(minutes=30), 1)]

    network = FakeNetwork(offers)
    transfers = BackgroundTransfers(network, BdtEventEmitter(ManualClock(T0)))
    offer = transfers.request_volume(
        "s", volume=10, duration=duration, horizon=timedelta(hours=12), earliest=DAY
    )
    starts = [asked[0] - DAY for asked in network.asked]
    assert starts == [timedelta(0), timedelta(0), timedelta(hours=2), timedelta(hours=4),
                      timedelta(hours=6)]  # fmt: skip
    assert all(asked[1] - asked[0] == duration for asked in network.asked[1:])
    assert network.released == ["h1", "h2", "h3", "h4"]  # every unused negotiation
    (found,) = offer.windows
    assert found.start == DAY + timedelta(hours=6) and offer.handle == "h5"


def test_request_by_volume_gives_up_after_the_horizon() -> None:
    network = FakeNetwork(lambda a, b: [TransferWindow(1, a, a + timedelta(minutes=10), 1)])
    transfers = BackgroundTransfers(network, BdtEventEmitter(ManualClock(T0)))
    with pytest.raises(NoWindow, match="no window of 3:00:00"):
        transfers.request_volume("s", volume=1, duration=timedelta(hours=3),
                                 horizon=timedelta(hours=7), earliest=DAY)  # fmt: skip
    # The horizon holds two 3-hour probes after the first ask; all were released.
    assert len(network.asked) == 3 and network.released == ["h1", "h2", "h3"]
    with pytest.raises(ValueError, match="fit in the horizon"):
        transfers.request_volume("s", volume=1, duration=timedelta(hours=8),
                                 horizon=timedelta(hours=7))  # fmt: skip


# -- against a real PCF, through nef_client ------------------------------------------

NIGHT = future_day(SATURDAY)


def test_nef_client_results_and_warnings_drive_the_events(
    pcf_stub: PcfStub, nef_notifications: NotificationSink
) -> None:
    """A policy negotiated with the PCF, selected, then broken by a degradation."""
    desired = (NIGHT + timedelta(hours=1), NIGHT + timedelta(hours=7))
    clock = ManualClock(NIGHT)
    emitter = BdtEventEmitter(clock)
    seen = recorder(emitter)
    pcf_stub.set_capacity("metro", downlink="10 Gbps", uplink="1 Gbps")
    with Client(pcf_stub.url) as client:
        created = client.create(
            "video", volume_per_ue=50_000_000, number_of_ues=100, desired_window=desired,
            notification_uri=nef_notifications.url + "/bdt", warnings=True,
        )  # fmt: skip
        shortest = min(created.candidates, key=lambda c: c.rec_time_int.stop_time
                       - c.rec_time_int.start_time)  # fmt: skip
        selected = client.select(created.policy_id, shortest.trans_policy_id)
    emitter.track("movie-42", selected)
    chosen = TransferWindow.from_pcf(shortest)
    clock.set(chosen.start)
    (opened,) = emitter.poll()
    assert isinstance(opened, Opportunity)
    assert opened.session_id == "movie-42" and opened.volume_quota == 50_000_000
    assert (opened.start, opened.stop) == (chosen.start, chosen.stop)
    assert opened.max_downlink_bps == bit_rate_bps(str(shortest.max_bit_rate_dl))
    assert opened.max_uplink_bps == bit_rate_bps(str(shortest.max_bit_rate_ul))

    pcf_stub.degrade("metro", chosen.start, chosen.stop, factor=0.01)
    (warning,) = nef_notifications.wait(1)
    assert emitter.warning(warning.bdt_ref_id, windows(warning.cand_policies))
    error = seen[-1]
    assert isinstance(error, TransferError) and error.reason is ErrorReason.NETWORK_DEGRADED
    assert error.window == chosen and error.candidates


def test_pcf_negotiator_both_ways_against_the_pcf(pcf_stub: PcfStub) -> None:
    clock = ManualClock(NIGHT)
    with Client(pcf_stub.url) as client:
        transfers = BackgroundTransfers(
            PcfNegotiator(client, "video", number_of_ues=10), BdtEventEmitter(clock)
        )
        by_range = transfers.request_window("a", NIGHT + timedelta(hours=1),
                                            NIGHT + timedelta(hours=5), volume=10**8)  # fmt: skip
        assert by_range.windows
        for offered in by_range.windows:
            assert NIGHT + timedelta(hours=1) <= offered.start < offered.stop
            assert offered.stop <= NIGHT + timedelta(hours=5)
        picked = transfers.select("a", by_range.windows[-1].window_id)
        assert client.get(by_range.handle).selected_id == picked.window_id

        by_volume = transfers.request_volume(
            "b", volume=10**8, duration=timedelta(hours=2), horizon=timedelta(hours=12),
            earliest=NIGHT,
        )  # fmt: skip
        assert by_volume.windows
        assert all(w.duration_seconds >= 7200 for w in by_volume.windows)
        request = client.get(by_volume.handle).policy.bdt_req_data
        assert request.vol_per_ue.duration == 7200  # the duration went to the PCF too


def test_a_refusal_by_the_pcf_is_an_error_event(pcf_stub: PcfStub) -> None:
    clock = ManualClock(NIGHT)
    with Client(pcf_stub.url) as client:
        transfers = BackgroundTransfers(PcfNegotiator(client, "video"), BdtEventEmitter(clock))
        seen = recorder(transfers.emitter)
        offer = transfers.request_window("a", NIGHT + timedelta(hours=1),
                                         NIGHT + timedelta(hours=5), volume=10**6)  # fmt: skip
        pcf_stub.fail_next(1, status=403, cause="BDT_CAPACITY_UNAVAILABLE", method="PATCH")
        with pytest.raises(Forbidden):
            transfers.select("a", offer.windows[0].window_id)
    (error,) = seen
    assert isinstance(error, TransferError) and error.reason is ErrorReason.REFUSED
    assert "BDT_CAPACITY_UNAVAILABLE" in error.detail


# -- nef-bdt events ---------------------------------------------------------------------


def _lines(process: subprocess.Popen[str]) -> queue.Queue[str]:
    """The process's stdout lines as they come, readable with a timeout."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    return lines


def test_nef_bdt_events_prints_events_as_they_happen(pcf_stub: PcfStub) -> None:
    """Real clock: a window that starts now opens at once; the warning arrives by HTTP."""
    port = free_port()
    now = datetime.now(UTC).replace(microsecond=0)
    with Client(pcf_stub.url) as client:
        # A desired window that has begun and is shorter than the shortest window offered:
        # the PCF can only offer the rest of it, one final candidate that opens now.
        created = client.create(
            "video", volume_per_ue=1_000_000, number_of_ues=1,
            desired_window=(now - timedelta(minutes=1), now + timedelta(minutes=30)),
            notification_uri=f"http://127.0.0.1:{port}/warnings", warnings=True,
        )  # fmt: skip
        (only,) = created.candidates
        process = subprocess.Popen(
            [*NEF_BDT, "--pcf", pcf_stub.root, "--json", "events",
             f"{created.policy_id}=movie-7", "--listen-port", str(port), "--refresh", "1s"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        try:
            lines = _lines(process)
            assert lines.get(timeout=30).startswith("warnings: http://127.0.0.1:")
            opened = json.loads(lines.get(timeout=30))
            assert opened == {
                "event": "BACKGROUND_DATA_TRANSFER_OPPORTUNITY",
                "mediaDeliverySessionId": "movie-7",
                "windowStart": iso(only.rec_time_int.start_time),
                "windowEnd": iso(only.rec_time_int.stop_time),
                "dataVolumeQuota": 1_000_000,
                "maxUplinkBitRate": bit_rate_bps(str(only.max_bit_rate_ul)),
                "maxDownlinkBitRate": bit_rate_bps(str(only.max_bit_rate_dl)),
            }
            outcome = pcf_stub.degrade(
                "metro", only.rec_time_int.start_time, only.rec_time_int.stop_time, 0.01
            )
            assert outcome["notified"] == [created.policy_id]
            error = json.loads(lines.get(timeout=30))
            assert error["event"] == "ERROR_BACKGROUND_DATA_TRANSFER"
            assert error["mediaDeliverySessionId"] == "movie-7"
            assert error["errorReason"] == "NETWORK_DEGRADED"
            assert error["window"]["windowStart"] == iso(only.rec_time_int.start_time)
            assert error["candidates"]
            # "None acceptable" removes the policy: the watch sees it gone and ends.
            removed = client.select(created.policy_id, 0)
            assert removed == PolicyRemoved(created.policy_id, created.location)
            assert process.wait(timeout=30) == 0
            assert "not found at the PCF" in (process.stderr.read() if process.stderr else "")
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=10)


def test_nef_bdt_events_usage_errors() -> None:
    result = subprocess.run([*NEF_BDT, "events", "=x"], capture_output=True, text=True)
    assert result.returncode == 2 and "not a policy" in result.stderr
