from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GNbId")


@_attrs_define
class GNbId:
    """A gNB identifier and its length in bits.

    Attributes:
        bit_length (int): Length of the gNB identifier, 22 to 32 bits.
        g_nb_value (str): The gNB identifier in hex, left-padded to whole nibbles.
    """

    bit_length: int
    g_nb_value: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bit_length = self.bit_length

        g_nb_value = self.g_nb_value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bitLength": bit_length,
                "gNBValue": g_nb_value,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        bit_length = d.pop("bitLength")

        g_nb_value = d.pop("gNBValue")

        g_nb_id = cls(
            bit_length=bit_length,
            g_nb_value=g_nb_value,
        )

        g_nb_id.additional_properties = d
        return g_nb_id

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
