"""The documents of Npcf_BDTPolicyControl (TS 29.554 Annex A) and the domain objects.

``create_command`` reads a Create body once, at the edge: the OpenAPI schema has been
checked before it runs, and it checks what a schema cannot express. The other mappings
trust their input: the store keeps policies in this shape, and a row that was accepted
under the rules of its day must stay readable when a rule is tightened later.
"""

from __future__ import annotations

from typing import Any

from nf_common.destinations import MAX_URI, DestinationCheck, undeliverable
from pcf_server.policy.areas import area_keys
from pcf_server.policy.commands import CreatePolicy
from pcf_server.policy.features import Feature, FeatureSet, negotiate
from pcf_server.policy.model import (
    NO_TOKEN_CONSUMER,
    BdtPolicy,
    BdtRequest,
    TransferPolicy,
    Volume,
)
from pcf_server.policy.warning import WarningNotification
from pcf_server.wire.errors import DocumentError
from pcf_server.wire.units import (
    format_bitrate,
    parse_bitrate,
    read_window,
    window_from_document,
    window_to_document,
)

# numOfUes has no bound in the schema; a transfer needs at least one UE, and the int64
# ceiling keeps every rate computed from it a finite float.
_MAX_UES = 2**63 - 1
_VOLUMES = ("totalVolume", "downlinkVolume", "uplinkVolume")


def create_command(
    doc: dict[str, Any],
    consumer: str = NO_TOKEN_CONSUMER,
    destinations: DestinationCheck | None = undeliverable,
) -> CreatePolicy:
    """The Create command of a schema-valid ``BdtReqData``; ``DocumentError`` if unusable.

    ``consumer`` is the NF asking (its access token's sub); ``destinations`` says why a
    notifUri may not be delivered to (the operator's allow-list, ``Destinations.refusal``).
    With ``destinations`` None the notifUri's destination is left for ``check_destination``:
    its check may resolve a host name, which must not happen on an event loop, and a
    Create equivalent to a stored policy is answered (303) before it is needed.
    """
    features = negotiate(doc.get("suppFeat"))
    notifications = features is not None and Feature.BDT_NOTIFICATION_5G in features
    if notifications and "notifUri" not in doc:
        raise DocumentError(
            "/notifUri", "notifUri is mandatory when BdtNotification_5G is supported", missing=True
        )
    if notifications:
        if destinations is not None:
            _check_notif_uri(doc["notifUri"], destinations)
    elif len(doc.get("notifUri", "")) > MAX_URI:  # echoed and stored all the same
        raise DocumentError(
            "/notifUri", f"notifUri is longer than {MAX_URI} characters", optional=True
        )
    if not 1 <= doc["numOfUes"] <= _MAX_UES:
        raise DocumentError("/numOfUes", f"numOfUes must be between 1 and {_MAX_UES}")
    if not any(doc["volPerUe"].get(name) for name in _VOLUMES):
        raise DocumentError(
            "/volPerUe",
            "volPerUe gives no volume above zero: there is nothing to transfer, and a "
            "policy for it would be stored and counted for nothing",
        )
    window_from_document(doc["desTimeInt"], "/desTimeInt")
    request = request_from_document(doc, features or FeatureSet())
    return CreatePolicy(request, doc, features, consumer)


def request_from_document(doc: dict[str, Any], features: FeatureSet | None = None) -> BdtRequest:
    """The domain request of a ``BdtReqData`` that has been checked (or stored) already.

    ``features`` are those negotiated for the policy (by default, those this PCF would
    negotiate for ``doc["suppFeat"]``). Without BdtNotification_5G the notification
    attributes are not part of the request (TS 29.554 clause 4.2.2.2: notifUri and
    warnNotifReq are sent "if BdtNotification_5G feature is supported"), so the domain
    request has warnings off and no notifUri; the document keeps them for the echo.
    """
    if features is None:
        features = negotiate(doc.get("suppFeat")) or FeatureSet()
    notifications = Feature.BDT_NOTIFICATION_5G in features
    volume = doc["volPerUe"]
    return BdtRequest(
        asp_id=doc["aspId"],
        desired_window=read_window(doc["desTimeInt"]),
        number_of_ues=doc["numOfUes"],
        volume_per_ue=Volume(
            total=volume.get("totalVolume"),
            downlink=volume.get("downlinkVolume"),
            uplink=volume.get("uplinkVolume"),
        ),
        warn_notif_req=notifications and bool(doc.get("warnNotifReq", False)),
        notif_uri=doc.get("notifUri") if notifications else None,
        area_keys=area_keys(doc["nwAreaInfo"]) if "nwAreaInfo" in doc else None,
    )


