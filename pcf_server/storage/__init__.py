"""Where BDT policies live: a repository and a unit of work, SQLite by default."""

from pcf_server.storage.repository import (
    ConcurrentUpdate,
    DuplicateRequest,
    PolicyRepository,
    UnitOfWork,
    UnitOfWorkFactory,
)
from pcf_server.storage.sqlite import SqliteStore

__all__ = [
    "ConcurrentUpdate",
    "DuplicateRequest",
    "PolicyRepository",
    "SqliteStore",
    "UnitOfWork",
    "UnitOfWorkFactory",
]
