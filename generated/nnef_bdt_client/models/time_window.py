from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TimeWindow")


@_attrs_define
class TimeWindow:
    """A period from a start time to a stop time.

    Attributes:
        start_time (datetime.datetime): An RFC 3339 date-time.
        stop_time (datetime.datetime): An RFC 3339 date-time.
    """

    start_time: datetime.datetime
    stop_time: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        start_time = self.start_time.isoformat().replace("+00:00", "Z")

        stop_time = self.stop_time.isoformat().replace("+00:00", "Z")

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "startTime": start_time,
                "stopTime": stop_time,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        start_time = datetime.datetime.fromisoformat(d.pop("startTime"))

        stop_time = datetime.datetime.fromisoformat(d.pop("stopTime"))

        time_window = cls(
            start_time=start_time,
            stop_time=stop_time,
        )

        time_window.additional_properties = d
        return time_window

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
