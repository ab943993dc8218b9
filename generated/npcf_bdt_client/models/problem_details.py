from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.access_token_err import AccessTokenErr
    from ..models.access_token_req import AccessTokenReq
    from ..models.invalid_param import InvalidParam


T = TypeVar("T", bound="ProblemDetails")


@_attrs_define
class ProblemDetails:
    """Error body of the SBI (RFC 7807 with the 3GPP extensions).

    Attributes:
        type_ (str | Unset): A URI (RFC 3986).
        title (str | Unset):
        status (int | Unset):
        detail (str | Unset): Explanation of this occurrence, for a human reader.
        instance (str | Unset): A URI (RFC 3986).
        cause (str | Unset): Machine-readable cause of the error (TS 29.500 or the API's own).
        invalid_params (list[InvalidParam] | Unset):
        supported_features (str | Unset): Hexadecimal bit mask of the optional features of an API (TS 29.500 clause
            6.6); the last character carries features 1 to 4, and missing high characters mean "not supported".
        access_token_error (AccessTokenErr | Unset): The NRF's answer when it refuses to issue a token.
        access_token_request (AccessTokenReq | Unset): An access token request (client credentials grant) sent to the
            NRF.
        nrf_id (str | Unset): A fully qualified domain name.
        supported_api_versions (list[str] | Unset):
    """

    type_: str | Unset = UNSET
    title: str | Unset = UNSET
    status: int | Unset = UNSET
    detail: str | Unset = UNSET
    instance: str | Unset = UNSET
    cause: str | Unset = UNSET
    invalid_params: list[InvalidParam] | Unset = UNSET
    supported_features: str | Unset = UNSET
    access_token_error: AccessTokenErr | Unset = UNSET
    access_token_request: AccessTokenReq | Unset = UNSET
    nrf_id: str | Unset = UNSET
    supported_api_versions: list[str] | Unset = UNSET
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

        access_token_error: dict[str, Any] | Unset = UNSET
        if not isinstance(self.access_token_error, Unset):
            access_token_error = self.access_token_error.to_dict()

        access_token_request: dict[str, Any] | Unset = UNSET
        if not isinstance(self.access_token_request, Unset):
            access_token_request = self.access_token_request.to_dict()

        nrf_id = self.nrf_id

        supported_api_versions: list[str] | Unset = UNSET
        if not isinstance(self.supported_api_versions, Unset):
            supported_api_versions = self.supported_api_versions

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
        if access_token_error is not UNSET:
            field_dict["accessTokenError"] = access_token_error
        if access_token_request is not UNSET:
            field_dict["accessTokenRequest"] = access_token_request
        if nrf_id is not UNSET:
            field_dict["nrfId"] = nrf_id
        if supported_api_versions is not UNSET:
            field_dict["supportedApiVersions"] = supported_api_versions

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.access_token_err import AccessTokenErr  # noqa: PLC0415
        from ..models.access_token_req import AccessTokenReq  # noqa: PLC0415
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

        _access_token_error = d.pop("accessTokenError", UNSET)
        access_token_error: AccessTokenErr | Unset
        if isinstance(_access_token_error, Unset):
            access_token_error = UNSET
        else:
            access_token_error = AccessTokenErr.from_dict(_access_token_error)

        _access_token_request = d.pop("accessTokenRequest", UNSET)
        access_token_request: AccessTokenReq | Unset
        if isinstance(_access_token_request, Unset):
            access_token_request = UNSET
        else:
            access_token_request = AccessTokenReq.from_dict(_access_token_request)

        nrf_id = d.pop("nrfId", UNSET)

        supported_api_versions = cast(list[str], d.pop("supportedApiVersions", UNSET))

        problem_details = cls(
            type_=type_,
            title=title,
            status=status,
            detail=detail,
            instance=instance,
            cause=cause,
            invalid_params=invalid_params,
            supported_features=supported_features,
            access_token_error=access_token_error,
            access_token_request=access_token_request,
            nrf_id=nrf_id,
            supported_api_versions=supported_api_versions,
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
