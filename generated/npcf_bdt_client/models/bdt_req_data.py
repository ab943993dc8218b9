from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.network_area_info import NetworkAreaInfo
    from ..models.snssai import Snssai
    from ..models.time_window import TimeWindow
    from ..models.usage_threshold import UsageThreshold


T = TypeVar("T", bound="BdtReqData")


@_attrs_define
class BdtReqData:
    """What an ASP, through the NEF, wants to transfer, where and when.

    Attributes:
        asp_id (str): Identifier of an application service provider.
        des_time_int (TimeWindow): A period from a start time to a stop time.
        num_of_ues (int): How many UEs take part in the transfer.
        vol_per_ue (UsageThreshold): Volumes (bytes) and duration (seconds) of an expected usage; in BDT, the volume one
            UE transfers, in total and per direction.
        dnn (str | Unset): Data network name (TS 23.003 clause 9A): a network identifier, optionally followed by an
            operator identifier, labels separated by dots.
        inter_group_id (str | Unset): Internal group identifier of a set of subscribers (TS 23.003 clause 19.9).
        notif_uri (str | Unset): A URI (RFC 3986).
        nw_area_info (NetworkAreaInfo | Unset): The area (cells, RAN nodes, tracking areas) where the UEs are expected.
        snssai (Snssai | Unset): A network slice (slice/service type and optional differentiator).
        supp_feat (str | Unset): Hexadecimal bit mask of the optional features of an API (TS 29.500 clause 6.6); the
            last character carries features 1 to 4, and missing high characters mean "not supported".
        traffic_des (str | Unset): A traffic descriptor component, encoded as TS 24.526 encodes it, that the transfer
            applies to.
        warn_notif_req (bool | Unset): True when the requester wants BDT warning notifications. Default: False.
    """

    asp_id: str
    des_time_int: TimeWindow
    num_of_ues: int
    vol_per_ue: UsageThreshold
    dnn: str | Unset = UNSET
    inter_group_id: str | Unset = UNSET
    notif_uri: str | Unset = UNSET
    nw_area_info: NetworkAreaInfo | Unset = UNSET
    snssai: Snssai | Unset = UNSET
    supp_feat: str | Unset = UNSET
    traffic_des: str | Unset = UNSET
    warn_notif_req: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        asp_id = self.asp_id

        des_time_int = self.des_time_int.to_dict()

        num_of_ues = self.num_of_ues

        vol_per_ue = self.vol_per_ue.to_dict()

        dnn = self.dnn

        inter_group_id = self.inter_group_id

        notif_uri = self.notif_uri

        nw_area_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.nw_area_info, Unset):
            nw_area_info = self.nw_area_info.to_dict()

        snssai: dict[str, Any] | Unset = UNSET
        if not isinstance(self.snssai, Unset):
            snssai = self.snssai.to_dict()

        supp_feat = self.supp_feat

        traffic_des = self.traffic_des

        warn_notif_req = self.warn_notif_req

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "aspId": asp_id,
                "desTimeInt": des_time_int,
                "numOfUes": num_of_ues,
                "volPerUe": vol_per_ue,
            }
        )
        if dnn is not UNSET:
            field_dict["dnn"] = dnn
        if inter_group_id is not UNSET:
            field_dict["interGroupId"] = inter_group_id
        if notif_uri is not UNSET:
            field_dict["notifUri"] = notif_uri
        if nw_area_info is not UNSET:
            field_dict["nwAreaInfo"] = nw_area_info
        if snssai is not UNSET:
            field_dict["snssai"] = snssai
        if supp_feat is not UNSET:
            field_dict["suppFeat"] = supp_feat
        if traffic_des is not UNSET:
            field_dict["trafficDes"] = traffic_des
        if warn_notif_req is not UNSET:
            field_dict["warnNotifReq"] = warn_notif_req

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.network_area_info import NetworkAreaInfo  # noqa: PLC0415
        from ..models.snssai import Snssai  # noqa: PLC0415
        from ..models.time_window import TimeWindow  # noqa: PLC0415
        from ..models.usage_threshold import UsageThreshold  # noqa: PLC0415

        d = dict(src_dict)
        asp_id = d.pop("aspId")

        des_time_int = TimeWindow.from_dict(d.pop("desTimeInt"))

        num_of_ues = d.pop("numOfUes")

        vol_per_ue = UsageThreshold.from_dict(d.pop("volPerUe"))

        dnn = d.pop("dnn", UNSET)

        inter_group_id = d.pop("interGroupId", UNSET)

        notif_uri = d.pop("notifUri", UNSET)

        _nw_area_info = d.pop("nwAreaInfo", UNSET)
        nw_area_info: NetworkAreaInfo | Unset
        if isinstance(_nw_area_info, Unset):
            nw_area_info = UNSET
        else:
            nw_area_info = NetworkAreaInfo.from_dict(_nw_area_info)

        _snssai = d.pop("snssai", UNSET)
        snssai: Snssai | Unset
        if isinstance(_snssai, Unset):
            snssai = UNSET
        else:
            snssai = Snssai.from_dict(_snssai)

        supp_feat = d.pop("suppFeat", UNSET)

        traffic_des = d.pop("trafficDes", UNSET)

        warn_notif_req = d.pop("warnNotifReq", UNSET)

        bdt_req_data = cls(
            asp_id=asp_id,
            des_time_int=des_time_int,
            num_of_ues=num_of_ues,
            vol_per_ue=vol_per_ue,
            dnn=dnn,
            inter_group_id=inter_group_id,
            notif_uri=notif_uri,
            nw_area_info=nw_area_info,
            snssai=snssai,
            supp_feat=supp_feat,
            traffic_des=traffic_des,
            warn_notif_req=warn_notif_req,
        )

        bdt_req_data.additional_properties = d
        return bdt_req_data

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
