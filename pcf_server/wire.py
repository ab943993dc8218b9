"""The 3GPP JSON representation (TS 29.554 Annex A) of the domain objects, both ways.

The HTTP layer speaks it on the wire and the store keeps policies in it too, as the UDR
keeps BDT data in the same shape; so there is one mapping, here, with no framework in it.
Inputs reaching ``request_from_document`` have already been validated against the
OpenAPI schema; the checks here are the ones a schema cannot express.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from pcf_server.policy.degradation import NetworkPerformance
from pcf_server.policy.features import Feature, FeatureSet, negotiate
from pcf_server.policy.model import BdtPolicy, BdtRequest, TimeWindow, TransferPolicy, Volume

_UNITS = (("Tbps", 1e12), ("Gbps", 1e9), ("Mbps", 1e6), ("Kbps", 1e3), ("bps", 1.0))
_BITRATE = re.compile(r"^(\d+(?:\.\d+)?) (bps|Kbps|Mbps|Gbps|Tbps)$")
# numOfUes has no bound in the schema; a transfer needs at least one UE, and the int64
# ceiling keeps every rate computed from it a finite float.
_MAX_UES = 2**63 - 1
# The PCF POSTs warnings to notifUri: it must be an absolute http(s) URI it can reach.
# 2048 characters is far beyond any real callback and well under what HTTP clients and
# proxies accept (httpx refuses 64 KiB), so a longer one can only fail at delivery time.
_MAX_NOTIF_URI = 2048
_NOT_IN_URI = re.compile(r"[\x00-\x20\x7f]")


class DocumentError(ValueError):
    """A document that passed the schema but is still unusable; ``pointer`` says where.

    ``missing`` tells an absent conditional attribute from a present but wrong one, as
    TS 29.500 has distinct causes for them (MANDATORY_IE_MISSING / _INCORRECT).
    """

    def __init__(
        self, pointer: str, reason: str, *, missing: bool = False, optional: bool = False
    ) -> None:
        super().__init__(f"{pointer}: {reason}")
        self.pointer = pointer
        self.reason = reason
        self.missing = missing
        self.optional = optional
        # Further errors found in the same document, so that all are reported at once.
        self.related: tuple[DocumentError, ...] = ()

    @property
    def all(self) -> tuple[DocumentError, ...]:
        return (self, *self.related)


def format_bitrate(bits_per_second: float) -> str:
    """Render a rate as a TS 29.571 BitRate string with the largest unit that keeps >= 1."""
    for unit, factor in _UNITS:
        if bits_per_second >= factor or unit == "bps":
            value = f"{bits_per_second / factor:.3f}".rstrip("0").rstrip(".")
            return f"{value} {unit}"
    raise AssertionError("unreachable")  # pragma: no cover


def parse_bitrate(text: str) -> float:
    match = _BITRATE.match(text)
    if match is None:
        raise ValueError(f"not a BitRate: {text!r}")
    return float(match.group(1)) * dict(_UNITS)[match.group(2)]


def parse_datetime(text: str, pointer: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise DocumentError(pointer, f"not an RFC 3339 date-time: {text!r}") from exc
    if value.tzinfo is None:
        raise DocumentError(pointer, "date-time needs a time zone offset (RFC 3339)")
    try:
        # Every instant is handled in UTC later on; 0001-01-01T00:00:00+01:00 has none.
        value.astimezone(UTC)
    except OverflowError as exc:
        raise DocumentError(pointer, f"date-time out of range: {text!r}") from exc
    return value


def format_datetime(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def window_from_document(doc: dict[str, Any], pointer: str) -> TimeWindow:
    start = parse_datetime(doc["startTime"], f"{pointer}/startTime")
    stop = parse_datetime(doc["stopTime"], f"{pointer}/stopTime")
    if stop <= start:
        raise DocumentError(f"{pointer}/stopTime", "stopTime must be later than startTime")
    return TimeWindow(start, stop)


def window_to_document(window: TimeWindow) -> dict[str, str]:
    return {"startTime": format_datetime(window.start), "stopTime": format_datetime(window.stop)}


def request_from_document(doc: dict[str, Any], features: FeatureSet | None = None) -> BdtRequest:
    """Build the domain request from a schema-valid ``BdtReqData``.

    ``features`` are those negotiated for the policy (by default, those this PCF would
    negotiate for ``doc["suppFeat"]``). Without BdtNotification_5G the notification
    attributes are not part of the request (TS 29.554 clause 4.2.2.2: notifUri and
    warnNotifReq are sent "if BdtNotification_5G feature is supported"), so the domain
    request has warnings off and no notifUri; the document keeps them for the echo.
    """
    if features is None:
        features = negotiate(doc.get("suppFeat")) or FeatureSet()
    notifications = Feature.BDT_NOTIFICATION_5G in features
    if notifications and "notifUri" not in doc:
        raise DocumentError(
            "/notifUri", "notifUri is mandatory when BdtNotification_5G is supported", missing=True
        )
    if notifications:
        _check_notif_uri(doc["notifUri"])
    ues = doc["numOfUes"]
    if not 1 <= ues <= _MAX_UES:
        raise DocumentError("/numOfUes", f"numOfUes must be between 1 and {_MAX_UES}")
    volume = doc["volPerUe"]
    return BdtRequest(
        asp_id=doc["aspId"],
        desired_window=window_from_document(doc["desTimeInt"], "/desTimeInt"),
        number_of_ues=ues,
        volume_per_ue=Volume(
            total=volume.get("totalVolume"),
            downlink=volume.get("downlinkVolume"),
            uplink=volume.get("uplinkVolume"),
            duration_s=volume.get("duration"),
        ),
        warn_notif_req=notifications and bool(doc.get("warnNotifReq", False)),
        notif_uri=doc.get("notifUri") if notifications else None,
        supported_features=doc.get("suppFeat"),
        area_keys=area_keys(doc["nwAreaInfo"]) if "nwAreaInfo" in doc else None,
    )


def _check_notif_uri(uri: str) -> None:
    """Refuse, at Create, a notifUri the PCF could never deliver a warning to.

    Found only at delivery, such a URI made the notification undeliverable with nobody
    told; the NEF is the one that can fix it, so it is told now (TS 29.500 cause
    MANDATORY_IE_INCORRECT: with BdtNotification_5G notifUri is mandatory).
    """
    reason = None
    if len(uri) > _MAX_NOTIF_URI:
        reason = f"notifUri is longer than {_MAX_NOTIF_URI} characters"
    elif _NOT_IN_URI.search(uri):
        reason = "notifUri contains spaces or control characters"
    else:
        try:
            parts = urlsplit(uri)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError as exc:
            reason = f"notifUri is not a valid URI ({exc})"
        else:
            if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
                reason = "notifUri must be an absolute http or https URI"
    if reason is not None:
        raise DocumentError("/notifUri", reason)


def _plmn(doc: dict[str, Any]) -> str:
    plmn = doc["plmnId"]
    nid = doc.get("nid")
    return f"{plmn['mcc']}-{plmn['mnc']}" + (f"-{nid.upper()}" if nid else "")


_RAN_KINDS = ("gNbId", "ngeNbId", "eNbId", "n3IwfId", "wagfId", "tngfId")


def _ran_node_key(doc: dict[str, Any]) -> str:
    for kind in _RAN_KINDS:
        if kind in doc:
            value = doc[kind]
            if isinstance(value, dict):  # GNbId {bitLength, gNBValue}
                value = f"{value['bitLength']}/{value['gNBValue']}"
            return f"ran:{_plmn(doc)}:{kind}:{str(value).upper()}"
    raise DocumentError("/gRanNodeIds", "a RAN node needs one node identifier")


def area_keys(doc: dict[str, Any]) -> frozenset[str]:
    """Canonical keys of the elements of a NetworkAreaInfo (TS 29.554 5.6.2.2).

    Requests, NWDAF reports and the operator configuration all name areas this way, so
    matching them is set intersection; hex digits are compared case-insensitively.
    """
    keys = {f"tai:{_plmn(t)}:{t['tac'].upper()}" for t in doc.get("tais", [])}
    keys |= {f"ncgi:{_plmn(c)}:{c['nrCellId'].upper()}" for c in doc.get("ncgis", [])}
    keys |= {f"ecgi:{_plmn(c)}:{c['eutraCellId'].upper()}" for c in doc.get("ecgis", [])}
    keys |= {_ran_node_key(n) for n in doc.get("gRanNodeIds", [])}
    return frozenset(keys)


def notification_document(
    bdt_ref_id: str,
    candidates: tuple[TransferPolicy, ...],
    nw_area_info: dict[str, Any] | None,
    window: TimeWindow | None,
) -> dict[str, Any]:
    """A BDT warning ``Notification`` (TS 29.554 5.6.2.5) for a NEF's notifUri."""
    doc: dict[str, Any] = {
        "bdtRefId": bdt_ref_id,
        "candPolicies": [transfer_policy_to_document(tp) for tp in candidates],
    }
    if nw_area_info:
        doc["nwAreaInfo"] = nw_area_info
    if window is not None:
        doc["timeWindow"] = window_to_document(window)
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
        window=window_from_document(doc["recTimeInt"], "/recTimeInt"),
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
    policy_id: str, request_document: dict[str, Any], data: dict[str, Any], version: int
) -> BdtPolicy:
    return BdtPolicy(
        policy_id=policy_id,
        bdt_ref_id=data["bdtRefId"],
        request=request_from_document(
            request_document, FeatureSet.parse(data.get("suppFeat") or "")
        ),
        request_document=request_document,
        transfer_policies=tuple(transfer_policy_from_document(d) for d in data["transfPolicies"]),
        selected_id=data.get("selTransPolicyId"),
        supported_features=data.get("suppFeat"),
        version=version,
    )


