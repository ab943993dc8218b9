"""Use cases of Npcf_BDTPolicyControl, independent of HTTP and of the storage engine."""

from pcf_server.policy.commands import CreatePolicy, PolicyPatch
from pcf_server.service.bdt_policy_control import BdtPolicyControl
from pcf_server.service.errors import (
    Contention,
    DegradationNotFound,
    DegradationTooLong,
    EquivalentPolicyExists,
    InvalidSelection,
    LimitReached,
    NoCapacity,
    PolicyNotFound,
    ServiceError,
    UnknownArea,
    UnknownSubscription,
    WindowEnded,
)

__all__ = [
    "BdtPolicyControl",
    "Contention",
    "CreatePolicy",
    "DegradationNotFound",
    "DegradationTooLong",
    "EquivalentPolicyExists",
    "InvalidSelection",
    "LimitReached",
    "NoCapacity",
    "PolicyNotFound",
    "PolicyPatch",
    "ServiceError",
    "UnknownArea",
    "UnknownSubscription",
    "WindowEnded",
]
