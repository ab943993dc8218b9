"""What the NEF does with a BDT subscription, and how 3gpp-bdt maps onto N30. No framework.

An AF's Individual BDT Subscription (TS 29.122 3gpp-bdt) is carried out as one Individual
BDT policy at the PCF (TS 29.554 Npcf_BDTPolicyControl): this module holds the
subscription model and the translation of every attribute, both ways, on the JSON
documents of the two APIs (validated against their schemas before they get here; the
checks below are the ones a schema cannot express). The README's translation table is
this module in prose.

- Request: volumePerUE -> volPerUe, numberOfUEs -> numOfUes, desiredTimeWindow ->
  desTimeInt, aspId -> aspId (the scsAsId when absent), locationArea5G.nwAreaInfo ->
  nwAreaInfo, externalGroupId -> interGroupId (through a ``GroupTranslator``),
  trafficDes -> trafficDes, warnNotifEnabled -> warnNotifReq; notificationDestination
  stays with the NEF, which gives the PCF its own notifUri instead, one per subscription.
- Answer: bdtRefId -> referenceId; each transfer policy transPolicyId -> bdtPolicyId,
  recTimeInt -> timeWindow, ratingGroup -> ratingGroup, maxBitRateUl/Dl (BitRate strings)
  -> maxUplinkBandwidth/maxDownlinkBandwidth (integer bit/s, rounded).
- Selection: selectedPolicy -> selTransPolicyId.
- Warning: the PCF's Notification {bdtRefId, candPolicies, nwAreaInfo, timeWindow} ->
  ExNotification {bdtRefId, candPolicies (as above), locationArea5G.nwAreaInfo,
  timeWindow}, to the AF's notificationDestination.

What N30 cannot carry is refused, not dropped: locationArea (the 4G area of T8) and
geographic areas or civic addresses in locationArea5G, which would need an area
translation the NEF does not have.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from nf_common.bitrate import bandwidth
from nf_common.destinations import DestinationCheck, undeliverable
from nf_common.problems import MANDATORY_IE_INCORRECT, MANDATORY_IE_MISSING, OPTIONAL_IE_INCORRECT

# TS 29.554: with BdtNotification_5G (feature 1), selTransPolicyId 0 means "none of the
# offers is acceptable" and makes the PCF remove the policy.
NONE_ACCEPTABLE = 0
_BDT_NOTIFICATION_5G = 1

# Where each N30 request attribute came from in the AF's body, to report the PCF's
# errors in the AF's terms (longest prefix first).
_NORTHBOUND_OF = (
    ("/bdtPolData/selTransPolicyId", "/selectedPolicy"),
    ("/bdtReqData/warnNotifReq", "/warnNotifEnabled"),
    ("/desTimeInt", "/desiredTimeWindow"),
    ("/volPerUe", "/volumePerUE"),
    ("/numOfUes", "/numberOfUEs"),
    ("/nwAreaInfo", "/locationArea5G/nwAreaInfo"),
    ("/interGroupId", "/externalGroupId"),
    ("/aspId", "/aspId"),
    ("/trafficDes", "/trafficDes"),
    ("/warnNotifReq", "/warnNotifEnabled"),
)


class RequestError(ValueError):
    """An AF request that passed the schema but cannot be carried out; ``pointer`` says where.

    ``related`` holds the other errors found in the same body, so all are reported.
    """

    def __init__(self, pointer: str, reason: str, cause: str = OPTIONAL_IE_INCORRECT) -> None:
        super().__init__(f"{pointer}: {reason}")
        self.pointer = pointer
        self.reason = reason
        self.cause = cause
        self.related: tuple[RequestError, ...] = ()

    @property
    def all(self) -> tuple[RequestError, ...]:
        return (self, *self.related)


def _raise_all(errors: Sequence[RequestError]) -> None:
    if errors:
        first = errors[0]
        first.related = tuple(errors[1:])
        raise first


class GroupTranslator(Protocol):
    """External group id (TS 23.682) -> internal group id (TS 23.003), as Nudm_SDM would."""

    def internal_group_id(self, external_group_id: str) -> str | None:
        """The internal group id, or None when the group is unknown."""
        ...


@dataclass(frozen=True)
class ConfiguredGroups:
    """The default translator: a map the operator configures."""

    groups: Mapping[str, str] = field(default_factory=dict)

    def internal_group_id(self, external_group_id: str) -> str | None:
        return self.groups.get(external_group_id)


@dataclass(frozen=True)
class TransferRequest:
    """What an AF asks for, in the terms of Npcf_BDTPolicyControl."""

    asp_id: str
    volume_per_ue: dict[str, Any]
    number_of_ues: int
    desired_window: dict[str, Any]
    nw_area_info: dict[str, Any] | None
    internal_group_id: str | None
    traffic_des: str | None
    warnings: bool | None
    notification_destination: str | None
    document: dict[str, Any]
    """The AF's request attributes as sent, echoed back in every representation."""


# The attributes of Bdt that describe the request (not the NEF's answer or the choice).
_REQUEST_ATTRIBUTES = (
    "aspId",
    "volumePerUE",
    "numberOfUEs",
    "desiredTimeWindow",
    "locationArea",
    "locationArea5G",
    "externalGroupId",
    "trafficDes",
)


