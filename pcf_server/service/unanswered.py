"""Policies whose NEF never answered a warning (TS 23.502 4.16.7.3 NOTE 3).

After a warning the policy is invalid: its old window is released and new candidates
are offered, until the NEF selects one or declines them all (steps 10-15). NOTE 3 of the
clause lets the PCF remove the policy when no answer comes within an operator-configured
time; here that is ``unanswered_warning_minutes`` of the configuration, counted from the
moment the warning left the outbox (delivered, or given up after the sender's retries),
so that a NEF that was unreachable for a while does not lose its time to answer. The
removal frees what the policy still holds and is logged, as the PCF tells the NEF
nothing more: Npcf_BDTPolicyControl has no notification for it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from pcf_server.policy.network import Network
from pcf_server.service.observer import Observer, Unobserved
from pcf_server.service.ports import UnitOfWorkFactory

_BATCH = 100  # bounded work per round; the next round takes the rest


def _utc_now() -> datetime:
    return datetime.now(UTC)


class UnansweredWarnings:
    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        network: Network,
        *,
        clock: Callable[[], datetime] = _utc_now,
        observer: Observer | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._observer: Observer = observer or Unobserved()
        self._network = network
        self._clock = clock

    def remove_expired(self) -> list[str]:
        """Note warnings that left the outbox; remove the policies unanswered for too long.

        Returns the ids of the removed policies.
        """
        now = self._clock()
        deadline = (now - self._network.unanswered_warning).timestamp()
        removed: list[tuple[str, str]] = []
        with self._uow() as uow:
            uow.policies.note_notified(now.timestamp())
            for policy_id in uow.policies.unanswered(deadline, _BATCH):
                policy = uow.policies.get(policy_id)
                uow.capacity.release(policy_id)
                uow.policies.remove(policy_id)
                removed.append((policy_id, policy.consumer if policy else "?"))
            uow.commit()
        why = (
            f"no answer to its warning within {self._network.unanswered_warning}"
            " (TS 23.502 4.16.7.3 NOTE 3)"
        )
        for policy_id, consumer in removed:
            self._observer.removed(policy_id, consumer, why)
        return [policy_id for policy_id, _ in removed]