@dataclass(frozen=True, slots=True)
class UpdateFields:
    """What an Update body asks for, whichever release's shape it came in.

    ``selection_pointer`` is where the selection sat in the body, so that an error about
    it names the attribute the NEF actually sent.
    """

    selected_id: int | None = None
    warn_notif_req: bool | None = None
    selection_pointer: str = "/bdtPolData/selTransPolicyId"


def _integer(value: Any, pointer: str) -> int:
    # JSON Schema draft 4 (OpenAPI 3.0, which connexion checks the other shape with): an
    # integer is a number without fraction or exponent, so 1.0 is not one; bool is an int
    # in Python but not in JSON.
    if value is None:
        raise DocumentError(pointer, _CANNOT_REMOVE.format(name=pointer.rsplit("/", 1)[1]))
    if type(value) is not int:
        raise DocumentError(pointer, f"{value!r} is not an integer")
    return value


def _boolean(value: Any, pointer: str) -> bool:
    if type(value) is not bool:
        raise DocumentError(pointer, f"{value!r} is not a boolean", optional=True)
    return value


_CANNOT_REMOVE = "null removes a member (RFC 7396) and {name!r} is mandatory: it cannot be removed"


def update_from_document(doc: dict[str, Any]) -> UpdateFields:
    """Read a merge-patch Update body of any release (see DOMAIN.md, "Wire format").

    - ``PatchBdtPolicy`` (Rel-15 V15.6, Rel-16 V16.6 to Rel-18) and the draft's
      ``BdtPolicyPatch``: ``{"bdtPolData": {"selTransPolicyId": n},
      "bdtReqData": {"warnNotifReq": b}}``; connexion validated it against the schema.
    - the bare ``BdtPolicyDataPatch`` of Rel-15 V15.2-15.5 and Rel-16 V16.0-16.5:
      ``{"selTransPolicyId": n}`` or ``{"selTransPolicyId": n, "warnNotifReq": b}``.
      PatchBdtPolicy allows additional properties, so this passed the schema unchecked
      and is checked here.

    One rule for both shapes (README, "What a NEF sees"):

    - ``warnNotifReq: null`` removes the member (RFC 7396 section 2); its default is
      false (BdtReqData), so it switches warnings off. (The merge-patch validator of
      api.validation lets null through for optional members for this reason.)
    - ``selTransPolicyId: null`` would remove a mandatory member of BdtPolicyDataPatch:
      400. ``bdtPolData: null`` and ``bdtReqData: null`` are refused by the schema.
    - ``selTransPolicyId`` is a JSON integer as JSON Schema draft 4 defines it: 1.0 is
      refused (400) in both shapes, as connexion's draft 4 validator refuses it in one.

    A body with neither shape's members changes nothing (an empty merge patch).
    """
    if "bdtPolData" in doc or "bdtReqData" in doc:
        selection = doc.get("bdtPolData") or {}
        switches = doc.get("bdtReqData") or {}
        selected = (
            _integer(selection["selTransPolicyId"], "/bdtPolData/selTransPolicyId")
            if "selTransPolicyId" in selection
            else None
        )
        warn = None
        if "warnNotifReq" in switches:
            value = switches["warnNotifReq"]
            warn = False if value is None else _boolean(value, "/bdtReqData/warnNotifReq")
        return UpdateFields(selected_id=selected, warn_notif_req=warn)
    if "selTransPolicyId" in doc:
        return _bare_update(doc)
    return UpdateFields()