def _destination_errors(
    destination: str | None, *, warnings: bool, check: DestinationCheck
) -> list[RequestError]:
    """notificationDestination: where the NEF POSTs warnings, as the PCF to notifUri.

    The same rule as the PCF's (``nf_common.destinations``: ``check`` is the operator's
    allow-list, or only whether it can be delivered to), and one is needed when
    warnings are asked for.
    """
    if destination is None:
        if not warnings:
            return []
        needed = "warnNotifEnabled needs a notificationDestination to send warnings to"
        return [RequestError("/notificationDestination", needed, MANDATORY_IE_MISSING)]
    reason = check(destination, "notificationDestination")
    return [] if reason is None else [RequestError("/notificationDestination", reason)]


def transfer_request(
    scs_as_id: str,
    body: Mapping[str, Any],
    groups: GroupTranslator,
    destinations: DestinationCheck = undeliverable,
) -> TransferRequest:
    """The N30 request for an AF's Create body; raises RequestError (all problems at once)."""
    errors: list[RequestError] = []
    for name in ("selectedPolicy", "transferPolicies", "referenceId"):
        if name in body:
            why = (
                "is chosen after the NEF offers transfer policies (PUT or PATCH)"
                if name == "selectedPolicy"
                else "is set by the NEF, not by the AF"
            )
            errors.append(RequestError(f"/{name}", why))
    if "locationArea" in body:
        errors.append(
            RequestError(
                "/locationArea",
                "the 4G location area is not supported: give locationArea5G.nwAreaInfo",
            )
        )
    area5g = body.get("locationArea5G") or {}
    for name in ("geographicAreas", "civicAddresses"):
        if area5g.get(name):
            errors.append(
                RequestError(
                    f"/locationArea5G/{name}",
                    "this NEF cannot translate it to network areas: give nwAreaInfo",
                )
            )
    internal = None
    if "externalGroupId" in body:
        internal = groups.internal_group_id(body["externalGroupId"])
        if internal is None:
            errors.append(RequestError("/externalGroupId", "unknown external group"))
    destination = body.get("notificationDestination")
    errors += _destination_errors(
        destination, warnings=bool(body.get("warnNotifEnabled")), check=destinations
    )
    window = body["desiredTimeWindow"]
    if _instant(window["stopTime"]) <= _instant(window["startTime"]):
        errors.append(
            RequestError("/desiredTimeWindow/stopTime", "must be after startTime",
                         MANDATORY_IE_INCORRECT)
        )  # fmt: skip
    _raise_all(errors)
    return TransferRequest(
        asp_id=body.get("aspId") or scs_as_id,
        volume_per_ue=dict(body["volumePerUE"]),
        number_of_ues=body["numberOfUEs"],
        desired_window=dict(window),
        nw_area_info=area5g.get("nwAreaInfo"),
        internal_group_id=internal,
        traffic_des=body.get("trafficDes"),
        warnings=body.get("warnNotifEnabled"),
        notification_destination=destination,
        document={k: body[k] for k in _REQUEST_ATTRIBUTES if k in body},
    )


def _instant(text: str) -> float:
    """Seconds since the epoch of an RFC 3339 date-time (checked by the schema already)."""
    return datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00")).timestamp()


@dataclass(frozen=True)
class PolicyState:
    """An Individual BDT policy as the PCF reported it (TS 29.554 JSON parts)."""

    policy_id: str
    bdt_ref_id: str
    candidates: tuple[dict[str, Any], ...]
    """Its transfer policies (TS 29.554 TransferPolicy documents)."""
    selected: int | None
    features: str | None
    """The suppFeat the PCF answered (the features negotiated), if any."""

    @property
    def removable(self) -> bool:
        """Whether "none acceptable" (0) removes it: BdtNotification_5G was negotiated."""
        try:
            return bool(int(self.features or "0", 16) & _BDT_NOTIFICATION_5G)
        except ValueError:
            return False


def transfer_policy(n30: Mapping[str, Any]) -> dict[str, Any]:
    """A TS 29.554 TransferPolicy as a TS 29.122 TransferPolicy."""
    document: dict[str, Any] = {
        "bdtPolicyId": n30["transPolicyId"],
        "ratingGroup": n30["ratingGroup"],
        "timeWindow": dict(n30["recTimeInt"]),
    }
    if n30.get("maxBitRateUl") is not None:
        document["maxUplinkBandwidth"] = bandwidth(n30["maxBitRateUl"])
    if n30.get("maxBitRateDl") is not None:
        document["maxDownlinkBandwidth"] = bandwidth(n30["maxBitRateDl"])
    return document


def transfer_policies(candidates: Iterable[Mapping[str, Any]]) -> tuple[dict[str, Any], ...]:
    return tuple(transfer_policy(candidate) for candidate in candidates)


