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
- ``notifUri``: present when the NEF supports BdtNotification_5G (feature 1 in suppFeat,
  TS 29.554 clause 4.2.2.2), and then an absolute http(s) URI of at most 2048 characters
  that the PCF can send warnings to;
- ``selTransPolicyId``: one of the ids the PCF offered for that policy; every policy
  offers id 1 (ids run 1..k), so positive Updates select 1.

And for the PCF's own APIs, fuzzed in the same run:

- operator degradations: ``timeWindow`` is a window (stop after start);
- NWDAF notifications: an event's ``start`` precedes its ``expiry``, and every
  ``anaPeriod`` is a window.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import schemathesis
from schemathesis.core.parameters import ParameterLocation


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


def _window(window: dict[str, Any]) -> dict[str, Any]:
    start, stop = _instant(window.get("startTime")), _instant(window.get("stopTime"))
    if start is None or stop is None or start == stop:
        return {**window, **_fallback_window()}
    if max(start, stop) <= datetime.now(UTC):
        return {**window, **_fallback_window()}
    if stop < start:
        return {**window, "startTime": window["stopTime"], "stopTime": window["startTime"]}
    return window


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
    for notification in notifications:
        events = notification.get("eventNotifications") if isinstance(notification, dict) else []
        for event in events if isinstance(events, list) else []:
            if not isinstance(event, dict):
                continue
            if "start" in event and "expiry" in event:
                period = _window({"startTime": event["start"], "stopTime": event["expiry"]})
                event["start"], event["expiry"] = period["startTime"], period["stopTime"]
            for perf in event.get("nwPerfs") or []:
                if isinstance(perf, dict) and isinstance(perf.get("anaPeriod"), dict):
                    perf["anaPeriod"] = _window(perf["anaPeriod"])


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    meta = case.meta
    if meta is None:
        return
    if meta.generation.mode.is_negative or meta.is_negative_at(ParameterLocation.BODY):
        return
    path, method, body = case.operation.path, case.method.upper(), case.body
    if isinstance(body, dict):
        if path == "/bdtpolicies" and method == "POST":
            _create_body(body)
        elif path == "/bdtpolicies/{bdtPolicyId}" and method == "PATCH":
            _update_body(body)
        elif path == "/degradations" and isinstance(body.get("timeWindow"), dict):
            body["timeWindow"] = _window(body["timeWindow"])
    elif isinstance(body, list) and path == "/nwdaf-notifications":
        _nwdaf_body(body)
