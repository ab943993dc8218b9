from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="BdtPolicyDataPatch")


@_attrs_define
class BdtPolicyDataPatch:
    """Merge-patch part that records which transfer policy the NEF chose.

    Attributes:
        sel_trans_policy_id (int): The transPolicyId chosen. With BdtNotification_5G negotiated, 0 means that none of
            the offered candidates is acceptable.
    """

    sel_trans_policy_id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sel_trans_policy_id = self.sel_trans_policy_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "selTransPolicyId": sel_trans_policy_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        sel_trans_policy_id = d.pop("selTransPolicyId")

        bdt_policy_data_patch = cls(
            sel_trans_policy_id=sel_trans_policy_id,
        )

        bdt_policy_data_patch.additional_properties = d
        return bdt_policy_data_patch

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