def check_destination(command: CreatePolicy, destinations: DestinationCheck) -> None:
    """What ``create_command`` left unchecked when given no ``destinations``."""
    features = command.features
    if features is not None and Feature.BDT_NOTIFICATION_5G in features:
        _check_notif_uri(command.document["notifUri"], destinations)


def _check_notif_uri(uri: str, destinations: DestinationCheck) -> None:
    """Refuse, at Create, a notifUri the PCF could never or may not deliver a warning to.

    Found only at delivery, such a URI would make the notification undeliverable with
    nobody told; the NEF is the one that can fix it, so it is told now (TS 29.500 cause
    MANDATORY_IE_INCORRECT: with BdtNotification_5G notifUri is mandatory). One the
    operator's allow-list refuses (loopback, the PCF's own listeners, ...) would make
    the PCF a proxy into places its peers must not reach (SSRF).
    """
    reason = destinations(uri, "notifUri")
    if reason is not None:
        raise DocumentError("/notifUri", reason)


def notification_document(notification: WarningNotification) -> dict[str, Any]:
    """A BDT warning ``Notification`` (TS 29.554 5.6.2.5) for a NEF's notifUri."""
    doc: dict[str, Any] = {
        "bdtRefId": notification.bdt_ref_id,
        "candPolicies": [transfer_policy_to_document(tp) for tp in notification.candidates],
    }
    if notification.nw_area_info:
        doc["nwAreaInfo"] = dict(notification.nw_area_info)
    if notification.window is not None:
        doc["timeWindow"] = window_to_document(notification.window)
    return doc


def transfer_policy_to_document(policy: TransferPolicy) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "transPolicyId": policy.transfer_policy_id,
        "recTimeInt": window_to_document(policy.window),
        "ratingGroup": policy.rating_group,
    }
    if policy.max_bitrate_dl is not None:
        doc["maxBitRateDl"] = format_bitrate(policy.max_bitrate_dl)
    if policy.max_bitrate_ul is not None:
        doc["maxBitRateUl"] = format_bitrate(policy.max_bitrate_ul)
    return doc


def transfer_policy_from_document(doc: dict[str, Any]) -> TransferPolicy:
    return TransferPolicy(
        transfer_policy_id=doc["transPolicyId"],
        window=read_window(doc["recTimeInt"]),
        rating_group=doc["ratingGroup"],
        max_bitrate_dl=parse_bitrate(doc["maxBitRateDl"]) if "maxBitRateDl" in doc else None,
        max_bitrate_ul=parse_bitrate(doc["maxBitRateUl"]) if "maxBitRateUl" in doc else None,
    )


def policy_data_to_document(policy: BdtPolicy) -> dict[str, Any]:
    """The ``bdtPolData`` part of a BdtPolicy."""
    doc: dict[str, Any] = {
        "bdtRefId": policy.bdt_ref_id,
        "transfPolicies": [transfer_policy_to_document(tp) for tp in policy.transfer_policies],
    }
    if policy.selected_id is not None:
        doc["selTransPolicyId"] = policy.selected_id
    if policy.supported_features is not None:
        doc["suppFeat"] = policy.supported_features
    return doc


def policy_to_document(policy: BdtPolicy) -> dict[str, Any]:
    """The whole ``BdtPolicy`` resource representation."""
    return {
        "bdtPolData": policy_data_to_document(policy),
        "bdtReqData": policy.request_document,
    }


def policy_from_documents(
    policy_id: str,
    request_document: dict[str, Any],
    data: dict[str, Any],
    version: int,
    *,
    valid: bool = True,
) -> BdtPolicy:
    """A stored policy: its BdtReqData and last BdtPolicyData, read as they were written."""
    supported = data.get("suppFeat")
    return BdtPolicy(
        policy_id=policy_id,
        bdt_ref_id=data["bdtRefId"],
        request=request_from_document(request_document, FeatureSet.parse(supported or "")),
        request_document=request_document,
        transfer_policies=tuple(transfer_policy_from_document(d) for d in data["transfPolicies"]),
        selected_id=data.get("selTransPolicyId"),
        supported_features=supported,
        version=version,
        valid=valid,
    )
