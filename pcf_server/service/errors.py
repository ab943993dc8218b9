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


class NoCapacity(ServiceError):
    """No window has the headroom the request needs (see ``policy.engine`` for the model).

    Mapped to 403 with the application cause ``BDT_CAPACITY_UNAVAILABLE``: the request is
    valid and the PCF is not overloaded (so not 503 NF_CONGESTION, which invites an
    immediate retry), but the operator's policy refuses it; a retry only helps with a
    different window, area or volume.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WindowEnded(ServiceError):
    """The desired window of a Create has already ended: none of it can be met."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Contention(ServiceError):
    """A use case lost to concurrent writers every time it tried (``service.conflicts``).

    Mapped to 503 NF_CONGESTION with a Retry-After: nothing is wrong with the request,
    and the same request a moment later will most likely go through.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownArea(ServiceError):
    def __init__(self, area_id: str) -> None:
        super().__init__(f"no network area {area_id!r} is configured")
        self.area_id = area_id


class UnknownSubscription(ServiceError):
    """Analytics arrived for a subscription the PCF does not hold: not acted upon."""

    def __init__(self, subscription_ids: list[str]) -> None:
        shown = ", ".join(repr(s[:64]) for s in subscription_ids[:5])
        super().__init__(f"no NWDAF subscription {shown} is known to this PCF")
        self.subscription_ids = subscription_ids


class LimitReached(ServiceError):
    """The consumer already has as many policies, or held offers, as it may (operator limit).

    Mapped to 403 with ``cause``: the request is valid, but this consumer may not have
    more until some of its policies are gone or its offers selected or expired.
    """

    POLICIES = "BDT_POLICY_LIMIT_REACHED"
    HELD_OFFERS = "BDT_OFFER_LIMIT_REACHED"

    def __init__(self, cause: str, reason: str) -> None:
        super().__init__(reason)
        self.cause = cause
        self.reason = reason


class DegradationTooLong(ServiceError):
    """A degradation (NWDAF report or operator command) longer than the operator's bound.

    A forged report "until 9999-12-31" would otherwise take the area's capacity away for
    good; a real one of that length is a configuration change, not a degradation.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DegradationNotFound(ServiceError):
    def __init__(self, degradation_id: int) -> None:
        super().__init__(f"no degradation {degradation_id} in force")
        self.degradation_id = degradation_id
