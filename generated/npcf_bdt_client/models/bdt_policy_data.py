from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.transfer_policy import TransferPolicy


T = TypeVar("T", bound="BdtPolicyData")


@_attrs_define
class BdtPolicyData:
    """The PCF's decision for an Individual BDT policy.

    Attributes:
        bdt_ref_id (str): The BDT reference id the PCF assigns to a negotiated transfer (TS 29.154).
        transf_policies (list[TransferPolicy]): The transfer policies the PCF offers (or, once one is chosen, holds).
        sel_trans_policy_id (int | Unset): The transPolicyId the NEF chose, once it has chosen.
        supp_feat (str | Unset): Hexadecimal bit mask of the optional features of an API (TS 29.500 clause 6.6); the
            last character carries features 1 to 4, and missing high characters mean "not supported".
    """

    bdt_ref_id: str
    transf_policies: list[TransferPolicy]
    sel_trans_policy_id: int | Unset = UNSET
    supp_feat: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bdt_ref_id = self.bdt_ref_id

        transf_policies = []
        for transf_policies_item_data in self.transf_policies:
            transf_policies_item = transf_policies_item_data.to_dict()
            transf_policies.append(transf_policies_item)

        sel_trans_policy_id = self.sel_trans_policy_id

        supp_feat = self.supp_feat

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bdtRefId": bdt_ref_id,
                "transfPolicies": transf_policies,
            }
        )
        if sel_trans_policy_id is not UNSET:
            field_dict["selTransPolicyId"] = sel_trans_policy_id
        if supp_feat is not UNSET:
            field_dict["suppFeat"] = supp_feat

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.transfer_policy import TransferPolicy  # noqa: PLC0415

        d = dict(src_dict)
        bdt_ref_id = d.pop("bdtRefId")

        transf_policies = []
        _transf_policies = d.pop("transfPolicies")
        for transf_policies_item_data in _transf_policies:
            transf_policies_item = TransferPolicy.from_dict(transf_policies_item_data)

            transf_policies.append(transf_policies_item)

        sel_trans_policy_id = d.pop("selTransPolicyId", UNSET)

        supp_feat = d.pop("suppFeat", UNSET)

        bdt_policy_data = cls(
            bdt_ref_id=bdt_ref_id,
            transf_policies=transf_policies,
            sel_trans_policy_id=sel_trans_policy_id,
            supp_feat=supp_feat,
        )

        bdt_policy_data.additional_properties = d
        return bdt_policy_data

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
