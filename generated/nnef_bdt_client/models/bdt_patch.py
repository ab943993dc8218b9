from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="BdtPatch")


@_attrs_define
class BdtPatch:
    """The change an AF makes to a subscription with PATCH: the transfer policy it selects, and optionally new warning
    settings.

        Attributes:
            selected_policy (int): The bdtPolicyId of the chosen transfer policy.
            warn_notif_enabled (bool | Unset): Switches BDT warning notifications on (true) or off (false).
            notification_destination (str | Unset): A URI (RFC 3986) naming a resource: where a resource lives ("self") or
                where the AF wants to be called back.
    """

    selected_policy: int
    warn_notif_enabled: bool | Unset = UNSET
    notification_destination: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        selected_policy = self.selected_policy

        warn_notif_enabled = self.warn_notif_enabled

        notification_destination = self.notification_destination

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "selectedPolicy": selected_policy,
            }
        )
        if warn_notif_enabled is not UNSET:
            field_dict["warnNotifEnabled"] = warn_notif_enabled
        if notification_destination is not UNSET:
            field_dict["notificationDestination"] = notification_destination

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        selected_policy = d.pop("selectedPolicy")

        warn_notif_enabled = d.pop("warnNotifEnabled", UNSET)

        notification_destination = d.pop("notificationDestination", UNSET)

        bdt_patch = cls(
            selected_policy=selected_policy,
            warn_notif_enabled=warn_notif_enabled,
            notification_destination=notification_destination,
        )

        bdt_patch.additional_properties = d
        return bdt_patch

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
