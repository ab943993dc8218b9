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
    """One transfer policy offered by the PCF.

    Attributes:
        rating_group (int): Charging rate (rating group) that applies in the recommended window.
        rec_time_int (TimeWindow): A period from a start time to a stop time.
        trans_policy_id (int): Identifier of this transfer policy within its BDT policy.
        max_bit_rate_dl (str | Unset): A bit rate such as "12.5 Mbps" (SI multipliers of 1000; "K" for kilo).
        max_bit_rate_ul (str | Unset): A bit rate such as "12.5 Mbps" (SI multipliers of 1000; "K" for kilo).
    """

    rating_group: int
    rec_time_int: TimeWindow
    trans_policy_id: int
    max_bit_rate_dl: str | Unset = UNSET
    max_bit_rate_ul: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        rating_group = self.rating_group

        rec_time_int = self.rec_time_int.to_dict()

        trans_policy_id = self.trans_policy_id

        max_bit_rate_dl = self.max_bit_rate_dl

        max_bit_rate_ul = self.max_bit_rate_ul

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ratingGroup": rating_group,
                "recTimeInt": rec_time_int,
                "transPolicyId": trans_policy_id,
            }
        )
        if max_bit_rate_dl is not UNSET:
            field_dict["maxBitRateDl"] = max_bit_rate_dl
        if max_bit_rate_ul is not UNSET:
            field_dict["maxBitRateUl"] = max_bit_rate_ul

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.time_window import TimeWindow  # noqa: PLC0415

        d = dict(src_dict)
        rating_group = d.pop("ratingGroup")

        rec_time_int = TimeWindow.from_dict(d.pop("recTimeInt"))

        trans_policy_id = d.pop("transPolicyId")

        max_bit_rate_dl = d.pop("maxBitRateDl", UNSET)

        max_bit_rate_ul = d.pop("maxBitRateUl", UNSET)

        transfer_policy = cls(
            rating_group=rating_group,
            rec_time_int=rec_time_int,
            trans_policy_id=trans_policy_id,
            max_bit_rate_dl=max_bit_rate_dl,
            max_bit_rate_ul=max_bit_rate_ul,
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
