"""How many rows of each kind the store holds: the gauges of ``/metrics``."""

from __future__ import annotations

from nf_common.sql import Connection
from pcf_server.service.ports import StoreCounts


class Census:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def counts(self, now: float) -> StoreCounts:
        policies = self._db.execute("SELECT count(*) FROM bdt_policy").fetchone()[0]
        reservations = dict.fromkeys(("held", "committed"), 0) | dict(
            self._db.execute(
                "SELECT state, count(*) FROM reservation"
                " WHERE state = 'committed' OR expires_at > ? GROUP BY state",
                (now,),
            ).fetchall()
        )
        held = self._db.execute(
            "SELECT count(DISTINCT policy_id) FROM reservation"
            " WHERE state = 'held' AND expires_at > ?",
            (now,),
        ).fetchone()[0]
        outbox = dict.fromkeys(("pending", "dead"), 0) | dict(
            self._db.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall()
        )
        return StoreCounts(int(policies), reservations, int(held), outbox)
