from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bdt_policy_data_patch import BdtPolicyDataPatch
    from ..models.bdt_req_data_patch import BdtReqDataPatch


T = TypeVar("T", bound="PatchBdtPolicy")


@_attrs_define
class PatchBdtPolicy:
    """Merge-patch body of the Update operation.

    Attributes:
        bdt_pol_data (BdtPolicyDataPatch | Unset): Merge-patch part that records which transfer policy the NEF chose.
        bdt_req_data (BdtReqDataPatch | Unset): Merge-patch part that switches BDT warning notifications on or off.
    """

    bdt_pol_data: BdtPolicyDataPatch | Unset = UNSET
    bdt_req_data: BdtReqDataPatch | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bdt_pol_data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.bdt_pol_data, Unset):
            bdt_pol_data = self.bdt_pol_data.to_dict()

        bdt_req_data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.bdt_req_data, Unset):
            bdt_req_data = self.bdt_req_data.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if bdt_pol_data is not UNSET:
            field_dict["bdtPolData"] = bdt_pol_data
        if bdt_req_data is not UNSET:
            field_dict["bdtReqData"] = bdt_req_data

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.bdt_policy_data_patch import BdtPolicyDataPatch  # noqa: PLC0415
        from ..models.bdt_req_data_patch import BdtReqDataPatch  # noqa: PLC0415

        d = dict(src_dict)
        _bdt_pol_data = d.pop("bdtPolData", UNSET)
        bdt_pol_data: BdtPolicyDataPatch | Unset
        if isinstance(_bdt_pol_data, Unset):
            bdt_pol_data = UNSET
        else:
            bdt_pol_data = BdtPolicyDataPatch.from_dict(_bdt_pol_data)

        _bdt_req_data = d.pop("bdtReqData", UNSET)
        bdt_req_data: BdtReqDataPatch | Unset
        if isinstance(_bdt_req_data, Unset):
            bdt_req_data = UNSET
        else:
            bdt_req_data = BdtReqDataPatch.from_dict(_bdt_req_data)

        patch_bdt_policy = cls(
            bdt_pol_data=bdt_pol_data,
            bdt_req_data=bdt_req_data,
        )

        patch_bdt_policy.additional_properties = d
        return patch_bdt_policy

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
