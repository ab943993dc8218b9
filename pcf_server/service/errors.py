"""Failures of the use cases; the HTTP layer maps each to one ProblemDetails."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of the errors a caller of the service layer is expected to handle."""


class PolicyNotFound(ServiceError):
    def __init__(self, policy_id: str) -> None:
        super().__init__(f"no Individual BDT policy {policy_id!r}")
        self.policy_id = policy_id


class InvalidSelection(ServiceError):
    """The request names something that does not fit the stored policy."""

    def __init__(self, pointer: str, reason: str) -> None:
        super().__init__(f"{pointer}: {reason}")
        self.pointer = pointer
        self.reason = reason


class EquivalentPolicyExists(ServiceError):
    """A Create request equivalent to an existing policy (see ``policy.equivalence``).

    Not a failure for the NEF: the HTTP layer answers 303 See Other to the existing one.
    """

    def __init__(self, policy_id: str) -> None:
        super().__init__(f"an equivalent Individual BDT policy exists: {policy_id!r}")
        self.policy_id = policy_id
