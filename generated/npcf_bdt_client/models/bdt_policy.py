from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.bdt_policy_data import BdtPolicyData
    from ..models.bdt_req_data import BdtReqData


T = TypeVar("T", bound="BdtPolicy")


@_attrs_define
class BdtPolicy:
    """The Individual BDT policy resource, request and decision together.

    Attributes:
        bdt_pol_data (BdtPolicyData | Unset): The PCF's decision for an Individual BDT policy.
        bdt_req_data (BdtReqData | Unset): What an ASP, through the NEF, wants to transfer, where and when.
    """

    bdt_pol_data: BdtPolicyData | Unset = UNSET
    bdt_req_data: BdtReqData | Unset = UNSET
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
        from ..models.bdt_policy_data import BdtPolicyData  # noqa: PLC0415
        from ..models.bdt_req_data import BdtReqData  # noqa: PLC0415

        d = dict(src_dict)
        _bdt_pol_data = d.pop("bdtPolData", UNSET)
        bdt_pol_data: BdtPolicyData | Unset
        if isinstance(_bdt_pol_data, Unset):
            bdt_pol_data = UNSET
        else:
            bdt_pol_data = BdtPolicyData.from_dict(_bdt_pol_data)

        _bdt_req_data = d.pop("bdtReqData", UNSET)
        bdt_req_data: BdtReqData | Unset
        if isinstance(_bdt_req_data, Unset):
            bdt_req_data = UNSET
        else:
            bdt_req_data = BdtReqData.from_dict(_bdt_req_data)

        bdt_policy = cls(
            bdt_pol_data=bdt_pol_data,
            bdt_req_data=bdt_req_data,
        )

        bdt_policy.additional_properties = d
        return bdt_policy

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
