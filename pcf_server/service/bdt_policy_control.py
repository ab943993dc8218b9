"""Create, read and update Individual BDT policies (TS 29.554 clause 4.2)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pcf_server import wire
from pcf_server.policy.decision import Decider
from pcf_server.policy.model import BdtPolicy, UnknownTransferPolicy
from pcf_server.service.errors import InvalidSelection, PolicyNotFound
from pcf_server.storage.repository import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class PolicyPatch:
    """The changes an Update may carry; ``None`` means "leave as it is" (merge patch)."""

    selected_id: int | None = None
    warn_notif_req: bool | None = None


def _new_id() -> str:
    return uuid.uuid4().hex


class BdtPolicyControl:
    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        decider: Decider,
        new_id: Callable[[], str] = _new_id,
    ) -> None:
        self._uow = unit_of_work
        self._decider = decider
        self._new_id = new_id

    def create(self, request_document: dict[str, Any]) -> BdtPolicy:
        """Decide transfer policies for a schema-valid BdtReqData and store the result."""
        request = wire.request_from_document(request_document)
        with self._uow() as uow:
            policy = BdtPolicy(
                policy_id=self._new_id(),
                bdt_ref_id=self._new_id(),
                request=request,
                request_document=request_document,
                transfer_policies=tuple(self._decider.decide(request)),
            )
            uow.policies.add(policy)
            uow.commit()
        return policy

    def get(self, policy_id: str) -> BdtPolicy:
        with self._uow(write=False) as uow:
            policy = uow.policies.get(policy_id)
        if policy is None:
            raise PolicyNotFound(policy_id)
        return policy

    def update(self, policy_id: str, patch: PolicyPatch) -> BdtPolicy:
        with self._uow() as uow:
            policy = uow.policies.get(policy_id)
            if policy is None:
                raise PolicyNotFound(policy_id)
            if patch.selected_id is not None:
                try:
                    policy.select(patch.selected_id)
                except UnknownTransferPolicy as exc:
                    raise InvalidSelection("/bdtPolData/selTransPolicyId", str(exc)) from exc
            if patch.warn_notif_req is not None:
                policy.set_warnings(patch.warn_notif_req)
            uow.policies.save(policy)
            uow.commit()
        return policy
