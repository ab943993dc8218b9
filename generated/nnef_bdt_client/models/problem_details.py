from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.invalid_param import InvalidParam


T = TypeVar("T", bound="ProblemDetails")


@_attrs_define
class ProblemDetails:
    """Error body of the northbound APIs: RFC 7807 problem details with the 3GPP members.

    Attributes:
        type_ (str | Unset): A URI (RFC 3986).
        title (str | Unset): The kind of problem in a few words; the same for every occurrence.
        status (int | Unset): The HTTP status of this answer, repeated in the body.
        detail (str | Unset): What went wrong this time, for a human reader.
        instance (str | Unset): A URI (RFC 3986).
        cause (str | Unset): The application error cause, for programs to branch on.
        invalid_params (list[InvalidParam] | Unset): The parameters that made the request invalid.
        supported_features (str | Unset): Hexadecimal bit mask of the optional features of an API (TS 29.500 clause
            6.6); the last character carries features 1 to 4, and missing high characters mean "not supported".
    """

    type_: str | Unset = UNSET
    title: str | Unset = UNSET
    status: int | Unset = UNSET
    detail: str | Unset = UNSET
    instance: str | Unset = UNSET
    cause: str | Unset = UNSET
    invalid_params: list[InvalidParam] | Unset = UNSET
    supported_features: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_

        title = self.title

        status = self.status

        detail = self.detail

        instance = self.instance

        cause = self.cause

        invalid_params: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.invalid_params, Unset):
            invalid_params = []
            for invalid_params_item_data in self.invalid_params:
                invalid_params_item = invalid_params_item_data.to_dict()
                invalid_params.append(invalid_params_item)

        supported_features = self.supported_features

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if type_ is not UNSET:
            field_dict["type"] = type_
        if title is not UNSET:
            field_dict["title"] = title
        if status is not UNSET:
            field_dict["status"] = status
        if detail is not UNSET:
            field_dict["detail"] = detail
        if instance is not UNSET:
            field_dict["instance"] = instance
        if cause is not UNSET:
            field_dict["cause"] = cause
        if invalid_params is not UNSET:
            field_dict["invalidParams"] = invalid_params
        if supported_features is not UNSET:
            field_dict["supportedFeatures"] = supported_features

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.invalid_param import InvalidParam  # noqa: PLC0415

        d = dict(src_dict)
        type_ = d.pop("type", UNSET)

        title = d.pop("title", UNSET)

        status = d.pop("status", UNSET)

        detail = d.pop("detail", UNSET)

        instance = d.pop("instance", UNSET)

        cause = d.pop("cause", UNSET)

        _invalid_params = d.pop("invalidParams", UNSET)
        invalid_params: list[InvalidParam] | Unset = UNSET
        if _invalid_params is not UNSET:
            invalid_params = []
            for invalid_params_item_data in _invalid_params:
                invalid_params_item = InvalidParam.from_dict(invalid_params_item_data)

                invalid_params.append(invalid_params_item)

        supported_features = d.pop("supportedFeatures", UNSET)

        problem_details = cls(
            type_=type_,
            title=title,
            status=status,
            detail=detail,
            instance=instance,
            cause=cause,
            invalid_params=invalid_params,
            supported_features=supported_features,
        )

        problem_details.additional_properties = d
        return problem_details

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
