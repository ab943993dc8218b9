from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.g_nb_id import GNbId
    from ..models.plmn_id import PlmnId


T = TypeVar("T", bound="GlobalRanNodeId")


@_attrs_define
class GlobalRanNodeId:
    """A RAN node within a PLMN; exactly one kind of node identifier is present.

    Attributes:
        plmn_id (PlmnId): A PLMN identity (MCC and MNC).
        n_3_iwf_id (str | Unset): N3IWF identifier in hex.
        g_nb_id (GNbId | Unset): A gNB identifier and its length in bits.
        nge_nb_id (str | Unset): An ng-eNB identifier, its kind as a prefix and its value in hex.
        wagf_id (str | Unset): W-AGF identifier in hex.
        tngf_id (str | Unset): TNGF identifier in hex.
        nid (str | Unset): Network identifier of a stand-alone non-public network, 11 hex digits.
        e_nb_id (str | Unset): An eNB identifier, its kind as a prefix and its value in hex.
    """

    plmn_id: PlmnId
    n_3_iwf_id: str | Unset = UNSET
    g_nb_id: GNbId | Unset = UNSET
    nge_nb_id: str | Unset = UNSET
    wagf_id: str | Unset = UNSET
    tngf_id: str | Unset = UNSET
    nid: str | Unset = UNSET
    e_nb_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        plmn_id = self.plmn_id.to_dict()

        n_3_iwf_id = self.n_3_iwf_id

        g_nb_id: dict[str, Any] | Unset = UNSET
        if not isinstance(self.g_nb_id, Unset):
            g_nb_id = self.g_nb_id.to_dict()

        nge_nb_id = self.nge_nb_id

        wagf_id = self.wagf_id

        tngf_id = self.tngf_id

        nid = self.nid

        e_nb_id = self.e_nb_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "plmnId": plmn_id,
            }
        )
        if n_3_iwf_id is not UNSET:
            field_dict["n3IwfId"] = n_3_iwf_id
        if g_nb_id is not UNSET:
            field_dict["gNbId"] = g_nb_id
        if nge_nb_id is not UNSET:
            field_dict["ngeNbId"] = nge_nb_id
        if wagf_id is not UNSET:
            field_dict["wagfId"] = wagf_id
        if tngf_id is not UNSET:
            field_dict["tngfId"] = tngf_id
        if nid is not UNSET:
            field_dict["nid"] = nid
        if e_nb_id is not UNSET:
            field_dict["eNbId"] = e_nb_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.g_nb_id import GNbId  # noqa: PLC0415
        from ..models.plmn_id import PlmnId  # noqa: PLC0415

        d = dict(src_dict)
        plmn_id = PlmnId.from_dict(d.pop("plmnId"))

        n_3_iwf_id = d.pop("n3IwfId", UNSET)

        _g_nb_id = d.pop("gNbId", UNSET)
        g_nb_id: GNbId | Unset
        if isinstance(_g_nb_id, Unset):
            g_nb_id = UNSET
        else:
            g_nb_id = GNbId.from_dict(_g_nb_id)

        nge_nb_id = d.pop("ngeNbId", UNSET)

        wagf_id = d.pop("wagfId", UNSET)

        tngf_id = d.pop("tngfId", UNSET)

        nid = d.pop("nid", UNSET)

        e_nb_id = d.pop("eNbId", UNSET)

        global_ran_node_id = cls(
            plmn_id=plmn_id,
            n_3_iwf_id=n_3_iwf_id,
            g_nb_id=g_nb_id,
            nge_nb_id=nge_nb_id,
            wagf_id=wagf_id,
            tngf_id=tngf_id,
            nid=nid,
            e_nb_id=e_nb_id,
        )

        global_ran_node_id.additional_properties = d
        return global_ran_node_id

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
