from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.access_token_req_grant_type import AccessTokenReqGrantType
from ..models.nf_type_type_0 import NFTypeType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.plmn_id import PlmnId
    from ..models.plmn_id_nid import PlmnIdNid
    from ..models.snssai import Snssai


T = TypeVar("T", bound="AccessTokenReq")


@_attrs_define
class AccessTokenReq:
    """An access token request (client credentials grant) sent to the NRF.

    Attributes:
        grant_type (AccessTokenReqGrantType):
        nf_instance_id (UUID): UUID (version 4) of an NF instance.
        scope (str):
        nf_type (NFTypeType0 | str | Unset): Kind of network function; an open enumeration, so values added by later
            releases are accepted as plain strings.
        target_nf_type (NFTypeType0 | str | Unset): Kind of network function; an open enumeration, so values added by
            later releases are accepted as plain strings.
        target_nf_instance_id (UUID | Unset): UUID (version 4) of an NF instance.
        requester_plmn (PlmnId | Unset): A PLMN identity (MCC and MNC).
        requester_plmn_list (list[PlmnId] | Unset):
        requester_snssai_list (list[Snssai] | Unset):
        requester_fqdn (str | Unset): A fully qualified domain name.
        requester_snpn_list (list[PlmnIdNid] | Unset):
        target_plmn (PlmnId | Unset): A PLMN identity (MCC and MNC).
        target_snpn (PlmnIdNid | Unset): A PLMN identity with, for an SNPN, its network identifier.
        target_snssai_list (list[Snssai] | Unset):
        target_nsi_list (list[str] | Unset):
        target_nf_set_id (str | Unset): Identifier of an NF set (TS 23.003 clause 28.12).
        target_nf_service_set_id (str | Unset): Identifier of an NF service set (TS 23.003 clause 28.12).
        hnrf_access_token_uri (str | Unset): A URI (RFC 3986).
        source_nf_instance_id (UUID | Unset): UUID (version 4) of an NF instance.
    """

    grant_type: AccessTokenReqGrantType
    nf_instance_id: UUID
    scope: str
    nf_type: NFTypeType0 | str | Unset = UNSET
    target_nf_type: NFTypeType0 | str | Unset = UNSET
    target_nf_instance_id: UUID | Unset = UNSET
    requester_plmn: PlmnId | Unset = UNSET
    requester_plmn_list: list[PlmnId] | Unset = UNSET
    requester_snssai_list: list[Snssai] | Unset = UNSET
    requester_fqdn: str | Unset = UNSET
    requester_snpn_list: list[PlmnIdNid] | Unset = UNSET
    target_plmn: PlmnId | Unset = UNSET
    target_snpn: PlmnIdNid | Unset = UNSET
    target_snssai_list: list[Snssai] | Unset = UNSET
    target_nsi_list: list[str] | Unset = UNSET
    target_nf_set_id: str | Unset = UNSET
    target_nf_service_set_id: str | Unset = UNSET
    hnrf_access_token_uri: str | Unset = UNSET
    source_nf_instance_id: UUID | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        grant_type = self.grant_type.value

        nf_instance_id = str(self.nf_instance_id)

        scope = self.scope

        nf_type: str | Unset
        if isinstance(self.nf_type, Unset):
            nf_type = UNSET
        elif isinstance(self.nf_type, NFTypeType0):
            nf_type = self.nf_type.value
        else:
            nf_type = self.nf_type

        target_nf_type: str | Unset
        if isinstance(self.target_nf_type, Unset):
            target_nf_type = UNSET
        elif isinstance(self.target_nf_type, NFTypeType0):
            target_nf_type = self.target_nf_type.value
        else:
            target_nf_type = self.target_nf_type

        target_nf_instance_id: str | Unset = UNSET
        if not isinstance(self.target_nf_instance_id, Unset):
            target_nf_instance_id = str(self.target_nf_instance_id)

        requester_plmn: dict[str, Any] | Unset = UNSET
        if not isinstance(self.requester_plmn, Unset):
            requester_plmn = self.requester_plmn.to_dict()

        requester_plmn_list: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.requester_plmn_list, Unset):
            requester_plmn_list = []
            for requester_plmn_list_item_data in self.requester_plmn_list:
                requester_plmn_list_item = requester_plmn_list_item_data.to_dict()
                requester_plmn_list.append(requester_plmn_list_item)

        requester_snssai_list: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.requester_snssai_list, Unset):
            requester_snssai_list = []
            for requester_snssai_list_item_data in self.requester_snssai_list:
                requester_snssai_list_item = requester_snssai_list_item_data.to_dict()
                requester_snssai_list.append(requester_snssai_list_item)

        requester_fqdn = self.requester_fqdn

        requester_snpn_list: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.requester_snpn_list, Unset):
            requester_snpn_list = []
            for requester_snpn_list_item_data in self.requester_snpn_list:
                requester_snpn_list_item = requester_snpn_list_item_data.to_dict()
                requester_snpn_list.append(requester_snpn_list_item)

        target_plmn: dict[str, Any] | Unset = UNSET
        if not isinstance(self.target_plmn, Unset):
            target_plmn = self.target_plmn.to_dict()

        target_snpn: dict[str, Any] | Unset = UNSET
        if not isinstance(self.target_snpn, Unset):
            target_snpn = self.target_snpn.to_dict()

        target_snssai_list: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.target_snssai_list, Unset):
            target_snssai_list = []
            for target_snssai_list_item_data in self.target_snssai_list:
                target_snssai_list_item = target_snssai_list_item_data.to_dict()
                target_snssai_list.append(target_snssai_list_item)

        target_nsi_list: list[str] | Unset = UNSET
        if not isinstance(self.target_nsi_list, Unset):
            target_nsi_list = self.target_nsi_list

        target_nf_set_id = self.target_nf_set_id

        target_nf_service_set_id = self.target_nf_service_set_id

        hnrf_access_token_uri = self.hnrf_access_token_uri

        source_nf_instance_id: str | Unset = UNSET
        if not isinstance(self.source_nf_instance_id, Unset):
            source_nf_instance_id = str(self.source_nf_instance_id)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "grant_type": grant_type,
                "nfInstanceId": nf_instance_id,
                "scope": scope,
            }
        )
        if nf_type is not UNSET:
            field_dict["nfType"] = nf_type
        if target_nf_type is not UNSET:
            field_dict["targetNfType"] = target_nf_type
        if target_nf_instance_id is not UNSET:
            field_dict["targetNfInstanceId"] = target_nf_instance_id
        if requester_plmn is not UNSET:
            field_dict["requesterPlmn"] = requester_plmn
        if requester_plmn_list is not UNSET:
            field_dict["requesterPlmnList"] = requester_plmn_list
        if requester_snssai_list is not UNSET:
            field_dict["requesterSnssaiList"] = requester_snssai_list
        if requester_fqdn is not UNSET:
            field_dict["requesterFqdn"] = requester_fqdn
        if requester_snpn_list is not UNSET:
            field_dict["requesterSnpnList"] = requester_snpn_list
        if target_plmn is not UNSET:
            field_dict["targetPlmn"] = target_plmn
        if target_snpn is not UNSET:
            field_dict["targetSnpn"] = target_snpn
        if target_snssai_list is not UNSET:
            field_dict["targetSnssaiList"] = target_snssai_list
        if target_nsi_list is not UNSET:
            field_dict["targetNsiList"] = target_nsi_list
        if target_nf_set_id is not UNSET:
            field_dict["targetNfSetId"] = target_nf_set_id
        if target_nf_service_set_id is not UNSET:
            field_dict["targetNfServiceSetId"] = target_nf_service_set_id
        if hnrf_access_token_uri is not UNSET:
            field_dict["hnrfAccessTokenUri"] = hnrf_access_token_uri
        if source_nf_instance_id is not UNSET:
            field_dict["sourceNfInstanceId"] = source_nf_instance_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.plmn_id import PlmnId  # noqa: PLC0415
        from ..models.plmn_id_nid import PlmnIdNid  # noqa: PLC0415
        from ..models.snssai import Snssai  # noqa: PLC0415

        d = dict(src_dict)
        grant_type = AccessTokenReqGrantType(d.pop("grant_type"))

        nf_instance_id = UUID(d.pop("nfInstanceId"))

        scope = d.pop("scope")

        def _parse_nf_type(data: object) -> NFTypeType0 | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_nf_type_type_0 = NFTypeType0(data)

                return componentsschemas_nf_type_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(NFTypeType0 | str | Unset, data)

        nf_type = _parse_nf_type(d.pop("nfType", UNSET))

        def _parse_target_nf_type(data: object) -> NFTypeType0 | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                componentsschemas_nf_type_type_0 = NFTypeType0(data)

                return componentsschemas_nf_type_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(NFTypeType0 | str | Unset, data)

        target_nf_type = _parse_target_nf_type(d.pop("targetNfType", UNSET))

        _target_nf_instance_id = d.pop("targetNfInstanceId", UNSET)
        target_nf_instance_id: UUID | Unset
        if isinstance(_target_nf_instance_id, Unset):
            target_nf_instance_id = UNSET
        else:
            target_nf_instance_id = UUID(_target_nf_instance_id)

        _requester_plmn = d.pop("requesterPlmn", UNSET)
        requester_plmn: PlmnId | Unset
        if isinstance(_requester_plmn, Unset):
            requester_plmn = UNSET
        else:
            requester_plmn = PlmnId.from_dict(_requester_plmn)

        _requester_plmn_list = d.pop("requesterPlmnList", UNSET)
        requester_plmn_list: list[PlmnId] | Unset = UNSET
        if _requester_plmn_list is not UNSET:
            requester_plmn_list = []
            for requester_plmn_list_item_data in _requester_plmn_list:
                requester_plmn_list_item = PlmnId.from_dict(requester_plmn_list_item_data)

                requester_plmn_list.append(requester_plmn_list_item)

        _requester_snssai_list = d.pop("requesterSnssaiList", UNSET)
        requester_snssai_list: list[Snssai] | Unset = UNSET
        if _requester_snssai_list is not UNSET:
            requester_snssai_list = []
            for requester_snssai_list_item_data in _requester_snssai_list:
                requester_snssai_list_item = Snssai.from_dict(requester_snssai_list_item_data)

                requester_snssai_list.append(requester_snssai_list_item)

        requester_fqdn = d.pop("requesterFqdn", UNSET)

        _requester_snpn_list = d.pop("requesterSnpnList", UNSET)
        requester_snpn_list: list[PlmnIdNid] | Unset = UNSET
        if _requester_snpn_list is not UNSET:
            requester_snpn_list = []
            for requester_snpn_list_item_data in _requester_snpn_list:
                requester_snpn_list_item = PlmnIdNid.from_dict(requester_snpn_list_item_data)

                requester_snpn_list.append(requester_snpn_list_item)

        _target_plmn = d.pop("targetPlmn", UNSET)
        target_plmn: PlmnId | Unset
        if isinstance(_target_plmn, Unset):
            target_plmn = UNSET
        else:
            target_plmn = PlmnId.from_dict(_target_plmn)

        _target_snpn = d.pop("targetSnpn", UNSET)
        target_snpn: PlmnIdNid | Unset
        if isinstance(_target_snpn, Unset):
            target_snpn = UNSET
        else:
            target_snpn = PlmnIdNid.from_dict(_target_snpn)

        _target_snssai_list = d.pop("targetSnssaiList", UNSET)
        target_snssai_list: list[Snssai] | Unset = UNSET
        if _target_snssai_list is not UNSET:
            target_snssai_list = []
            for target_snssai_list_item_data in _target_snssai_list:
                target_snssai_list_item = Snssai.from_dict(target_snssai_list_item_data)

                target_snssai_list.append(target_snssai_list_item)

        target_nsi_list = cast(list[str], d.pop("targetNsiList", UNSET))

        target_nf_set_id = d.pop("targetNfSetId", UNSET)

        target_nf_service_set_id = d.pop("targetNfServiceSetId", UNSET)

        hnrf_access_token_uri = d.pop("hnrfAccessTokenUri", UNSET)

        _source_nf_instance_id = d.pop("sourceNfInstanceId", UNSET)
        source_nf_instance_id: UUID | Unset
        if isinstance(_source_nf_instance_id, Unset):
            source_nf_instance_id = UNSET
        else:
            source_nf_instance_id = UUID(_source_nf_instance_id)

        access_token_req = cls(
            grant_type=grant_type,
            nf_instance_id=nf_instance_id,
            scope=scope,
            nf_type=nf_type,
            target_nf_type=target_nf_type,
            target_nf_instance_id=target_nf_instance_id,
            requester_plmn=requester_plmn,
            requester_plmn_list=requester_plmn_list,
            requester_snssai_list=requester_snssai_list,
            requester_fqdn=requester_fqdn,
            requester_snpn_list=requester_snpn_list,
            target_plmn=target_plmn,
            target_snpn=target_snpn,
            target_snssai_list=target_snssai_list,
            target_nsi_list=target_nsi_list,
            target_nf_set_id=target_nf_set_id,
            target_nf_service_set_id=target_nf_service_set_id,
            hnrf_access_token_uri=hnrf_access_token_uri,
            source_nf_instance_id=source_nf_instance_id,
        )

        access_token_req.additional_properties = d
        return access_token_req

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
