"""The PCF's store on PostgreSQL: the same repositories as on SQLite, on a pool.

Transactions, locking and errors are those of ``nf_common.postgres``.
"""

from __future__ import annotations

from importlib import resources

from nf_common.postgres import PostgresDatabase, PostgresTransaction
from pcf_server.storage.migrate import PACKAGE, migrations
from pcf_server.storage.store import PcfRepositories, StoreOperations


class PostgresUnitOfWork(PcfRepositories, PostgresTransaction):
    pass


class PostgresStore(StoreOperations, PostgresDatabase[PostgresUnitOfWork]):
    """The PCF's PostgreSQL database at a libpq URI, migrated on open."""

    kept_on_reset = ("store_setting",)

    def __init__(self, url: str, *, pool_size: int = 8) -> None:
        super().__init__(
            url, resources.files(PACKAGE), "PCF", PostgresUnitOfWork, pool_size=pool_size
        )

    def unready_reasons(self) -> list[str]:
        """Why the store cannot serve now (``PostgresDatabase.unready``) at this schema."""
        return self.unready(migrations()[-1][0])
