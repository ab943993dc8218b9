from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.network_area_info import NetworkAreaInfo
    from ..models.time_window import TimeWindow
    from ..models.transfer_policy import TransferPolicy


T = TypeVar("T", bound="Notification")


@_attrs_define
class Notification:
    """BDT warning notification sent by the PCF to the notifUri.

    Attributes:
        bdt_ref_id (str): The BDT reference id the PCF assigns to a negotiated transfer (TS 29.154).
        cand_policies (list[TransferPolicy] | Unset): New candidate transfer policies computed after the network
            degraded; the NEF may select one of them.
        nw_area_info (NetworkAreaInfo | Unset): The area (cells, RAN nodes, tracking areas) where the UEs are expected.
        time_window (TimeWindow | Unset): A period from a start time to a stop time.
    """

    bdt_ref_id: str
    cand_policies: list[TransferPolicy] | Unset = UNSET
    nw_area_info: NetworkAreaInfo | Unset = UNSET
    time_window: TimeWindow | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bdt_ref_id = self.bdt_ref_id

        cand_policies: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.cand_policies, Unset):
            cand_policies = []
            for cand_policies_item_data in self.cand_policies:
                cand_policies_item = cand_policies_item_data.to_dict()
                cand_policies.append(cand_policies_item)

        nw_area_info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.nw_area_info, Unset):
            nw_area_info = self.nw_area_info.to_dict()

        time_window: dict[str, Any] | Unset = UNSET
        if not isinstance(self.time_window, Unset):
            time_window = self.time_window.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bdtRefId": bdt_ref_id,
            }
        )
        if cand_policies is not UNSET:
            field_dict["candPolicies"] = cand_policies
        if nw_area_info is not UNSET:
            field_dict["nwAreaInfo"] = nw_area_info
        if time_window is not UNSET:
            field_dict["timeWindow"] = time_window

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.network_area_info import NetworkAreaInfo  # noqa: PLC0415
        from ..models.time_window import TimeWindow  # noqa: PLC0415
        from ..models.transfer_policy import TransferPolicy  # noqa: PLC0415

        d = dict(src_dict)
        bdt_ref_id = d.pop("bdtRefId")

        _cand_policies = d.pop("candPolicies", UNSET)
        cand_policies: list[TransferPolicy] | Unset = UNSET
        if _cand_policies is not UNSET:
            cand_policies = []
            for cand_policies_item_data in _cand_policies:
                cand_policies_item = TransferPolicy.from_dict(cand_policies_item_data)

                cand_policies.append(cand_policies_item)

        _nw_area_info = d.pop("nwAreaInfo", UNSET)
        nw_area_info: NetworkAreaInfo | Unset
        if isinstance(_nw_area_info, Unset):
            nw_area_info = UNSET
        else:
            nw_area_info = NetworkAreaInfo.from_dict(_nw_area_info)

        _time_window = d.pop("timeWindow", UNSET)
        time_window: TimeWindow | Unset
        if isinstance(_time_window, Unset):
            time_window = UNSET
        else:
            time_window = TimeWindow.from_dict(_time_window)

        notification = cls(
            bdt_ref_id=bdt_ref_id,
            cand_policies=cand_policies,
            nw_area_info=nw_area_info,
            time_window=time_window,
        )

        notification.additional_properties = d
        return notification

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
