"""Domain model and decision logic of BDT policy control; no framework imports here."""

from pcf_server.policy.decision import Decider, EvenSplitDecider
from pcf_server.policy.model import (
    BdtPolicy,
    BdtRequest,
    TimeWindow,
    TransferPolicy,
    UnknownTransferPolicy,
    Volume,
)

__all__ = [
    "BdtPolicy",
    "BdtRequest",
    "Decider",
    "EvenSplitDecider",
    "TimeWindow",
    "TransferPolicy",
    "UnknownTransferPolicy",
    "Volume",
]
