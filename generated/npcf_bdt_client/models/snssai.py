from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Snssai")


@_attrs_define
class Snssai:
    """A network slice (slice/service type and optional differentiator).

    Attributes:
        sst (int): Slice/service type, 0 to 255.
        sd (str | Unset): Slice differentiator, six hex digits.
    """

    sst: int
    sd: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sst = self.sst

        sd = self.sd

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sst": sst,
            }
        )
        if sd is not UNSET:
            field_dict["sd"] = sd

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        sst = d.pop("sst")

        sd = d.pop("sd", UNSET)

        snssai = cls(
            sst=sst,
            sd=sd,
        )

        snssai.additional_properties = d
        return snssai

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
