"""M6 BDT events for applications (TS 26.512 clause 10.3).

An application (or the Media Session Handler serving it) learns about background data
transfers as two events: ``Opportunity`` (BACKGROUND_DATA_TRANSFER_OPPORTUNITY) when a
selected window opens, and ``TransferError`` (ERROR_BACKGROUND_DATA_TRANSFER) when an
advertised window is cancelled before its end, with an ``ErrorReason``.

- ``BdtEventEmitter`` turns BDT policy facts (``nef_client`` results and warnings, or a
  NEF gateway's store) into those events as time passes; consume them with a callback
  (``subscribe``) or an async iterator (``events()``). Its clock is injected
  (``ManualClock`` for tests).
- ``BackgroundTransfers`` offers the two ways of asking of clause 10.3.1.1, a desired
  window range or an estimated volume with a duration, over a ``Negotiator``
  (``PcfNegotiator`` for Npcf_BDTPolicyControl, ``NefNegotiator`` for 3gpp-bdt).
"""

from nef_client.m6._clock import Clock, ManualClock, SystemClock
from nef_client.m6._emitter import BdtEventEmitter, volume_of
from nef_client.m6._events import (
    ErrorReason,
    Event,
    EventType,
    Opportunity,
    TransferError,
    TransferWindow,
    windows,
)
from nef_client.m6._sessions import (
    BackgroundTransfers,
    NefNegotiator,
    Negotiation,
    NegotiationRefused,
    Negotiator,
    NoWindow,
    Offer,
    PcfNegotiator,
)
from nf_common.bitrate import parse_bitrate

# Bits per second of a TS 29.571 BitRate string ("12.5 Mbps"), as the events give them.
bit_rate_bps = parse_bitrate

__all__ = [
    "BackgroundTransfers",
    "BdtEventEmitter",
    "Clock",
    "ErrorReason",
    "Event",
    "EventType",
    "ManualClock",
    "NefNegotiator",
    "Negotiation",
    "NegotiationRefused",
    "Negotiator",
    "NoWindow",
    "Offer",
    "Opportunity",
    "PcfNegotiator",
    "SystemClock",
    "TransferError",
    "TransferWindow",
    "bit_rate_bps",
    "volume_of",
    "windows",
]
