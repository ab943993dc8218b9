from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.plmn_id import PlmnId


T = TypeVar("T", bound="Tai")


@_attrs_define
class Tai:
    """A tracking area identity.

    Attributes:
        plmn_id (PlmnId): A PLMN identity (MCC and MNC).
        tac (str): Tracking area code, 4 or 6 hex digits.
        nid (str | Unset): Network identifier of a stand-alone non-public network, 11 hex digits.
    """

    plmn_id: PlmnId
    tac: str
    nid: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        plmn_id = self.plmn_id.to_dict()

        tac = self.tac

        nid = self.nid

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "plmnId": plmn_id,
                "tac": tac,
            }
        )
        if nid is not UNSET:
            field_dict["nid"] = nid

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.plmn_id import PlmnId  # noqa: PLC0415

        d = dict(src_dict)
        plmn_id = PlmnId.from_dict(d.pop("plmnId"))

        tac = d.pop("tac")

        nid = d.pop("nid", UNSET)

        tai = cls(
            plmn_id=plmn_id,
            tac=tac,
            nid=nid,
        )

        tai.additional_properties = d
        return tai

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
