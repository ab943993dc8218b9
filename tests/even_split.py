"""A load-blind decider for tests of the layers around a decider (the service, storage)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pcf_server.policy.decision import Decision, LoadView
from pcf_server.policy.model import BdtRequest, TimeWindow, TransferPolicy


def flat_rate(volume_bytes: int, ues: int, window: TimeWindow) -> float:
    """Bit rate (bit/s) that moves ``ues`` x ``volume_bytes`` evenly over ``window``."""
    return 8.0 * volume_bytes * ues / window.duration.total_seconds()


@dataclass(frozen=True)
class EvenSplitDecider:
    """Offer the desired window and, when it is long enough, its halves.

    It ignores load and other ASPs, and so reserves nothing.
    """

    rating_group: int = 1
    min_split_seconds: float = 3600.0

    def decide(self, request: BdtRequest, load: LoadView, now: datetime) -> Decision:
        desired = request.desired_window
        windows = [desired]
        if desired.duration.total_seconds() >= 2 * self.min_split_seconds:
            middle = desired.start + desired.duration / 2
            windows += [TimeWindow(desired.start, middle), TimeWindow(middle, desired.stop)]
        volume = request.volume_per_ue
        downlink = volume.downlink if volume.downlink is not None else volume.total
        uplink = volume.uplink
        return Decision(
            tuple(
                TransferPolicy(
                    transfer_policy_id=index,
                    window=window,
                    rating_group=self.rating_group,
                    max_bitrate_dl=(
                        flat_rate(downlink, request.number_of_ues, window) if downlink else None
                    ),
                    max_bitrate_ul=(
                        flat_rate(uplink, request.number_of_ues, window) if uplink else None
                    ),
                )
                for index, window in enumerate(windows, start=1)
            )
        )
