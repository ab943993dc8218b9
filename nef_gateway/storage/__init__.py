"""The gateway's durable store: SQLite, numbered migrations, a unit of work per use case.

Durability and transactions are those of the PCF's store (``nf_common.sqlite``), so a
subscription the AF was told about survives a crash. Repositories map rows to domain
objects and back without validating again what was validated on the way in.
"""

from nef_gateway.storage.sqlite import (
    ConcurrentUpdate,
    SqliteStore,
    SqliteUnitOfWork,
    StoredNotification,
)

__all__ = [
    "ConcurrentUpdate",
    "SqliteStore",
    "SqliteUnitOfWork",
    "StoredNotification",
]
