"""schemathesis hooks: the rules of TS 29.554 that its OpenAPI schema cannot express.

Loaded with ``SCHEMATHESIS_HOOKS=scripts.schemathesis_hooks`` (see README, "Fuzzing").
schemathesis generates "positive" requests from the schema alone and then checks that the
PCF accepts them (``positive_data_acceptance``). A few schema-valid documents are still
wrong by the specification's own text, and the PCF rightly answers 400; for those, and
only in positive cases, these hooks move the generated value into the valid range, so that
a 400 on a positive case keeps meaning a bug. Negative cases are never touched.

The rules (each one is also tested directly, with the 400 it deserves, in
``tests/test_api_behaviour.py``):

- ``desTimeInt``: stopTime after startTime (a window), both representable as UTC instants,
  and not over yet (a window that has ended is refused);
- ``numOfUes``: at least one UE (and at most 2^63-1);
- ``volPerUe``: some volume above zero (a transfer of nothing is refused);
- the PCF's bounds on strings and arrays (``pcf_server/api/bounds.py``, README
  "Security"), which ``specs/`` cannot carry as it must equal the official schemas;
- ``notifUri``: present when the NEF supports BdtNotification_5G (feature 1 in suppFeat,
  TS 29.554 clause 4.2.2.2), and then an absolute http(s) URI of at most 2048 characters
  that the PCF can send warnings to;
- ``selTransPolicyId``: one of the ids the PCF offered for that policy; every policy
  offers id 1 (ids run 1..k), so positive Updates select 1.

And for the PCF's own APIs, fuzzed in the same run:

- operator degradations: ``timeWindow`` is a window (stop after start) of at most a
  week (the operator's bound, ``longest_degradation_hours``);
- NWDAF notifications: an event's ``start`` precedes its ``expiry``, and every
  ``anaPeriod`` is a window, each at most a week; at most 100 reports in all.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import schemathesis
from schemathesis.core.parameters import ParameterLocation

from pcf_server.api import bounds
from pcf_server.wire.nwdaf import MAX_REPORTS


def _fallback_window() -> dict[str, str]:
    """Four hours of a night a month ahead: always in the future, whatever the date."""
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start += timedelta(days=30)
    stop = start + timedelta(hours=4)
    return {"startTime": f"{start:%Y-%m-%dT%H:%M:%S}Z", "stopTime": f"{stop:%Y-%m-%dT%H:%M:%S}Z"}


_NOTIF_URI = "http://nef.example/bdt-notifications"


def _instant(text: Any) -> datetime | None:
    try:
        value = datetime.fromisoformat(text)
        return value.astimezone(UTC) if value.tzinfo else None
    except (TypeError, ValueError, OverflowError):
        return None


_WEEK = timedelta(days=7)


def _window(window: dict[str, Any], longest: timedelta | None = None) -> dict[str, Any]:
    start, stop = _instant(window.get("startTime")), _instant(window.get("stopTime"))
    if start is None or stop is None or start == stop:
        return {**window, **_fallback_window()}
    if max(start, stop) <= datetime.now(UTC):
        return {**window, **_fallback_window()}
    if longest is not None and abs(stop - start) > longest:
        return {**window, **_fallback_window()}
    if stop < start:
        return {**window, "startTime": window["stopTime"], "stopTime": window["startTime"]}
    return window


def _within_bounds(node: Any, name: str | None = None) -> Any:
    """``node`` with its strings and arrays cut to the PCF's bounds."""
    if isinstance(node, str):
        limit = bounds.MAX_LENGTH.get(name or "", bounds.MAX_STRING)
        return node if name in bounds.BOUNDED_ELSEWHERE else node[:limit]
    if isinstance(node, list):
        limit = bounds.MAX_LIST_ITEMS.get(name or "", bounds.MAX_ITEMS)
        return [_within_bounds(item) for item in node[:limit]]
    if isinstance(node, dict):
        return {key: _within_bounds(value, key) for key, value in node.items()}
    return node


def _usable_uri(value: Any) -> bool:
    """The PCF's rule for notifUri (``pcf_server.wire``), loosely: http(s), a host, short."""
    if not isinstance(value, str) or len(value) > 2048:
        return False
    if any(c <= " " or c == "\x7f" for c in value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _create_body(body: dict[str, Any]) -> None:
    body.update(_within_bounds(body))
    volume = body.get("volPerUe")
    if isinstance(volume, dict) and not any(
        volume.get(name) for name in ("totalVolume", "downlinkVolume", "uplinkVolume")
    ):
        volume["downlinkVolume"] = 1
    if isinstance(body.get("desTimeInt"), dict):
        body["desTimeInt"] = _window(body["desTimeInt"])
    ues = body.get("numOfUes")
    if isinstance(ues, int) and not 1 <= ues <= 2**63 - 1:
        body["numOfUes"] = min(max(abs(ues), 1), 2**63 - 1)
    features = body.get("suppFeat")
    notifying = isinstance(features, str) and features and int(features, 16) & 1
    if notifying and not _usable_uri(body.get("notifUri")):
        body["notifUri"] = _NOTIF_URI


def _update_body(body: dict[str, Any]) -> None:
    selection = body.get("bdtPolData")
    if isinstance(selection, dict) and "selTransPolicyId" in selection:
        selection["selTransPolicyId"] = 1


def _nwdaf_body(notifications: list[Any]) -> None:
    notifications[:] = _within_bounds(notifications)
    reports = 0
    for notification in notifications:
        events = notification.get("eventNotifications") if isinstance(notification, dict) else []
        for event in events if isinstance(events, list) else []:
            if not isinstance(event, dict):
                continue
            if "start" in event and "expiry" in event:
                period = {"startTime": event["start"], "stopTime": event["expiry"]}
                period = _window(period, _WEEK)
                event["start"], event["expiry"] = period["startTime"], period["stopTime"]
            perfs = event.get("nwPerfs")
            if isinstance(perfs, list):
                del perfs[max(0, MAX_REPORTS - reports) :]
                reports += len(perfs)
            for perf in perfs if isinstance(perfs, list) else []:
                if isinstance(perf, dict) and isinstance(perf.get("anaPeriod"), dict):
                    perf["anaPeriod"] = _window(perf["anaPeriod"], _WEEK)


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    meta = case.meta
    if meta is None:
        return
    if meta.generation.mode.is_negative or meta.is_negative_at(ParameterLocation.BODY):
        return
    path, method, body = case.operation.path, case.method.upper(), case.body
    query = case.query if isinstance(case.query, dict) else {}
    if path == "/areas/{areaId}/timeline" and ("from" in query or "to" in query):
        # A range the schema cannot bound: `to` after `from` (now when absent), 7 days at most.
        start = datetime.now(UTC).replace(microsecond=0)
        query["from"] = start.isoformat().replace("+00:00", "Z")
        query["to"] = (start + timedelta(days=1)).isoformat().replace("+00:00", "Z")
    if isinstance(body, dict):
        if path == "/bdtpolicies" and method == "POST":
            _create_body(body)
        elif path == "/bdtpolicies/{bdtPolicyId}" and method == "PATCH":
            _update_body(body)
        elif path == "/degradations" and isinstance(body.get("timeWindow"), dict):
            body["timeWindow"] = _window(body["timeWindow"], _WEEK)
    elif isinstance(body, list) and path == "/nwdaf-notifications":
        _nwdaf_body(body)
