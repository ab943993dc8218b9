from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.supported_gad_shapes_type_0 import SupportedGADShapesType0

if TYPE_CHECKING:
    from ..models.geographical_coordinates import GeographicalCoordinates
    from ..models.uncertainty_ellipse import UncertaintyEllipse


T = TypeVar("T", bound="PointAltitudeUncertainty")


@_attrs_define
class PointAltitudeUncertainty:
    """A point with its height, an ellipse of horizontal uncertainty, a vertical uncertainty and the confidence.

    Attributes:
        shape (str | SupportedGADShapesType0): Name of a shape. The listed names are those known today; other strings
            are accepted so that newer shapes do not break older readers.
        point (GeographicalCoordinates): Longitude and latitude in degrees (WGS 84).
        altitude (float): Height above the WGS 84 ellipsoid, in metres.
        uncertainty_ellipse (UncertaintyEllipse): An ellipse around a point: its two semi-axes (metres) and the angle of
            the longer one.
        uncertainty_altitude (float): A distance, in metres, within which the real position lies.
        confidence (int): How likely the real position is inside the shape, in percent.
    """

    shape: str | SupportedGADShapesType0
    point: GeographicalCoordinates
    altitude: float
    uncertainty_ellipse: UncertaintyEllipse
    uncertainty_altitude: float
    confidence: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        shape: str
        if isinstance(self.shape, SupportedGADShapesType0):
            shape = self.shape.value
        else:
            shape = self.shape

        point = self.point.to_dict()

        altitude = self.altitude

        uncertainty_ellipse = self.uncertainty_ellipse.to_dict()

        uncertainty_altitude = self.uncertainty_altitude

        confidence = self.confidence

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "shape": shape,
                "point": point,
                "altitude": altitude,
                "uncertaintyEllipse": uncertainty_ellipse,
                "uncertaintyAltitude": uncertainty_altitude,
                "confidence": confidence,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.geographical_coordinates import GeographicalCoordinates  # noqa: PLC0415
        from ..models.uncertainty_ellipse import UncertaintyEllipse  # noqa: PLC0415

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

        altitude = d.pop("altitude")

        uncertainty_ellipse = UncertaintyEllipse.from_dict(d.pop("uncertaintyEllipse"))

        uncertainty_altitude = d.pop("uncertaintyAltitude")

        confidence = d.pop("confidence")

        point_altitude_uncertainty = cls(
            shape=shape,
            point=point,
            altitude=altitude,
            uncertainty_ellipse=uncertainty_ellipse,
            uncertainty_altitude=uncertainty_altitude,
            confidence=confidence,
        )

        point_altitude_uncertainty.additional_properties = d
        return point_altitude_uncertainty

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
