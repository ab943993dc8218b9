"""The notification outbox: rows claimed with a lease, so one sender sends each."""

from __future__ import annotations

import json

from nf_common.sqlite import SqliteOutbox as DeliveryQueue
from pcf_server.policy.warning import WarningNotification
from pcf_server.wire.bdt import notification_document


class Outbox(DeliveryQueue):
    """Notifications waiting for delivery, each kept as the body it will be POSTed with."""

    def add(self, notification: WarningNotification, now: float) -> None:
        body = json.dumps(notification_document(notification), separators=(",", ":"))
        self._db.execute(
            "INSERT INTO outbox (policy_id, uri, body, next_attempt_at, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (notification.policy_id, notification.uri, body, now, now),
        )
