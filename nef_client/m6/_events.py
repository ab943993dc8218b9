"""The M6 BDT events of TS 26.512 clause 10.3.2, and the transfer windows they speak of."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from nf_common.bitrate import parse_bitrate


class EventType(enum.StrEnum):
    """The two BDT events of TS 26.512 tables 10.3.2-2 and 10.3.2-3."""

    OPPORTUNITY = "BACKGROUND_DATA_TRANSFER_OPPORTUNITY"
    ERROR = "ERROR_BACKGROUND_DATA_TRANSFER"


class ErrorReason(enum.StrEnum):
    """Why an advertised window will not be available until its end."""

    NETWORK_DEGRADED = "NETWORK_DEGRADED"
    """A BDT warning: the network degraded and the PCF invalidated the selected policy
    (TS 23.502 4.16.7.3); the event carries the new candidates, if any."""
    REMOVED = "REMOVED"
    """The policy or subscription is gone: deleted, declined ("none acceptable"), or no
    longer known to the network."""
    REFUSED = "REFUSED"
    """The network refused the window when it was selected (e.g. its capacity is taken)."""
    REPLACED = "REPLACED"
    """Another window was selected for the session instead."""


@dataclass(frozen=True)
class TransferWindow:
    """One transfer policy as an application sees it: when, how fast, what it costs."""

    window_id: int
    """The transfer policy id to select it with (transPolicyId / bdtPolicyId)."""
    start: datetime
    stop: datetime
    rating_group: int | None = None
    max_uplink_bps: float | None = None
    max_downlink_bps: float | None = None

    @property
    def duration_seconds(self) -> float:
        return (self.stop - self.start).total_seconds()

    @classmethod
    def from_pcf(cls, policy: Any) -> TransferWindow:
        """From an Npcf_BDTPolicyControl ``TransferPolicy`` (npcf_bdt_client model)."""
        ul, dl = policy.max_bit_rate_ul, policy.max_bit_rate_dl
        return cls(
            window_id=policy.trans_policy_id,
            start=policy.rec_time_int.start_time,
            stop=policy.rec_time_int.stop_time,
            rating_group=policy.rating_group,
            max_uplink_bps=parse_bitrate(ul) if isinstance(ul, str) else None,
            max_downlink_bps=parse_bitrate(dl) if isinstance(dl, str) else None,
        )

    @classmethod
    def from_document(cls, document: Mapping[str, Any]) -> TransferWindow:
        """From the JSON of a TransferPolicy of either API (TS 29.554 or TS 29.122)."""
        if "bdtPolicyId" in document:  # TS 29.122: timeWindow, Bandwidth integers
            window, ul, dl = (
                document["timeWindow"],
                document.get("maxUplinkBandwidth"),
                document.get("maxDownlinkBandwidth"),
            )
            ul_bps = None if ul is None else float(ul)
            dl_bps = None if dl is None else float(dl)
            window_id = document["bdtPolicyId"]
        else:  # TS 29.554: recTimeInt, BitRate strings
            window, ul, dl = (
                document["recTimeInt"],
                document.get("maxBitRateUl"),
                document.get("maxBitRateDl"),
            )
            ul_bps = None if ul is None else parse_bitrate(ul)
            dl_bps = None if dl is None else parse_bitrate(dl)
            window_id = document["transPolicyId"]
        return cls(
            window_id=window_id,
            start=_parse_time(window["startTime"]),
            stop=_parse_time(window["stopTime"]),
            rating_group=document.get("ratingGroup"),
            max_uplink_bps=ul_bps,
            max_downlink_bps=dl_bps,
        )

    @classmethod
    def from_nef(cls, policy: Any) -> TransferWindow:
        """From a 3gpp-bdt ``TransferPolicy`` (nnef_bdt_client model)."""
        ul, dl = policy.max_uplink_bandwidth, policy.max_downlink_bandwidth
        return cls(
            window_id=policy.bdt_policy_id,
            start=policy.time_window.start_time,
            stop=policy.time_window.stop_time,
            rating_group=policy.rating_group,
            max_uplink_bps=float(ul) if isinstance(ul, int) else None,
            max_downlink_bps=float(dl) if isinstance(dl, int) else None,
        )


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Opportunity:
    """BACKGROUND_DATA_TRANSFER_OPPORTUNITY: a selected window has opened."""

    session_id: str
    """The media delivery session the transfer belongs to."""
    start: datetime
    stop: datetime
    volume_quota: int | None
    """Bytes the session may transfer in the window (the volume per UE negotiated)."""
    max_uplink_bps: float | None
    max_downlink_bps: float | None
    window_id: int

    @property
    def type(self) -> EventType:
        return EventType.OPPORTUNITY

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON, with the payload names of TS 26.512 table 10.3.2-2."""
        return {
            "event": self.type.value,
            "mediaDeliverySessionId": self.session_id,
            "windowStart": _time(self.start),
            "windowEnd": _time(self.stop),
            "dataVolumeQuota": self.volume_quota,
            "maxUplinkBitRate": self.max_uplink_bps,
            "maxDownlinkBitRate": self.max_downlink_bps,
        }


@dataclass(frozen=True)
class TransferError:
    """ERROR_BACKGROUND_DATA_TRANSFER: an advertised window is cancelled before its end."""

    session_id: str
    reason: ErrorReason
    detail: str
    window: TransferWindow | None
    """The window that is cancelled."""
    candidates: tuple[TransferWindow, ...] = field(default=())
    """Windows the network offers instead (after a warning), to select from."""

    @property
    def type(self) -> EventType:
        return EventType.ERROR

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON, with the payload names of TS 26.512 table 10.3.2-3."""
        document: dict[str, Any] = {
            "event": self.type.value,
            "mediaDeliverySessionId": self.session_id,
            "errorReason": self.reason.value,
            "detail": self.detail,
        }
        if self.window is not None:
            document["window"] = _window_dict(self.window)
        if self.candidates:
            document["candidates"] = [_window_dict(w) for w in self.candidates]
        return document


def _window_dict(window: TransferWindow) -> dict[str, Any]:
    return {
        "windowId": window.window_id,
        "windowStart": _time(window.start),
        "windowEnd": _time(window.stop),
        "maxUplinkBitRate": window.max_uplink_bps,
        "maxDownlinkBitRate": window.max_downlink_bps,
    }


Event = Opportunity | TransferError


def windows(policies: Iterable[Any], *, northbound: bool = False) -> tuple[TransferWindow, ...]:
    """Transfer policies of either API as windows, in the order given."""
    convert = TransferWindow.from_nef if northbound else TransferWindow.from_pcf
    return tuple(convert(policy) for policy in policies)
