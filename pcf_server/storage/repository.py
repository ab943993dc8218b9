"""Storage interfaces the service layer depends on (cosmicpython's repository + UoW)."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from pcf_server.policy.model import BdtPolicy


class ConcurrentUpdate(Exception):
    """Someone else changed the policy between our read and our write (optimistic lock)."""


class DuplicateRequest(Exception):
    """A policy with the same request fingerprint is already stored (UNIQUE column)."""

    def __init__(self, policy_id: str) -> None:
        super().__init__(f"an equivalent policy is stored: {policy_id!r}")
        self.policy_id = policy_id


class PolicyRepository(Protocol):
    def add(self, policy: BdtPolicy, *, fingerprint: str | None = None) -> None:
        """Store a new policy; raises ``DuplicateRequest`` if ``fingerprint`` is taken."""
        ...

    def find_by_fingerprint(self, fingerprint: str) -> str | None:
        """Id of the stored policy created by an equivalent request, if any."""
        ...

    def get(self, policy_id: str) -> BdtPolicy | None: ...

    def save(self, policy: BdtPolicy) -> None:
        """Write back a changed policy; raises ``ConcurrentUpdate`` if it changed meanwhile."""
        ...

    def remove(self, policy_id: str) -> None: ...


class UnitOfWork(Protocol):
    """One atomic transaction: nothing is visible to others until ``commit``."""

    @property
    def policies(self) -> PolicyRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = True) -> UnitOfWork:
        """Open a unit of work; ``write=False`` promises not to write and takes no lock."""
        ...
