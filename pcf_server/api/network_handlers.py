"""Handlers of the operator API (``/pcf-bdt-admin/v1``) and of NWDAF notifications.

Both only translate JSON to calls of ``NetworkEvents`` and back; connexion has validated
the bodies against ``admin.yaml`` and ``specs/TS29520_Nnwdaf_EventsSubscription.yaml``.
"""

from __future__ import annotations

import math
from typing import Any

from pcf_server.api.view import ViewHandlers, degradation_document
from pcf_server.policy.network import Rates
from pcf_server.service.network_events import AreaSettings, NetworkEvents
from pcf_server.wire.errors import DocumentError
from pcf_server.wire.nwdaf import network_performance_from_notifications
from pcf_server.wire.units import (
    format_bitrate,
    parse_bitrate,
    window_from_document,
    window_to_document,
)

_JSON = {"Content-Type": "application/json"}
Reply = tuple[Any, int, dict[str, str]]


def _capacity(rates: Rates) -> dict[str, str]:
    return {
        "downlink": format_bitrate(rates.downlink),
        "uplink": format_bitrate(rates.uplink),
    }


def _capacity_from(body: dict[str, Any]) -> Rates:
    """The Capacity body as rates, each a real number of bit/s.

    The schema's BitRate pattern admits any number of digits: 400 of them parse to
    infinity, which would make an area with no limit at all ("inf Tbps").
    Both directions are checked, so that one answer names every wrong attribute.
    """
    rates: list[float] = []
    errors: list[DocumentError] = []
    for name in ("downlink", "uplink"):
        rate = parse_bitrate(body[name])
        if not math.isfinite(rate):
            shown = body[name] if len(body[name]) <= 40 else body[name][:20] + "..."
            errors.append(DocumentError(f"/{name}", f"{shown!r} is not a finite bit rate"))
        rates.append(rate)
    if errors:
        raise DocumentError.together(errors)
    return Rates(rates[0], rates[1])


def settings_document(settings: AreaSettings) -> dict[str, Any]:
    return {
        "areaId": settings.area_id,
        "capacity": _capacity(settings.capacity),
        "configuredCapacity": _capacity(settings.configured),
        "overridden": settings.overridden,
        "utilisationCeiling": settings.utilisation_ceiling,
        "degradations": [
            {"timeWindow": window_to_document(window), "factor": factor}
            for window, factor in settings.degradations
        ],
        "nwAreaInfo": dict(settings.nw_area_info),
    }


class NetworkHandlers(ViewHandlers):
    def __init__(self, events: NetworkEvents) -> None:
        self._events = events

    def list_areas(self) -> Reply:
        return [settings_document(s) for s in self._events.areas()], 200, _JSON

    def set_area_capacity(self, area_id: str, body: dict[str, Any]) -> Reply:
        rates = _capacity_from(body)
        return settings_document(self._events.set_capacity(area_id, rates)), 200, _JSON

    def reset_area_capacity(self, area_id: str) -> Reply:
        return settings_document(self._events.set_capacity(area_id, None)), 200, _JSON

    def add_degradation(self, body: dict[str, Any]) -> Reply:
        window = window_from_document(body["timeWindow"], "/timeWindow")
        outcome = self._events.degrade(body["areaId"], window, float(body["factor"]))
        (degradation_id,) = outcome.ids
        document = {
            "id": str(degradation_id),
            "affected": outcome.affected,
            "notified": outcome.notified,
        }
        return document, 200, _JSON

    def list_degradations(self) -> Reply:
        return [degradation_document(d) for d in self._events.degradations()], 200, _JSON

    def remove_degradation(self, degradation_id: str) -> Reply:
        self._events.remove_degradation(int(degradation_id))
        return None, 204, {}

    def receive_nwdaf_notification(self, body: list[dict[str, Any]]) -> Reply:
        reports = network_performance_from_notifications(
            body, longest=self._events.longest_degradation
        )
        self._events.analytics_notified([n["subscriptionId"] for n in body], reports)
        return None, 204, {}
