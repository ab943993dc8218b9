from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PlmnId")


@_attrs_define
class PlmnId:
    """A PLMN identity (MCC and MNC).

    Attributes:
        mcc (str): Mobile country code, three digits.
        mnc (str): Mobile network code, two or three digits.
    """

    mcc: str
    mnc: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        mcc = self.mcc

        mnc = self.mnc

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "mcc": mcc,
                "mnc": mnc,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        mcc = d.pop("mcc")

        mnc = d.pop("mnc")

        plmn_id = cls(
            mcc=mcc,
            mnc=mnc,
        )

        plmn_id.additional_properties = d
        return plmn_id

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
