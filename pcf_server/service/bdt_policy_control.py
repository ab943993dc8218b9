"""Create, read and update Individual BDT policies (TS 29.554 clause 4.2)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pcf_server import wire
from pcf_server.policy.decision import Decider
from pcf_server.policy.equivalence import fingerprint
from pcf_server.policy.features import negotiate
from pcf_server.policy.model import BdtPolicy, UnknownTransferPolicy
from pcf_server.service.errors import EquivalentPolicyExists, InvalidSelection, PolicyNotFound
from pcf_server.storage.repository import DuplicateRequest, UnitOfWork, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class PolicyPatch:
    """The changes an Update may carry; ``None`` means "leave as it is" (merge patch)."""

    selected_id: int | None = None
    warn_notif_req: bool | None = None
    # Where the selection sat in the Update body, for the error naming it.
    selection_pointer: str = "/bdtPolData/selTransPolicyId"


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
        """Decide transfer policies for a schema-valid BdtReqData and store the result.

        Raises ``EquivalentPolicyExists`` instead when the request is equivalent to a
        stored policy (``policy.equivalence``); nothing is decided or stored then.
        """
        features = negotiate(request_document.get("suppFeat"))
        request = wire.request_from_document(request_document, features)
        key = fingerprint(request_document, request.desired_window)
        with self._uow() as uow:
            self._refuse_equivalent(uow, key)
            policy = BdtPolicy(
                policy_id=self._new_id(),
                bdt_ref_id=self._new_id(),
                request=request,
                request_document=request_document,
                transfer_policies=tuple(self._decider.decide(request)),
                supported_features=None if features is None else features.encode(),
            )
            try:
                uow.policies.add(policy, fingerprint=key)
            except DuplicateRequest as exc:
                # Unreachable while units of work serialise writers; kept so that the
                # UNIQUE column, not the locking, is what guarantees one policy.
                raise EquivalentPolicyExists(exc.policy_id) from exc
            uow.commit()
        return policy

    @staticmethod
    def _refuse_equivalent(uow: UnitOfWork, key: str) -> None:
        existing = uow.policies.find_by_fingerprint(key)
        if existing is not None:
            raise EquivalentPolicyExists(existing)

    def get(self, policy_id: str) -> BdtPolicy:
        with self._uow(write=False) as uow:
            policy = uow.policies.get(policy_id)
        if policy is None:
            raise PolicyNotFound(policy_id)
        return policy

    def update(self, policy_id: str, patch: PolicyPatch) -> BdtPolicy | None:
        """Apply an Update; ``None`` when it removed the policy ("none acceptable")."""
        with self._uow() as uow:
            policy = uow.policies.get(policy_id)
            if policy is None:
                raise PolicyNotFound(policy_id)
            if patch.selected_id is not None and policy.declines(patch.selected_id):
                self._remove(uow, policy)
                return None
            if patch.selected_id is not None:
                try:
                    policy.select(patch.selected_id)
                except UnknownTransferPolicy as exc:
                    raise InvalidSelection(patch.selection_pointer, str(exc)) from exc
            if patch.warn_notif_req is not None:
                policy.set_warnings(patch.warn_notif_req)
            uow.policies.save(policy)
            uow.commit()
        return policy

    @staticmethod
    def _remove(uow: UnitOfWork, policy: BdtPolicy) -> None:
        """The NEF found no candidate acceptable: the PCF removes the policy.

        TS 29.554 clause 4.2.3.2 (re-negotiation, "no transfer policy is selected"): the
        PCF deletes the transfer policy from the UDR; here, from its own store.
        """
        uow.policies.remove(policy.policy_id)
        uow.commit()
