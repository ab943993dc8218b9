from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.civic_address import CivicAddress
    from ..models.ellipsoid_arc import EllipsoidArc
    from ..models.network_area_info import NetworkAreaInfo
    from ..models.point import Point
    from ..models.point_altitude import PointAltitude
    from ..models.point_altitude_uncertainty import PointAltitudeUncertainty
    from ..models.point_uncertainty_circle import PointUncertaintyCircle
    from ..models.point_uncertainty_ellipse import PointUncertaintyEllipse
    from ..models.polygon import Polygon


T = TypeVar("T", bound="LocationArea5G")


@_attrs_define
class LocationArea5G:
    """Where the UEs are, in 5G terms: shapes on the map, postal addresses, or network area information (TAIs, cells, RAN
    nodes) as the PCF uses it.

        Attributes:
            geographic_areas (list[EllipsoidArc | Point | PointAltitude | PointAltitudeUncertainty | PointUncertaintyCircle
                | PointUncertaintyEllipse | Polygon] | Unset): Shapes on the surface of the earth; the list may be empty.
            civic_addresses (list[CivicAddress] | Unset): Postal-style addresses; the list may be empty.
            nw_area_info (NetworkAreaInfo | Unset): The area (cells, RAN nodes, tracking areas) where the UEs are expected.
    """

    geographic_areas: (
        list[
            EllipsoidArc
            | Point
            | PointAltitude
            | PointAltitudeUncertainty
            | PointUncertaintyCircle
            | PointUncertaintyEllipse
            | Polygon
        ]
        | Unset
    ) = UNSET
    civic_addresses: list[CivicAddress] | Unset = UNSET
    nw_area_info: NetworkAreaInfo | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.point import Point  # noqa: PLC0415
        from ..models.point_altitude import PointAltitude  # noqa: PLC0415
        from ..models.point_altitude_uncertainty import PointAltitudeUncertainty  # noqa: PLC0415
        from ..models.point_uncertainty_circle import PointUncertaintyCircle  # noqa: PLC0415
        from ..models.point_uncertainty_ellipse import PointUncertaintyEllipse  # noqa: PLC0415
        from ..models.polygon import Polygon  # noqa: PLC0415

        geographic_areas: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.geographic_areas, Unset):
            geographic_areas = []
            for geographic_areas_item_data in self.geographic_areas:
                geographic_areas_item: dict[str, Any]
                if isinstance(geographic_areas_item_data, Point):
                    geographic_areas_item = geographic_areas_item_data.to_dict()
                elif isinstance(geographic_areas_item_data, PointUncertaintyCircle):
                    geographic_areas_item = geographic_areas_item_data.to_dict()
                elif isinstance(geographic_areas_item_data, PointUncertaintyEllipse):
                    geographic_areas_item = geographic_areas_item_data.to_dict()
                elif isinstance(geographic_areas_item_data, Polygon):
                    geographic_areas_item = geographic_areas_item_data.to_dict()
                elif isinstance(geographic_areas_item_data, PointAltitude):
                    geographic_areas_item = geographic_areas_item_data.to_dict()
                elif isinstance(geographic_areas_item_data, PointAltitudeUncertainty):
                    geographic_areas_item = geographic_areas_item_data.to_dict()
                else:
                    geographic_areas_item = geographic_areas_item_data.to_dict()

                geographic_areas.append(geographic_areas_item)

        civic_addresses: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.civic_addresses, Unset):
            civic_addresses = []
            for civic_addresses_item_data in self.civic_addresses:
                civic_addresses_item = civic_addresses_item_data.to_dict()
                civic_addresses.append(civic_addresses_item)

        nw_area_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.nw_area_info, Unset):
            nw_area_info = self.nw_area_info.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if geographic_areas is not UNSET:
            field_dict["geographicAreas"] = geographic_areas
        if civic_addresses is not UNSET:
            field_dict["civicAddresses"] = civic_addresses
        if nw_area_info is not UNSET:
            field_dict["nwAreaInfo"] = nw_area_info

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.civic_address import CivicAddress  # noqa: PLC0415
        from ..models.ellipsoid_arc import EllipsoidArc  # noqa: PLC0415
        from ..models.network_area_info import NetworkAreaInfo  # noqa: PLC0415
        from ..models.point import Point  # noqa: PLC0415
        from ..models.point_altitude import PointAltitude  # noqa: PLC0415
        from ..models.point_altitude_uncertainty import PointAltitudeUncertainty  # noqa: PLC0415
        from ..models.point_uncertainty_circle import PointUncertaintyCircle  # noqa: PLC0415
        from ..models.point_uncertainty_ellipse import PointUncertaintyEllipse  # noqa: PLC0415
        from ..models.polygon import Polygon  # noqa: PLC0415

        d = dict(src_dict)
        _geographic_areas = d.pop("geographicAreas", UNSET)
        geographic_areas: (
            list[
                EllipsoidArc
                | Point
                | PointAltitude
                | PointAltitudeUncertainty
                | PointUncertaintyCircle
                | PointUncertaintyEllipse
                | Polygon
            ]
            | Unset
        ) = UNSET
        if _geographic_areas is not UNSET:
            geographic_areas = []
            for geographic_areas_item_data in _geographic_areas:

                def _parse_geographic_areas_item(
                    data: object,
                ) -> (
                    EllipsoidArc
                    | Point
                    | PointAltitude
                    | PointAltitudeUncertainty
                    | PointUncertaintyCircle
                    | PointUncertaintyEllipse
                    | Polygon
                ):
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_geographic_area_type_0 = Point.from_dict(data)

                        return componentsschemas_geographic_area_type_0
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_geographic_area_type_1 = PointUncertaintyCircle.from_dict(data)

                        return componentsschemas_geographic_area_type_1
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_geographic_area_type_2 = PointUncertaintyEllipse.from_dict(data)

                        return componentsschemas_geographic_area_type_2
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_geographic_area_type_3 = Polygon.from_dict(data)

                        return componentsschemas_geographic_area_type_3
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_geographic_area_type_4 = PointAltitude.from_dict(data)

                        return componentsschemas_geographic_area_type_4
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        componentsschemas_geographic_area_type_5 = PointAltitudeUncertainty.from_dict(data)

                        return componentsschemas_geographic_area_type_5
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    if not isinstance(data, dict):
                        raise TypeError()
                    componentsschemas_geographic_area_type_6 = EllipsoidArc.from_dict(data)

                    return componentsschemas_geographic_area_type_6

                geographic_areas_item = _parse_geographic_areas_item(geographic_areas_item_data)

                geographic_areas.append(geographic_areas_item)

        _civic_addresses = d.pop("civicAddresses", UNSET)
        civic_addresses: list[CivicAddress] | Unset = UNSET
        if _civic_addresses is not UNSET:
            civic_addresses = []
            for civic_addresses_item_data in _civic_addresses:
                civic_addresses_item = CivicAddress.from_dict(civic_addresses_item_data)

                civic_addresses.append(civic_addresses_item)

        _nw_area_info = d.pop("nwAreaInfo", UNSET)
        nw_area_info: NetworkAreaInfo | Unset
        if isinstance(_nw_area_info, Unset):
            nw_area_info = UNSET
        else:
            nw_area_info = NetworkAreaInfo.from_dict(_nw_area_info)

        location_area_5g = cls(
            geographic_areas=geographic_areas,
            civic_addresses=civic_addresses,
            nw_area_info=nw_area_info,
        )

        location_area_5g.additional_properties = d
        return location_area_5g

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
