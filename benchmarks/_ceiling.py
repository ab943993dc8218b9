"""The throughput benchmark's "connexion ceiling": the PCF's SBI application minus its work.

This server exists only for ``pcf_throughput.py``; nothing else imports it. Its
application is the one ``pcf-bdt serve`` runs in each worker
(``bootstrap.app_from_environment`` with the settings the command line makes: the same
specification, connexion options, guard, access control, request log, probes, error
handlers, the same handlers and wire mappings, the same background tasks), except that
the use cases behind Create, GET and PATCH answer one fixed BdtPolicy (the document the
generated stub answers) without deciding anything or touching the store. Its throughput
is therefore what connexion and our middleware allow on the machine: the PCF, which does
its decision and its store's work on top, cannot exceed it with connexion in the path.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import connexion

from pcf_server import bootstrap
from pcf_server.policy.commands import CreatePolicy, PolicyPatch
from pcf_server.policy.model import NO_TOKEN_CONSUMER, BdtPolicy
from pcf_server.service import BdtPolicyControl
from pcf_server.settings import Settings
from pcf_server.wire.bdt import policy_from_documents


class FixedAnswers(BdtPolicyControl):
    """Use cases that answer ``policy`` to every Create, GET and PATCH: no decision, no store.

    A subclass only so that the handlers take it where they take the real use cases; none
    of the parent's state is made or used.
    """

    def __init__(self, policy: BdtPolicy) -> None:  # no super(): nothing of it is used
        self._policy = policy

    def refuse_equivalent(self, command: CreatePolicy) -> None:
        return None  # nothing is stored, so nothing is equivalent

    def create(self, command: CreatePolicy, *, equivalence_checked: bool = False) -> BdtPolicy:
        return self._policy

    def get(self, policy_id: str, *, consumer: str = NO_TOKEN_CONSUMER) -> BdtPolicy:
        return self._policy

    def update(
        self, policy_id: str, patch: PolicyPatch, *, consumer: str = NO_TOKEN_CONSUMER
    ) -> BdtPolicy | None:
        return self._policy


def fixed_policy(document: dict[str, Any]) -> BdtPolicy:
    """The BdtPolicy resource ``document`` as the store would give it back."""
    return policy_from_documents(
        "ceiling", document["bdtReqData"], document["bdtPolData"], version=1
    )


def parts(settings: Settings) -> bootstrap.Pcf:
    """The PCF's parts as ``pcf-bdt serve`` builds them, with ``FixedAnswers`` as use cases."""
    from pcf_throughput import policy_document

    built = bootstrap.build(settings)
    return dataclasses.replace(built, policies=FixedAnswers(fixed_policy(policy_document(3))))


def app() -> connexion.AsyncApp:
    """Granian's factory for the ceiling's workers (settings in PCF_BDT_* variables)."""
    return bootstrap.app_from_environment(parts)
