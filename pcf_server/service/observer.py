"""What the use cases tell about what they did: domain events for logs and metrics.

The use cases call an ``Observer`` after each outcome has committed (a transaction
retried after a conflict is told once); the composition root hands in the one that logs
each event and counts it (``pcf_server.telemetry``). ``Unobserved`` is the default, for
tests and tools that want neither.
"""

from __future__ import annotations

from typing import Protocol

from pcf_server.policy.model import BdtPolicy

# Outcomes of a decision on a Create: transfer windows inside the desired window, only
# windows after it (the engine's fallback), or none at all (403 BDT_CAPACITY_UNAVAILABLE).
OFFERED = "offered"
FALLBACK = "fallback"
REFUSED = "refused"


class Observer(Protocol):
    def decided(self, outcome: str, seconds: float) -> None:
        """A Create's decision: ``OFFERED``, ``FALLBACK`` or ``REFUSED``; the engine's time."""
        ...

    def created(self, policy: BdtPolicy) -> None: ...

    def refused(self, consumer: str, cause: str, reason: str) -> None:
        """A Create refused for want of capacity or over a consumer's limit (the cause)."""
        ...

    def selected(self, policy: BdtPolicy, transfer_policy_id: int) -> None: ...

    def removed(self, policy_id: str, consumer: str, why: str) -> None: ...

    def warned(self, policy_ids: list[str], area_ids: list[str], source: str) -> None:
        """Policies invalidated by a degradation of those areas, their NEFs notified."""
        ...

    def degraded(self, area_id: str, factor: float, source: str, degradation_id: int) -> None: ...


class Unobserved:
    """An observer that does nothing."""

    def decided(self, outcome: str, seconds: float) -> None:
        pass

    def created(self, policy: BdtPolicy) -> None:
        pass

    def refused(self, consumer: str, cause: str, reason: str) -> None:
        pass

    def selected(self, policy: BdtPolicy, transfer_policy_id: int) -> None:
        pass

    def removed(self, policy_id: str, consumer: str, why: str) -> None:
        pass

    def warned(self, policy_ids: list[str], area_ids: list[str], source: str) -> None:
        pass

    def degraded(self, area_id: str, factor: float, source: str, degradation_id: int) -> None:
        pass
