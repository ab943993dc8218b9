"""What the PCF's store is on either engine: its repositories, settings and instance ids."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from nf_common.sql import Connection
from pcf_server.storage.analytics import AnalyticsRecords
from pcf_server.storage.census import Census
from pcf_server.storage.ledger import CapacityLedger
from pcf_server.storage.outbox import Outbox
from pcf_server.storage.policies import PolicyRepository

RepositoryT = TypeVar("RepositoryT")


class _Transaction(Protocol):
    def one(self, kind: Callable[[Connection], RepositoryT]) -> RepositoryT: ...


class PcfRepositories:
    """The repositories of a unit of work, on the transaction of the engine's base class."""

    @property
    def policies(self: _Transaction) -> PolicyRepository:
        return self.one(PolicyRepository)

    @property
    def capacity(self: _Transaction) -> CapacityLedger:
        return self.one(CapacityLedger)

    @property
    def outbox(self: _Transaction) -> Outbox:
        return self.one(Outbox)

    @property
    def analytics(self: _Transaction) -> AnalyticsRecords:
        return self.one(AnalyticsRecords)

    @property
    def census(self: _Transaction) -> Census:
        return self.one(Census)


class _Store(Protocol):
    def unit_of_work(self, *, write: bool = True) -> Any: ...


class StoreOperations:
    """What a store does outside the use cases, in a write transaction of its own."""

    def bind(self: _Store, settings: Mapping[str, str]) -> None:
        """See ``bind``; raises ``SettingsMismatch``."""
        with self.unit_of_work() as uow:
            bind(uow.connection, settings)
            uow.commit()

    def nf_instance_id(self: _Store, api_root: str, chosen: str | None = None) -> str:
        """See ``nf_instance_id``."""
        with self.unit_of_work() as uow:
            found = nf_instance_id(uow.connection, api_root, chosen)
            uow.commit()
        return found


class SettingsMismatch(Exception):
    """The store was made under other settings than those given (``bind``)."""

    def __init__(self, name: str, recorded: str, given: str | None) -> None:
        super().__init__(f"{name}: recorded {recorded!r}, given {given!r}")
        self.name = name
        self.recorded = recorded
        self.given = given


def bind(connection: Connection, settings: Mapping[str, str]) -> None:
    """Check ``settings`` against those the store was made under, recording new ones.

    Stored rows mean something only under the settings they were written with (slot
    numbers under one slot length, areas by their ids); two servers configured
    differently on one store would purge each other's rows and overbook. A recorded
    setting that ``settings`` lacks or gives otherwise raises ``SettingsMismatch``;
    a setting not recorded yet (a new area) is recorded. Run in a write transaction,
    so servers starting together agree.
    """
    recorded = dict(connection.execute("SELECT name, value FROM store_setting").fetchall())
    for name in sorted(recorded):
        if settings.get(name) != recorded[name]:
            raise SettingsMismatch(name, recorded[name], settings.get(name))
    new = [(name, value) for name, value in settings.items() if name not in recorded]
    if new:
        connection.executemany("INSERT INTO store_setting (name, value) VALUES (?, ?)", new)


def nf_instance_id(connection: Connection, api_root: str, chosen: str | None) -> str:
    """The NF instance id of the PCF at ``api_root``: ``chosen``, else the one kept.

    A new one (a UUID, TS 29.571 NfInstanceId) is made and kept the first time, so
    that a restarted PCF registers as the same instance. Run in a write transaction.
    """
    if chosen is not None:
        connection.execute("DELETE FROM nf_instance WHERE nf_instance_id = ?", (chosen,))
        connection.execute(
            "INSERT INTO nf_instance (api_root, nf_instance_id) VALUES (?, ?)"
            " ON CONFLICT (api_root) DO UPDATE SET nf_instance_id = excluded.nf_instance_id",
            (api_root, chosen),
        )
    else:
        connection.execute(
            "INSERT INTO nf_instance (api_root, nf_instance_id) VALUES (?, ?)"
            " ON CONFLICT DO NOTHING",
            (api_root, str(uuid.uuid4())),
        )
    row = connection.execute(
        "SELECT nf_instance_id FROM nf_instance WHERE api_root = ?", (api_root,)
    ).fetchone()
    return str(row[0])
