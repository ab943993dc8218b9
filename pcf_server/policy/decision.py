"""How the PCF turns a request into transfer policies.

The decision is behind the small ``Decider`` protocol so that the service layer and the
HTTP layer never change when the decision logic does (a load-aware decider replaces the
simple one here without touching them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pcf_server.policy.model import BdtRequest, TimeWindow, TransferPolicy


class Decider(Protocol):
    def decide(self, request: BdtRequest) -> list[TransferPolicy]:
        """Return the transfer policies to offer, with ids 1..k (0 is reserved)."""
        ...


def flat_rate(volume_bytes: int, ues: int, window: TimeWindow) -> float:
    """Bit rate (bit/s) that moves ``ues`` x ``volume_bytes`` evenly over ``window``."""
    return 8.0 * volume_bytes * ues / window.duration.total_seconds()


@dataclass(frozen=True)
class EvenSplitDecider:
    """Offer the desired window and, when it is long enough, its halves.

    It ignores load and other ASPs: it is the baseline that later deciders must beat,
    and it already gives the NEF a real choice to select from.
    """

    rating_group: int = 1
    min_split_seconds: float = 3600.0

    def decide(self, request: BdtRequest) -> list[TransferPolicy]:
        desired = request.desired_window
        windows = [desired]
        if desired.duration.total_seconds() >= 2 * self.min_split_seconds:
            middle = desired.start + desired.duration / 2
            windows += [TimeWindow(desired.start, middle), TimeWindow(middle, desired.stop)]
        volume = request.volume_per_ue
        downlink = volume.downlink if volume.downlink is not None else volume.total
        uplink = volume.uplink
        return [
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
        ]
