from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="UsageThreshold")


@_attrs_define
class UsageThreshold:
    """Volumes (bytes) and duration (seconds) of an expected usage; in BDT, the volume one UE transfers, in total and per
    direction.

        Attributes:
            duration (int | Unset): A duration in whole seconds.
            total_volume (int | Unset): A data volume in bytes.
            downlink_volume (int | Unset): A data volume in bytes.
            uplink_volume (int | Unset): A data volume in bytes.
    """

    duration: int | Unset = UNSET
    total_volume: int | Unset = UNSET
    downlink_volume: int | Unset = UNSET
    uplink_volume: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        duration = self.duration

        total_volume = self.total_volume

        downlink_volume = self.downlink_volume

        uplink_volume = self.uplink_volume

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if duration is not UNSET:
            field_dict["duration"] = duration
        if total_volume is not UNSET:
            field_dict["totalVolume"] = total_volume
        if downlink_volume is not UNSET:
            field_dict["downlinkVolume"] = downlink_volume
        if uplink_volume is not UNSET:
            field_dict["uplinkVolume"] = uplink_volume

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        duration = d.pop("duration", UNSET)

        total_volume = d.pop("totalVolume", UNSET)

        downlink_volume = d.pop("downlinkVolume", UNSET)

        uplink_volume = d.pop("uplinkVolume", UNSET)

        usage_threshold = cls(
            duration=duration,
            total_volume=total_volume,
            downlink_volume=downlink_volume,
            uplink_volume=uplink_volume,
        )

        usage_threshold.additional_properties = d
        return usage_threshold

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
