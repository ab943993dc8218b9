from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.location_area import LocationArea
    from ..models.location_area_5g import LocationArea5G
    from ..models.time_window import TimeWindow
    from ..models.transfer_policy import TransferPolicy
    from ..models.usage_threshold import UsageThreshold


T = TypeVar("T", bound="Bdt")


@_attrs_define
class Bdt:
    """An Individual BDT Subscription: the transfer the AF plans, and what the network offered and the AF selected for it.

    Attributes:
        volume_per_ue (UsageThreshold): Volumes (bytes) and duration (seconds) of an expected usage; in BDT, the volume
            one UE transfers, in total and per direction.
        number_of_u_es (int): How many UEs take part in the transfer.
        desired_time_window (TimeWindow): A period from a start time to a stop time.
        self_ (str | Unset): A URI (RFC 3986) naming a resource: where a resource lives ("self") or where the AF wants
            to be called back.
        supported_features (str | Unset): Hexadecimal bit mask of the optional features of an API (TS 29.500 clause
            6.6); the last character carries features 1 to 4, and missing high characters mean "not supported".
        asp_id (str | Unset): The application service provider the transfer is for.
        location_area (LocationArea | Unset): Where the UEs are, in the terms of 2G/3G/4G access: cells, eNodeBs,
            routing or tracking areas, shapes on the map, or postal addresses. Each list, when sent, names at least one
            element.
        location_area_5g (LocationArea5G | Unset): Where the UEs are, in 5G terms: shapes on the map, postal addresses,
            or network area information (TAIs, cells, RAN nodes) as the PCF uses it.
        reference_id (str | Unset): The BDT reference id the PCF assigns to a negotiated transfer (TS 29.154).
        transfer_policies (list[TransferPolicy] | Unset): What the network offers, one entry per transfer policy; set by
            the NEF, never by the AF.
        selected_policy (int | Unset): The bdtPolicyId of the transfer policy the AF chose. The AF leaves it out when it
            creates the subscription and sends it in a later PUT or PATCH.
        external_group_id (str | Unset): A group of UEs as known outside the operator's network: a local part, "@", and
            a domain part, neither containing "@" (TS 23.682 clauses 4.6.2 and 4.6.3).
        notification_destination (str | Unset): A URI (RFC 3986) naming a resource: where a resource lives ("self") or
            where the AF wants to be called back.
        warn_notif_enabled (bool | Unset): Whether the AF wants BDT warning notifications at notificationDestination;
            absent means no.
        traffic_des (str | Unset): A traffic descriptor component, encoded as TS 24.526 encodes it, that the transfer
            applies to.
    """

    volume_per_ue: UsageThreshold
    number_of_u_es: int
    desired_time_window: TimeWindow
    self_: str | Unset = UNSET
    supported_features: str | Unset = UNSET
    asp_id: str | Unset = UNSET
    location_area: LocationArea | Unset = UNSET
    location_area_5g: LocationArea5G | Unset = UNSET
    reference_id: str | Unset = UNSET
    transfer_policies: list[TransferPolicy] | Unset = UNSET
    selected_policy: int | Unset = UNSET
    external_group_id: str | Unset = UNSET
    notification_destination: str | Unset = UNSET
    warn_notif_enabled: bool | Unset = UNSET
    traffic_des: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        volume_per_ue = self.volume_per_ue.to_dict()

        number_of_u_es = self.number_of_u_es

        desired_time_window = self.desired_time_window.to_dict()

        self_ = self.self_

        supported_features = self.supported_features

        asp_id = self.asp_id

        location_area: dict[str, Any] | Unset = UNSET
        if not isinstance(self.location_area, Unset):
            location_area = self.location_area.to_dict()

        location_area_5g: dict[str, Any] | Unset = UNSET
        if not isinstance(self.location_area_5g, Unset):
            location_area_5g = self.location_area_5g.to_dict()

        reference_id = self.reference_id

        transfer_policies: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.transfer_policies, Unset):
            transfer_policies = []
            for transfer_policies_item_data in self.transfer_policies:
                transfer_policies_item = transfer_policies_item_data.to_dict()
                transfer_policies.append(transfer_policies_item)

        selected_policy = self.selected_policy

        external_group_id = self.external_group_id

        notification_destination = self.notification_destination

        warn_notif_enabled = self.warn_notif_enabled

        traffic_des = self.traffic_des

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "volumePerUE": volume_per_ue,
                "numberOfUEs": number_of_u_es,
                "desiredTimeWindow": desired_time_window,
            }
        )
        if self_ is not UNSET:
            field_dict["self"] = self_
        if supported_features is not UNSET:
            field_dict["supportedFeatures"] = supported_features
        if asp_id is not UNSET:
            field_dict["aspId"] = asp_id
        if location_area is not UNSET:
            field_dict["locationArea"] = location_area
        if location_area_5g is not UNSET:
            field_dict["locationArea5G"] = location_area_5g
        if reference_id is not UNSET:
            field_dict["referenceId"] = reference_id
        if transfer_policies is not UNSET:
            field_dict["transferPolicies"] = transfer_policies
        if selected_policy is not UNSET:
            field_dict["selectedPolicy"] = selected_policy
        if external_group_id is not UNSET:
            field_dict["externalGroupId"] = external_group_id
        if notification_destination is not UNSET:
            field_dict["notificationDestination"] = notification_destination
        if warn_notif_enabled is not UNSET:
            field_dict["warnNotifEnabled"] = warn_notif_enabled
        if traffic_des is not UNSET:
            field_dict["trafficDes"] = traffic_des

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.location_area import LocationArea  # noqa: PLC0415
        from ..models.location_area_5g import LocationArea5G  # noqa: PLC0415
        from ..models.time_window import TimeWindow  # noqa: PLC0415
        from ..models.transfer_policy import TransferPolicy  # noqa: PLC0415
        from ..models.usage_threshold import UsageThreshold  # noqa: PLC0415

        d = dict(src_dict)
        volume_per_ue = UsageThreshold.from_dict(d.pop("volumePerUE"))

        number_of_u_es = d.pop("numberOfUEs")

        desired_time_window = TimeWindow.from_dict(d.pop("desiredTimeWindow"))

        self_ = d.pop("self", UNSET)

        supported_features = d.pop("supportedFeatures", UNSET)

        asp_id = d.pop("aspId", UNSET)

        _location_area = d.pop("locationArea", UNSET)
        location_area: LocationArea | Unset
        if isinstance(_location_area, Unset):
            location_area = UNSET
        else:
            location_area = LocationArea.from_dict(_location_area)

        _location_area_5g = d.pop("locationArea5G", UNSET)
        location_area_5g: LocationArea5G | Unset
        if isinstance(_location_area_5g, Unset):
            location_area_5g = UNSET
        else:
            location_area_5g = LocationArea5G.from_dict(_location_area_5g)

        reference_id = d.pop("referenceId", UNSET)

        _transfer_policies = d.pop("transferPolicies", UNSET)
        transfer_policies: list[TransferPolicy] | Unset = UNSET
        if _transfer_policies is not UNSET:
            transfer_policies = []
            for transfer_policies_item_data in _transfer_policies:
                transfer_policies_item = TransferPolicy.from_dict(transfer_policies_item_data)

                transfer_policies.append(transfer_policies_item)

        selected_policy = d.pop("selectedPolicy", UNSET)

        external_group_id = d.pop("externalGroupId", UNSET)

        notification_destination = d.pop("notificationDestination", UNSET)

        warn_notif_enabled = d.pop("warnNotifEnabled", UNSET)

        traffic_des = d.pop("trafficDes", UNSET)

        bdt = cls(
            volume_per_ue=volume_per_ue,
            number_of_u_es=number_of_u_es,
            desired_time_window=desired_time_window,
            self_=self_,
            supported_features=supported_features,
            asp_id=asp_id,
            location_area=location_area,
            location_area_5g=location_area_5g,
            reference_id=reference_id,
            transfer_policies=transfer_policies,
            selected_policy=selected_policy,
            external_group_id=external_group_id,
            notification_destination=notification_destination,
            warn_notif_enabled=warn_notif_enabled,
            traffic_des=traffic_des,
        )

        bdt.additional_properties = d
        return bdt

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
