from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.supported_gad_shapes_type_0 import SupportedGADShapesType0

if TYPE_CHECKING:
    from ..models.geographical_coordinates import GeographicalCoordinates


T = TypeVar("T", bound="EllipsoidArc")


@_attrs_define
class EllipsoidArc:
    """Part of a ring around a point: inner radius, thickness, the angle where it starts and the angle it spans, and the
    confidence.

        Attributes:
            shape (str | SupportedGADShapesType0): Name of a shape. The listed names are those known today; other strings
                are accepted so that newer shapes do not break older readers.
            point (GeographicalCoordinates): Longitude and latitude in degrees (WGS 84).
            inner_radius (int): Radius of the inner edge of an arc, in metres.
            uncertainty_radius (float): A distance, in metres, within which the real position lies.
            offset_angle (int): An angle in whole degrees.
            included_angle (int): An angle in whole degrees.
            confidence (int): How likely the real position is inside the shape, in percent.
    """

    shape: str | SupportedGADShapesType0
    point: GeographicalCoordinates
    inner_radius: int
    uncertainty_radius: float
    offset_angle: int
    included_angle: int
    confidence: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        shape: str
        if isinstance(self.shape, SupportedGADShapesType0):
            shape = self.shape.value
        else:
            shape = self.shape

        point = self.point.to_dict()

        inner_radius = self.inner_radius

        uncertainty_radius = self.uncertainty_radius

        offset_angle = self.offset_angle

        included_angle = self.included_angle

        confidence = self.confidence

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "shape": shape,
                "point": point,
                "innerRadius": inner_radius,
                "uncertaintyRadius": uncertainty_radius,
                "offsetAngle": offset_angle,
                "includedAngle": included_angle,
                "confidence": confidence,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.geographical_coordinates import GeographicalCoordinates  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_shape(data: object) -> str | SupportedGADShapesType0:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_supported_gad_shapes_type_0 = SupportedGADShapesType0(data)

                return componentsschemas_supported_gad_shapes_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(str | SupportedGADShapesType0, data)

        shape = _parse_shape(d.pop("shape"))

        point = GeographicalCoordinates.from_dict(d.pop("point"))

        inner_radius = d.pop("innerRadius")

        uncertainty_radius = d.pop("uncertaintyRadius")

        offset_angle = d.pop("offsetAngle")

        included_angle = d.pop("includedAngle")

        confidence = d.pop("confidence")

        ellipsoid_arc = cls(
            shape=shape,
            point=point,
            inner_radius=inner_radius,
            uncertainty_radius=uncertainty_radius,
            offset_angle=offset_angle,
            included_angle=included_angle,
            confidence=confidence,
        )

        ellipsoid_arc.additional_properties = d
        return ellipsoid_arc

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
