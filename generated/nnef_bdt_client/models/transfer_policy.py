from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.time_window import TimeWindow


T = TypeVar("T", bound="TransferPolicy")


@_attrs_define
class TransferPolicy:
    """One transfer policy: offered by the NEF to the AF, or named by the AF as its choice.

    Attributes:
        bdt_policy_id (int): Number of this transfer policy within the subscription.
        rating_group (int): The rating group (charging rate) that applies in the window.
        time_window (TimeWindow): A period from a start time to a stop time.
        max_uplink_bandwidth (int | Unset): A bit rate as a whole number of bits per second.
        max_downlink_bandwidth (int | Unset): A bit rate as a whole number of bits per second.
    """

    bdt_policy_id: int
    rating_group: int
    time_window: TimeWindow
    max_uplink_bandwidth: int | Unset = UNSET
    max_downlink_bandwidth: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bdt_policy_id = self.bdt_policy_id

        rating_group = self.rating_group

        time_window = self.time_window.to_dict()

        max_uplink_bandwidth = self.max_uplink_bandwidth

        max_downlink_bandwidth = self.max_downlink_bandwidth

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bdtPolicyId": bdt_policy_id,
                "ratingGroup": rating_group,
                "timeWindow": time_window,
            }
        )
        if max_uplink_bandwidth is not UNSET:
            field_dict["maxUplinkBandwidth"] = max_uplink_bandwidth
        if max_downlink_bandwidth is not UNSET:
            field_dict["maxDownlinkBandwidth"] = max_downlink_bandwidth

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.time_window import TimeWindow  # noqa: PLC0415

        d = dict(src_dict)
        bdt_policy_id = d.pop("bdtPolicyId")

        rating_group = d.pop("ratingGroup")

        time_window = TimeWindow.from_dict(d.pop("timeWindow"))

        max_uplink_bandwidth = d.pop("maxUplinkBandwidth", UNSET)

        max_downlink_bandwidth = d.pop("maxDownlinkBandwidth", UNSET)

        transfer_policy = cls(
            bdt_policy_id=bdt_policy_id,
            rating_group=rating_group,
            time_window=time_window,
            max_uplink_bandwidth=max_uplink_bandwidth,
            max_downlink_bandwidth=max_downlink_bandwidth,
        )

        transfer_policy.additional_properties = d
        return transfer_policy

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
