"""What the shared code needs from a store: a unit of work, and an outbox to deliver.

Storage-agnostic (no engine here): each store implements these on its own tables
(``nf_common.sqlite`` and ``nf_common.postgres`` have the parts the stores share), and
a service layer extends them with its own repositories.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self


class StoreBusy(Exception):
    """The store stayed locked by other writers for longer than it waits (a busy timeout)."""


class StoreUnavailable(StoreBusy):
    """The database server cannot be reached (down, restarting): a retry later helps."""


class TransactionConflict(Exception):
    """The database aborted the transaction (serialisation failure, deadlock): run it again."""


class UnitOfWork(Protocol):
    """One atomic transaction: nothing is visible to others until ``commit``.

    Leaving the ``with`` block without ``commit`` rolls everything back.
    """

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A notification to deliver: its URI and body, tries so far, and when it was written."""

    item_id: int
    uri: str
    body: str
    attempts: int
    created_at: float


class DeliveryQueue(Protocol):
    """The outbox as the sender (``nf_common.delivery``) uses it, in a unit of work."""

    def claim_due(self, now: float, lease_seconds: float, limit: int) -> list[OutboxItem]:
        """Up to ``limit`` rows due at ``now``, each leased to the caller for a while."""
        ...

    def next_due(self) -> float | None:
        """When the next pending row is due (Unix seconds); None when none is pending."""
        ...

    def delivered(self, item_id: int) -> None: ...

    def postpone(self, item_id: int, until: float) -> None:
        """Give a claimed row back, due at ``until``; not an attempt."""
        ...

    def failed(self, item_id: int, error: str, retry_at: float | None) -> None:
        """Record a failed attempt; ``retry_at`` None gives up (the row stays, 'dead')."""
        ...


class QueueUnitOfWork(UnitOfWork, Protocol):
    @property
    def outbox(self) -> DeliveryQueue: ...


class QueueUnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = True) -> QueueUnitOfWork:
        """Open a unit of work; ``write=False`` promises not to write and takes no lock."""
        ...


class DeliveryObserver(Protocol):
    """What a sender tells about each attempt (an owner's logs and metrics)."""

    def delivered(self, item: OutboxItem, seconds: float) -> None:
        """Acknowledged ``seconds`` after the row was written, at attempt ``attempts + 1``."""
        ...

    def failed(self, item: OutboxItem, error: str, dead: bool) -> None:
        """An attempt failed; ``dead``: given up, the row stays for the operator."""
        ...
