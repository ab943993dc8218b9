"""Domain model and decision logic of BDT policy control; no framework imports here."""

from pcf_server.policy.decision import (
    Decider,
    Decision,
    LoadView,
    NoTransferWindow,
    Reservation,
)
from pcf_server.policy.engine import LoadAwareDecider
from pcf_server.policy.model import (
    BdtPolicy,
    BdtRequest,
    TimeWindow,
    TransferPolicy,
    UnknownTransferPolicy,
    Volume,
)
from pcf_server.policy.network import Network, Rates

__all__ = [
    "BdtPolicy",
    "BdtRequest",
    "Decider",
    "Decision",
    "LoadAwareDecider",
    "LoadView",
    "Network",
    "NoTransferWindow",
    "Rates",
    "Reservation",
    "TimeWindow",
    "TransferPolicy",
    "UnknownTransferPolicy",
    "Volume",
]
