"""The PCF's store on SQLite: a database file, its repositories, migrated on open.

Durability and transactions are those of every store of ours (``nf_common.sqlite``):
an acknowledged create or update survives a crash of the process or of the machine.
"""

from __future__ import annotations

from pathlib import Path

from nf_common.sqlite import SqliteDatabase, SqliteTransaction
from pcf_server.storage.migrate import migrate, migrations
from pcf_server.storage.store import PcfRepositories, StoreOperations


class SqliteUnitOfWork(PcfRepositories, SqliteTransaction):
    pass


class SqliteStore(StoreOperations, SqliteDatabase[SqliteUnitOfWork]):
    """The PCF's database file, migrated on open (see ``SqliteDatabase``)."""

    # What the rows would mean stays the same across a reset.
    kept_on_reset = ("store_setting",)

    def __init__(self, path: Path | str) -> None:
        super().__init__(path, migrate, SqliteUnitOfWork)
        self.location = str(self.path)

    def unready_reasons(self) -> list[str]:
        """Why the store cannot serve now (``SqliteDatabase.unready``) at this schema."""
        return self.unready(migrations()[-1][0])

    def queue_unit_of_work(self, *, write: bool = True) -> SqliteUnitOfWork:
        """The sender's unit of work: SQLite has one write lock for everything."""
        return self.unit_of_work(write=write)

    def close(self) -> None:
        """Nothing to release: each unit of work opens and closes its own connection."""
