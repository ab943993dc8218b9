"""Update (merge-patch) bodies of every release, read into one ``PolicyPatch``."""

from __future__ import annotations

from typing import Any

from pcf_server.policy.commands import PolicyPatch
from pcf_server.wire.errors import DocumentError

_CANNOT_REMOVE = "null removes a member (RFC 7396) and {name!r} is mandatory: it cannot be removed"


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


def update_from_document(doc: dict[str, Any]) -> PolicyPatch:
    """Read a merge-patch Update body of any release (README, "What a NEF sees").

    - ``PatchBdtPolicy`` (Rel-15 V15.6, Rel-16 V16.6 to Rel-18) and the draft's
      ``BdtPolicyPatch``: ``{"bdtPolData": {"selTransPolicyId": n},
      "bdtReqData": {"warnNotifReq": b}}``; connexion validated it against the schema.
    - the bare ``BdtPolicyDataPatch`` of Rel-15 V15.2-15.5 and Rel-16 V16.0-16.5:
      ``{"selTransPolicyId": n}`` or ``{"selTransPolicyId": n, "warnNotifReq": b}``.
      PatchBdtPolicy allows additional properties, so this passed the schema unchecked
      and is checked here.

    One rule for both shapes:

    - ``warnNotifReq: null`` removes the member (RFC 7396 section 2); its default is
      false (BdtReqData), so it switches warnings off. (The merge-patch validator of
      nf_common.validation lets null through for optional members for this reason.)
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
        return PolicyPatch(selected_id=selected, warn_notif_req=warn)
    if "selTransPolicyId" in doc:
        return _bare_update(doc)
    return PolicyPatch()


def _bare_update(doc: dict[str, Any]) -> PolicyPatch:
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
        raise DocumentError.together(errors)
    return PolicyPatch(
        selected_id=selected, warn_notif_req=warn, selection_pointer="/selTransPolicyId"
    )
