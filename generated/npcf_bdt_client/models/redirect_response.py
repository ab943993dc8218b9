from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="RedirectResponse")


@_attrs_define
class RedirectResponse:
    """Body of a 307/308 redirection.

    Attributes:
        cause (str | Unset):
        target_scp (str | Unset): A URI (RFC 3986).
        target_sepp (str | Unset): A URI (RFC 3986).
    """

    cause: str | Unset = UNSET
    target_scp: str | Unset = UNSET
    target_sepp: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cause = self.cause

        target_scp = self.target_scp

        target_sepp = self.target_sepp

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if cause is not UNSET:
            field_dict["cause"] = cause
        if target_scp is not UNSET:
            field_dict["targetScp"] = target_scp
        if target_sepp is not UNSET:
            field_dict["targetSepp"] = target_sepp

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        cause = d.pop("cause", UNSET)

        target_scp = d.pop("targetScp", UNSET)

        target_sepp = d.pop("targetSepp", UNSET)

        redirect_response = cls(
            cause=cause,
            target_scp=target_scp,
            target_sepp=target_sepp,
        )

        redirect_response.additional_properties = d
        return redirect_response

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
