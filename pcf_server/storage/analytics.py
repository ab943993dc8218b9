"""The NWDAF subscriptions the PCF holds, and the lease of the instance that keeps them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from nf_common.sql import Connection
from pcf_server.policy.degradation import AnalyticsRequest
from pcf_server.policy.model import TimeWindow
from pcf_server.policy.network import PerformanceThreshold
from pcf_server.service.ports import HeldSubscription


def _request_to_row(request: AnalyticsRequest) -> str:
    return json.dumps(
        {
            "nwAreaInfo": request.nw_area_info,
            "start": request.window.start.timestamp(),
            "stop": request.window.stop.timestamp(),
            "thresholds": [[t.perf_type, t.relative_ratio] for t in request.thresholds],
            "notificationUri": request.notification_uri,
        },
        separators=(",", ":"),
    )


def _request_from_row(area_id: str, text: str) -> AnalyticsRequest:
    row: dict[str, Any] = json.loads(text)
    return AnalyticsRequest(
        area_id,
        row["nwAreaInfo"],
        TimeWindow(
            datetime.fromtimestamp(row["start"], UTC), datetime.fromtimestamp(row["stop"], UTC)
        ),
        tuple(PerformanceThreshold(kind, ratio) for kind, ratio in row["thresholds"]),
        row["notificationUri"],
    )


class AnalyticsRecords:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def areas_in_force(self, current_slot: int) -> dict[str, tuple[int, int]]:
        rows = self._db.execute(
            "SELECT area_id, min(first_slot), max(stop_slot) FROM reservation"
            " WHERE state = 'committed' AND stop_slot > ? GROUP BY area_id",
            (current_slot,),
        )
        return {area: (first, stop) for area, first, stop in rows}

    def held(self) -> list[HeldSubscription]:
        rows = self._db.execute(
            "SELECT area_id, subscription_id, resource_uri, body, refreshed_at"
            " FROM nwdaf_subscription ORDER BY area_id"
        )
        return [
            HeldSubscription(sub_id, uri, _request_from_row(area, body), refreshed)
            for area, sub_id, uri, body, refreshed in rows
        ]

    def holds(self, subscription_id: str) -> bool:
        row = self._db.execute(
            "SELECT 1 FROM nwdaf_subscription WHERE subscription_id = ?", (subscription_id,)
        ).fetchone()
        return row is not None

    def record(self, subscription: HeldSubscription) -> None:
        area_id = subscription.request.area_id
        # An NWDAF may hand out an id it gave before a restart to another area.
        self._db.execute(
            "DELETE FROM nwdaf_subscription WHERE subscription_id = ? AND area_id != ?",
            (subscription.subscription_id, area_id),
        )
        self._db.execute(
            "INSERT INTO nwdaf_subscription (area_id, subscription_id, resource_uri, body,"
            " refreshed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (area_id) DO UPDATE SET"
            " subscription_id = excluded.subscription_id,"
            " resource_uri = excluded.resource_uri, body = excluded.body,"
            " refreshed_at = excluded.refreshed_at",
            (
                area_id,
                subscription.subscription_id,
                subscription.resource_uri,
                _request_to_row(subscription.request),
                subscription.refreshed_at,
            ),
        )

    def forget(self, area_id: str) -> None:
        self._db.execute("DELETE FROM nwdaf_subscription WHERE area_id = ?", (area_id,))

    def claim_keeper(self, holder: str, now: float, until: float) -> bool:
        cursor = self._db.execute(
            "INSERT INTO nwdaf_keeper (id, holder, expires_at) VALUES (1, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET holder = excluded.holder,"
            " expires_at = excluded.expires_at"
            " WHERE nwdaf_keeper.holder = excluded.holder OR nwdaf_keeper.expires_at <= ?",
            (holder, until, now),
        )
        return cursor.rowcount == 1