def _bare_update(doc: dict[str, Any]) -> UpdateFields:
    errors: list[DocumentError] = []
    selected: int | None = None
    warn: bool | None = None
    try:
        selected = _integer(doc["selTransPolicyId"], "/selTransPolicyId")
    except DocumentError as exc:
        errors.append(exc)
    if "warnNotifReq" in doc:
        try:
            # null: the member removed, i.e. its default, false (see update_from_document)
            value = doc["warnNotifReq"]
            warn = False if value is None else _boolean(value, "/warnNotifReq")
        except DocumentError as exc:
            errors.append(exc)
    if errors:
        first, *rest = errors
        first.related = tuple(rest)
        raise first
    return UpdateFields(
        selected_id=selected, warn_notif_req=warn, selection_pointer="/selTransPolicyId"
    )


def network_performance_from_notifications(
    notifications: list[dict[str, Any]],
) -> list[NetworkPerformance]:
    """NETWORK_PERFORMANCE reports in schema-valid Nnwdaf_EventsSubscription notifications.

    TS 29.520 5.1.6.2.2. The period is ``anaPeriod``, else the event's ``start`` to
    ``expiry``, else none (the caller decides what an open period means).
    """
    found = []
    for n_index, notification in enumerate(notifications):
        for e_index, event in enumerate(notification.get("eventNotifications", [])):
            if event.get("event") != "NETWORK_PERFORMANCE":
                continue
            pointer = f"/{n_index}/eventNotifications/{e_index}"
            default = None
            if "start" in event and "expiry" in event:
                start = parse_datetime(event["start"], f"{pointer}/start")
                expiry = parse_datetime(event["expiry"], f"{pointer}/expiry")
                if expiry <= start:  # name the attributes the NWDAF sent
                    raise DocumentError(f"{pointer}/expiry", "expiry must be later than start")
                default = TimeWindow(start, expiry)
            for p_index, perf in enumerate(event.get("nwPerfs", [])):
                where = f"{pointer}/nwPerfs/{p_index}"
                window = (
                    window_from_document(perf["anaPeriod"], f"{where}/anaPeriod")
                    if "anaPeriod" in perf
                    else default
                )
                found.append(
                    NetworkPerformance(
                        area_keys(perf["networkArea"]),
                        window,
                        perf["nwPerfType"],
                        perf.get("relativeRatio"),
                        perf.get("absoluteNum"),
                    )
                )
    return found
