from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="BdtReqDataPatch")


@_attrs_define
class BdtReqDataPatch:
    """Merge-patch part that switches BDT warning notifications on or off.

    Attributes:
        warn_notif_req (bool | Unset): New value of the warning notification switch.
    """

    warn_notif_req: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        warn_notif_req = self.warn_notif_req

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if warn_notif_req is not UNSET:
            field_dict["warnNotifReq"] = warn_notif_req

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        warn_notif_req = d.pop("warnNotifReq", UNSET)

        bdt_req_data_patch = cls(
            warn_notif_req=warn_notif_req,
        )

        bdt_req_data_patch.additional_properties = d
        return bdt_req_data_patch

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
