"""Another writer on the same database, for tests of what the use cases do after a conflict.

SQLite serialises writers, so two PCF processes on one file never meet the conflicts
that instances sharing a database with row-level locking meet. ``Interfering`` wraps a
real store's units of work and makes the next ``times`` of them see what such an
instance would have done between their read and their write: a policy saved meanwhile
(our read is one version behind, so the repository's optimistic check refuses the
save), or capacity taken meanwhile (the ledger's guard refuses the reservation).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Self

from pcf_server.storage import SqliteStore


class _Wrapper:
    """Everything of the wrapped object, except what a subclass changes."""

    def __init__(self, inner: Any, interfering: Interfering) -> None:
        self._inner = inner
        self._interfering = interfering

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _StaleReads(_Wrapper):
    def get(self, policy_id: str, *, consumer: str | None = None) -> Any:
        policy = self._inner.get(policy_id, consumer=consumer)
        if policy is not None and self._interfering.take("save"):
            return dataclasses.replace(policy, version=policy.version - 1)
        return policy


class _TakenCapacity(_Wrapper):
    def reserve(self, *args: Any, **kwargs: Any) -> bool:
        return not self._interfering.take("reserve") and bool(self._inner.reserve(*args, **kwargs))


class _UnitOfWork(_Wrapper):
    @property
    def policies(self) -> _StaleReads:
        return _StaleReads(self._inner.policies, self._interfering)

    @property
    def capacity(self) -> _TakenCapacity:
        return _TakenCapacity(self._inner.capacity, self._interfering)

    def __enter__(self) -> Self:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._inner.__exit__(*exc_info)


class Interfering:
    """A unit-of-work factory over ``store`` whose next ``times`` conflicts of ``kind`` happen.

    ``kind`` is ``"save"`` (the policy read is stale) or ``"reserve"`` (the guard refuses).
    """

    def __init__(self, store: SqliteStore, kind: str, times: int) -> None:
        self._store = store
        self.kind = kind
        self.left = times

    def take(self, kind: str) -> bool:
        if kind != self.kind or self.left == 0:
            return False
        self.left -= 1
        return True

    def __call__(self, *, write: bool = True) -> _UnitOfWork:
        return _UnitOfWork(self._store.unit_of_work(write=write), self)
