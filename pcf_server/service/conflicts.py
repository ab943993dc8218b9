"""Running a unit of work again when a concurrent writer got in its way.

Three conflicts can only come from another writer on the same database: a policy saved
by someone else between our read and our write (``ConcurrentUpdate``, the optimistic
lock of the repository), a capacity guard refusing what our decision found free
(``ReservationConflict``), and the database aborting the transaction (a serialisation
failure or deadlock on PostgreSQL, ``TransactionConflict``). None means the request
is wrong: the whole unit of work (read, decide, write) is done again on the state the
other writer left. A request that keeps losing gets ``Contention``, which the HTTP
layer answers 503 NF_CONGESTION with a Retry-After: the PCF is busy with this very
resource, and a retry a moment later is what helps.

SQLite serialises writers (``BEGIN IMMEDIATE``), so with one database file a save
does not conflict; a reservation does when its decision was made on a read snapshot
outside the write (``BdtPolicyControl.create``). Several PCF instances sharing a
database with row-level locking meet both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pcf_server.service.errors import Contention
from pcf_server.service.ports import ConcurrentUpdate, TransactionConflict

_T = TypeVar("_T")
ATTEMPTS = 3


class ReservationConflict(Exception):
    """A guard refused a reservation: another writer took the capacity first; decide again."""


def retrying(work: Callable[[], _T], what: str) -> _T:
    """``work()``, done again (up to ``ATTEMPTS`` times in all) after a conflict."""
    for _ in range(ATTEMPTS):
        try:
            return work()
        except (ConcurrentUpdate, ReservationConflict, TransactionConflict) as exc:
            conflict = exc
    raise Contention(f"{what}: concurrent writers got in the way {ATTEMPTS} times") from conflict
