from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.civic_address import CivicAddress
    from ..models.ellipsoid_arc import EllipsoidArc
    from ..models.point import Point
    from ..models.point_altitude import PointAltitude
    from ..models.point_altitude_uncertainty import PointAltitudeUncertainty
    from ..models.point_uncertainty_circle import PointUncertaintyCircle
    from ..models.point_uncertainty_ellipse import PointUncertaintyEllipse
    from ..models.polygon import Polygon


T = TypeVar("T", bound="LocationArea")


@_attrs_define
class LocationArea:
    """Where the UEs are, in the terms of 2G/3G/4G access: cells, eNodeBs, routing or tracking areas, shapes on the map, or
    postal addresses. Each list, when sent, names at least one element.

        Attributes:
            cell_ids (list[str] | Unset): Cell global identities.
            enode_b_ids (list[str] | Unset): eNodeB identities.
            routing_area_ids (list[str] | Unset): Routing area identities.
            tracking_area_ids (list[str] | Unset): Tracking area identities.
            geographic_areas (list[EllipsoidArc | Point | PointAltitude | PointAltitudeUncertainty | PointUncertaintyCircle
                | PointUncertaintyEllipse | Polygon] | Unset): Shapes on the surface of the earth (TS 23.032 shapes).
            civic_addresses (list[CivicAddress] | Unset): Postal-style addresses (RFC 4776 elements).
    """

    cell_ids: list[str] | Unset = UNSET
    enode_b_ids: list[str] | Unset = UNSET
    routing_area_ids: list[str] | Unset = UNSET
    tracking_area_ids: list[str] | Unset = UNSET
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
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.point import Point  # noqa: PLC0415
        from ..models.point_altitude import PointAltitude  # noqa: PLC0415
        from ..models.point_altitude_uncertainty import PointAltitudeUncertainty  # noqa: PLC0415
        from ..models.point_uncertainty_circle import PointUncertaintyCircle  # noqa: PLC0415
        from ..models.point_uncertainty_ellipse import PointUncertaintyEllipse  # noqa: PLC0415
        from ..models.polygon import Polygon  # noqa: PLC0415

        cell_ids: list[str] | Unset = UNSET
        if not isinstance(self.cell_ids, Unset):
            cell_ids = self.cell_ids

        enode_b_ids: list[str] | Unset = UNSET
        if not isinstance(self.enode_b_ids, Unset):
            enode_b_ids = self.enode_b_ids

        routing_area_ids: list[str] | Unset = UNSET
        if not isinstance(self.routing_area_ids, Unset):
            routing_area_ids = self.routing_area_ids

        tracking_area_ids: list[str] | Unset = UNSET
        if not isinstance(self.tracking_area_ids, Unset):
            tracking_area_ids = self.tracking_area_ids

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

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if cell_ids is not UNSET:
            field_dict["cellIds"] = cell_ids
        if enode_b_ids is not UNSET:
            field_dict["enodeBIds"] = enode_b_ids
        if routing_area_ids is not UNSET:
            field_dict["routingAreaIds"] = routing_area_ids
        if tracking_area_ids is not UNSET:
            field_dict["trackingAreaIds"] = tracking_area_ids
        if geographic_areas is not UNSET:
            field_dict["geographicAreas"] = geographic_areas
        if civic_addresses is not UNSET:
            field_dict["civicAddresses"] = civic_addresses

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.civic_address import CivicAddress  # noqa: PLC0415
        from ..models.ellipsoid_arc import EllipsoidArc  # noqa: PLC0415
        from ..models.point import Point  # noqa: PLC0415
        from ..models.point_altitude import PointAltitude  # noqa: PLC0415
        from ..models.point_altitude_uncertainty import PointAltitudeUncertainty  # noqa: PLC0415
        from ..models.point_uncertainty_circle import PointUncertaintyCircle  # noqa: PLC0415
        from ..models.point_uncertainty_ellipse import PointUncertaintyEllipse  # noqa: PLC0415
        from ..models.polygon import Polygon  # noqa: PLC0415

        d = dict(src_dict)
        cell_ids = cast(list[str], d.pop("cellIds", UNSET))

        enode_b_ids = cast(list[str], d.pop("enodeBIds", UNSET))

        routing_area_ids = cast(list[str], d.pop("routingAreaIds", UNSET))

        tracking_area_ids = cast(list[str], d.pop("trackingAreaIds", UNSET))

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

        location_area = cls(
            cell_ids=cell_ids,
            enode_b_ids=enode_b_ids,
            routing_area_ids=routing_area_ids,
            tracking_area_ids=tracking_area_ids,
            geographic_areas=geographic_areas,
            civic_addresses=civic_addresses,
        )

        location_area.additional_properties = d
        return location_area

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
