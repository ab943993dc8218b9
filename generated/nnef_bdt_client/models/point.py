from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.supported_gad_shapes_type_0 import SupportedGADShapesType0

if TYPE_CHECKING:
    from ..models.geographical_coordinates import GeographicalCoordinates


T = TypeVar("T", bound="Point")


@_attrs_define
class Point:
    """A single point on the ellipsoid.

    Attributes:
        shape (str | SupportedGADShapesType0): Name of a shape. The listed names are those known today; other strings
            are accepted so that newer shapes do not break older readers.
        point (GeographicalCoordinates): Longitude and latitude in degrees (WGS 84).
    """

    shape: str | SupportedGADShapesType0
    point: GeographicalCoordinates
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        shape: str
        if isinstance(self.shape, SupportedGADShapesType0):
            shape = self.shape.value
        else:
            shape = self.shape

        point = self.point.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "shape": shape,
                "point": point,
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

        point = cls(
            shape=shape,
            point=point,
        )

        point.additional_properties = d
        return point

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
