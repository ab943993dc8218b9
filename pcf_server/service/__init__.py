"""Use cases of Npcf_BDTPolicyControl, independent of HTTP and of the storage engine."""

from pcf_server.service.bdt_policy_control import BdtPolicyControl, PolicyPatch
from pcf_server.service.errors import (
    EquivalentPolicyExists,
    InvalidSelection,
    NoCapacity,
    PolicyNotFound,
    ServiceError,
    UnknownArea,
)

__all__ = [
    "BdtPolicyControl",
    "EquivalentPolicyExists",
    "InvalidSelection",
    "NoCapacity",
    "PolicyNotFound",
    "PolicyPatch",
    "ServiceError",
    "UnknownArea",
]