@dataclass
class Subscription:
    """An Individual BDT Subscription: an AF's request and the PCF policy carrying it."""

    subscription_id: str
    scs_as_id: str
    request: dict[str, Any]
    policy_id: str
    bdt_ref_id: str
    transfer_policies: tuple[dict[str, Any], ...]
    selected: int | None
    notification_destination: str | None
    warnings: bool | None
    removable: bool
    """Whether the PCF removes its policy on "none acceptable" (else DELETE ends it here)."""
    valid: bool = True
    """False between a warning and the AF's next selection (TS 23.502 4.16.7.3)."""
    version: int = 0

    def apply(self, state: PolicyState, *, valid: bool | None = None) -> None:
        """Take what the PCF now reports for the policy."""
        self.bdt_ref_id = state.bdt_ref_id
        self.transfer_policies = transfer_policies(state.candidates)
        self.selected = state.selected
        if valid is not None:
            self.valid = valid

    def invalidate(self, candidates: Iterable[Mapping[str, Any]]) -> None:
        """A warning: the policy in force is replaced by new candidates to choose from."""
        self.transfer_policies = transfer_policies(candidates)
        self.selected = None
        self.valid = False

    @property
    def offered_ids(self) -> tuple[int, ...]:
        return tuple(tp["bdtPolicyId"] for tp in self.transfer_policies)

    @property
    def wants_warnings(self) -> bool:
        return bool(self.warnings) and self.notification_destination is not None


def bdt_document(subscription: Subscription, self_link: str) -> dict[str, Any]:
    """The TS 29.122 Bdt representation of a subscription."""
    document: dict[str, Any] = {"self": self_link, **subscription.request}
    document["referenceId"] = subscription.bdt_ref_id
    if subscription.transfer_policies:
        document["transferPolicies"] = [dict(tp) for tp in subscription.transfer_policies]
    if subscription.selected is not None:
        document["selectedPolicy"] = subscription.selected
    if subscription.notification_destination is not None:
        document["notificationDestination"] = subscription.notification_destination
    if subscription.warnings is not None:
        document["warnNotifEnabled"] = subscription.warnings
    return document


def ex_notification(notification: Mapping[str, Any]) -> dict[str, Any]:
    """The TS 29.122 ExNotification for the AF from the PCF's TS 29.554 Notification."""
    document: dict[str, Any] = {"bdtRefId": notification["bdtRefId"]}
    if notification.get("nwAreaInfo") is not None:
        document["locationArea5G"] = {"nwAreaInfo": notification["nwAreaInfo"]}
    if notification.get("timeWindow") is not None:
        document["timeWindow"] = dict(notification["timeWindow"])
    if notification.get("candPolicies"):
        document["candPolicies"] = list(transfer_policies(notification["candPolicies"]))
    return document


@dataclass(frozen=True)
class Change:
    """What an AF changes with PATCH or PUT: the selection and the warning settings.

    ``None`` leaves a value as it is; ``clear_destination`` removes the destination.
    """

    selected: int | None = None
    warnings: bool | None = None
    notification_destination: str | None = None
    clear_destination: bool = False


def patch_change(body: Mapping[str, Any], destinations: DestinationCheck = undeliverable) -> Change:
    """The change of a BdtPatch (merge patch: absent is unchanged, null removes)."""
    errors: list[RequestError] = []
    destination = body.get("notificationDestination")
    errors += _destination_errors(destination, warnings=False, check=destinations)
    _raise_all(errors)
    return Change(
        selected=body["selectedPolicy"],
        warnings=body.get("warnNotifEnabled"),
        notification_destination=destination,
        clear_destination="notificationDestination" in body and destination is None,
    )


def put_change(
    subscription: Subscription,
    body: Mapping[str, Any],
    destinations: DestinationCheck = undeliverable,
) -> Change:
    """The change of a PUT: the whole Bdt again, with only the choice allowed to differ.

    The request attributes must be those the subscription was created with (another
    transfer is another subscription); ``self``, ``transferPolicies`` and
    ``supportedFeatures`` are the NEF's and ignored; ``referenceId``, if sent, must match.
    """
    errors: list[RequestError] = []
    for name in _REQUEST_ATTRIBUTES:
        if body.get(name) != subscription.request.get(name) and not (
            name == "aspId" and body.get(name) in (None, subscription.scs_as_id)
            and subscription.request.get(name) is None
        ):  # fmt: skip
            errors.append(
                RequestError(f"/{name}", "cannot change: create another subscription instead")
            )
    if "referenceId" in body and body["referenceId"] != subscription.bdt_ref_id:
        errors.append(RequestError("/referenceId", "is not this subscription's reference id"))
    destination = body.get("notificationDestination")
    errors += _destination_errors(
        destination, warnings=bool(body.get("warnNotifEnabled")), check=destinations
    )
    _raise_all(errors)
    return Change(
        selected=body.get("selectedPolicy"),
        warnings=body.get("warnNotifEnabled", False),
        notification_destination=destination,
        clear_destination=destination is None,
    )


def northbound_pointer(pointer: str) -> str:
    """Where an attribute the PCF names (a TS 29.554 JSON pointer) came from in 3gpp-bdt."""
    for n30, northbound in _NORTHBOUND_OF:
        if pointer == n30 or pointer.startswith(n30 + "/"):
            return northbound + pointer[len(n30) :]
    return pointer
