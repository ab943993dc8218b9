from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.location_area_5g import LocationArea5G
    from ..models.time_window import TimeWindow
    from ..models.transfer_policy import TransferPolicy


T = TypeVar("T", bound="ExNotification")


@_attrs_define
class ExNotification:
    """BDT warning notification to the AF: the network degraded where and when the transfer was planned, and here are the
    transfer policies it can still offer.

        Attributes:
            bdt_ref_id (str): The BDT reference id the PCF assigns to a negotiated transfer (TS 29.154).
            location_area_5g (LocationArea5G | Unset): Where the UEs are, in 5G terms: shapes on the map, postal addresses,
                or network area information (TAIs, cells, RAN nodes) as the PCF uses it.
            time_window (TimeWindow | Unset): A period from a start time to a stop time.
            cand_policies (list[TransferPolicy] | Unset): New transfer policies the AF may choose from instead of the one
                the degradation spoiled.
    """

    bdt_ref_id: str
    location_area_5g: LocationArea5G | Unset = UNSET
    time_window: TimeWindow | Unset = UNSET
    cand_policies: list[TransferPolicy] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bdt_ref_id = self.bdt_ref_id

        location_area_5g: dict[str, Any] | Unset = UNSET
        if not isinstance(self.location_area_5g, Unset):
            location_area_5g = self.location_area_5g.to_dict()

        time_window: dict[str, Any] | Unset = UNSET
        if not isinstance(self.time_window, Unset):
            time_window = self.time_window.to_dict()

        cand_policies: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.cand_policies, Unset):
            cand_policies = []
            for cand_policies_item_data in self.cand_policies:
                cand_policies_item = cand_policies_item_data.to_dict()
                cand_policies.append(cand_policies_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bdtRefId": bdt_ref_id,
            }
        )
        if location_area_5g is not UNSET:
            field_dict["locationArea5G"] = location_area_5g
        if time_window is not UNSET:
            field_dict["timeWindow"] = time_window
        if cand_policies is not UNSET:
            field_dict["candPolicies"] = cand_policies

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.location_area_5g import LocationArea5G  # noqa: PLC0415
        from ..models.time_window import TimeWindow  # noqa: PLC0415
        from ..models.transfer_policy import TransferPolicy  # noqa: PLC0415

        d = dict(src_dict)
        bdt_ref_id = d.pop("bdtRefId")

        _location_area_5g = d.pop("locationArea5G", UNSET)
        location_area_5g: LocationArea5G | Unset
        if isinstance(_location_area_5g, Unset):
            location_area_5g = UNSET
        else:
            location_area_5g = LocationArea5G.from_dict(_location_area_5g)

        _time_window = d.pop("timeWindow", UNSET)
        time_window: TimeWindow | Unset
        if isinstance(_time_window, Unset):
            time_window = UNSET
        else:
            time_window = TimeWindow.from_dict(_time_window)

        _cand_policies = d.pop("candPolicies", UNSET)
        cand_policies: list[TransferPolicy] | Unset = UNSET
        if _cand_policies is not UNSET:
            cand_policies = []
            for cand_policies_item_data in _cand_policies:
                cand_policies_item = TransferPolicy.from_dict(cand_policies_item_data)

                cand_policies.append(cand_policies_item)

        ex_notification = cls(
            bdt_ref_id=bdt_ref_id,
            location_area_5g=location_area_5g,
            time_window=time_window,
            cand_policies=cand_policies,
        )

        ex_notification.additional_properties = d
        return ex_notification

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
