from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="UncertaintyEllipse")


@_attrs_define
class UncertaintyEllipse:
    """An ellipse around a point: its two semi-axes (metres) and the angle of the longer one.

    Attributes:
        semi_major (float): A distance, in metres, within which the real position lies.
        semi_minor (float): A distance, in metres, within which the real position lies.
        orientation_major (int): Angle of the major axis from north, in degrees.
    """

    semi_major: float
    semi_minor: float
    orientation_major: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        semi_major = self.semi_major

        semi_minor = self.semi_minor

        orientation_major = self.orientation_major

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "semiMajor": semi_major,
                "semiMinor": semi_minor,
                "orientationMajor": orientation_major,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        semi_major = d.pop("semiMajor")

        semi_minor = d.pop("semiMinor")

        orientation_major = d.pop("orientationMajor")

        uncertainty_ellipse = cls(
            semi_major=semi_major,
            semi_minor=semi_minor,
            orientation_major=orientation_major,
        )

        uncertainty_ellipse.additional_properties = d
        return uncertainty_ellipse

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
