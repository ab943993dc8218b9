"""The gateway's durable store: SQLite, numbered migrations, a unit of work per use case.

Durability is the PCF's: WAL journal with ``synchronous=FULL``, so a subscription the AF
was told about survives a crash. Repositories map rows to domain objects and back without
validating again what was validated on the way in.
"""

from nef_gateway.storage.sqlite import (
    ConcurrentUpdate,
    OutboxItem,
    SqliteStore,
    SqliteUnitOfWork,
    StoredNotification,
)

__all__ = [
    "ConcurrentUpdate",
    "OutboxItem",
    "SqliteStore",
    "SqliteUnitOfWork",
    "StoredNotification",
]
