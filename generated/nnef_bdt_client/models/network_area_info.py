from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.ecgi import Ecgi
    from ..models.global_ran_node_id import GlobalRanNodeId
    from ..models.ncgi import Ncgi
    from ..models.tai import Tai


T = TypeVar("T", bound="NetworkAreaInfo")


@_attrs_define
class NetworkAreaInfo:
    """The area (cells, RAN nodes, tracking areas) where the UEs are expected.

    Attributes:
        ecgis (list[Ecgi] | Unset): E-UTRA cells.
        ncgis (list[Ncgi] | Unset): NR cells.
        g_ran_node_ids (list[GlobalRanNodeId] | Unset): NG-RAN nodes.
        tais (list[Tai] | Unset): Tracking areas.
    """

    ecgis: list[Ecgi] | Unset = UNSET
    ncgis: list[Ncgi] | Unset = UNSET
    g_ran_node_ids: list[GlobalRanNodeId] | Unset = UNSET
    tais: list[Tai] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ecgis: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.ecgis, Unset):
            ecgis = []
            for ecgis_item_data in self.ecgis:
                ecgis_item = ecgis_item_data.to_dict()
                ecgis.append(ecgis_item)

        ncgis: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.ncgis, Unset):
            ncgis = []
            for ncgis_item_data in self.ncgis:
                ncgis_item = ncgis_item_data.to_dict()
                ncgis.append(ncgis_item)

        g_ran_node_ids: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.g_ran_node_ids, Unset):
            g_ran_node_ids = []
            for g_ran_node_ids_item_data in self.g_ran_node_ids:
                g_ran_node_ids_item = g_ran_node_ids_item_data.to_dict()
                g_ran_node_ids.append(g_ran_node_ids_item)

        tais: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.tais, Unset):
            tais = []
            for tais_item_data in self.tais:
                tais_item = tais_item_data.to_dict()
                tais.append(tais_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if ecgis is not UNSET:
            field_dict["ecgis"] = ecgis
        if ncgis is not UNSET:
            field_dict["ncgis"] = ncgis
        if g_ran_node_ids is not UNSET:
            field_dict["gRanNodeIds"] = g_ran_node_ids
        if tais is not UNSET:
            field_dict["tais"] = tais

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.ecgi import Ecgi  # noqa: PLC0415
        from ..models.global_ran_node_id import GlobalRanNodeId  # noqa: PLC0415
        from ..models.ncgi import Ncgi  # noqa: PLC0415
        from ..models.tai import Tai  # noqa: PLC0415

        d = dict(src_dict)
        _ecgis = d.pop("ecgis", UNSET)
        ecgis: list[Ecgi] | Unset = UNSET
        if _ecgis is not UNSET:
            ecgis = []
            for ecgis_item_data in _ecgis:
                ecgis_item = Ecgi.from_dict(ecgis_item_data)

                ecgis.append(ecgis_item)

        _ncgis = d.pop("ncgis", UNSET)
        ncgis: list[Ncgi] | Unset = UNSET
        if _ncgis is not UNSET:
            ncgis = []
            for ncgis_item_data in _ncgis:
                ncgis_item = Ncgi.from_dict(ncgis_item_data)

                ncgis.append(ncgis_item)

        _g_ran_node_ids = d.pop("gRanNodeIds", UNSET)
        g_ran_node_ids: list[GlobalRanNodeId] | Unset = UNSET
        if _g_ran_node_ids is not UNSET:
            g_ran_node_ids = []
            for g_ran_node_ids_item_data in _g_ran_node_ids:
                g_ran_node_ids_item = GlobalRanNodeId.from_dict(g_ran_node_ids_item_data)

                g_ran_node_ids.append(g_ran_node_ids_item)

        _tais = d.pop("tais", UNSET)
        tais: list[Tai] | Unset = UNSET
        if _tais is not UNSET:
            tais = []
            for tais_item_data in _tais:
                tais_item = Tai.from_dict(tais_item_data)

                tais.append(tais_item)

        network_area_info = cls(
            ecgis=ecgis,
            ncgis=ncgis,
            g_ran_node_ids=g_ran_node_ids,
            tais=tais,
        )

        network_area_info.additional_properties = d
        return network_area_info

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
