"""Optional features of Npcf_BDTPolicyControl and their negotiation (TS 29.500 clause 6.6).

A ``SupportedFeatures`` string (TS 29.571 clause 5.2.2) is a hexadecimal bit mask whose
last character holds features 1-4 (feature 1 = least significant bit), the one before it
features 5-8, and so on. The consumer lists what it supports in ``suppFeat`` of the Create
request; the PCF answers with the features both sides support in ``bdtPolData.suppFeat``
and, from then on, behaves for that Individual BDT policy as negotiated. A consumer that
sends no ``suppFeat`` supports no optional feature, and the PCF then answers none either
(TS 29.500 clause 6.6.2).

The features of TS 29.554 clause 5.8 (table 5.8-1), with where each number was checked:

1. ``BdtNotification_5G`` - BDT warning notifications: ``notifUri`` and ``warnNotifReq``
   in BdtReqData, transfer policy id 0 reserved for "none selected" (TS 29.554 V18.3.0
   clauses 4.2.2.2 and 4.2.3.2; feature 1 since Rel-16, and the only feature named in the
   official Rel-16..18 OpenAPI files of TS 29.554).
2. ``PatchCorrection`` - the Update body is ``PatchBdtPolicy`` (``bdtPolData`` /
   ``bdtReqData``) instead of the bare Rel-15/early Rel-16 ``BdtPolicyDataPatch``
   (named in TS 29.554 V18.3.0 clauses 4.2.3.2 and 4.2.3.3).
3. ``ES3XX`` - extended support of HTTP 307/308 redirection (TS 29.500 clause 6.10.9;
   named in TS 29.554 V18.3.0 clause 4.2.3.2).

The names of features 2 and 3 were confirmed in the public text of TS 29.554 V18.3.0
clause 4; their numbers (2 = PatchCorrection, 3 = ES3XX) come from table 5.8-1 as we know
it, but no public copy of table 5.8-1 was reachable to confirm them: check them against
the table before relying on bit positions 2 and 3 with another vendor's NEF.

This PCF supports all three. ES3XX costs nothing: it describes what the consumer must
handle, and this PCF never redirects. PatchCorrection does not change what the PCF
accepts: both Update body shapes are recognised whatever was negotiated, since the shapes
cannot be confused with each other.
"""

from __future__ import annotations

import re
from enum import IntEnum

_HEX = re.compile(r"^[A-Fa-f0-9]*$")


class Feature(IntEnum):
    """Feature numbers of TS 29.554 table 5.8-1."""

    BDT_NOTIFICATION_5G = 1
    PATCH_CORRECTION = 2
    ES3XX = 3


SUPPORTED: frozenset[Feature] = frozenset(Feature)


class FeatureSet(frozenset[int]):
    """Feature numbers, with the SupportedFeatures encoding both ways."""

    @classmethod
    def parse(cls, text: str) -> FeatureSet:
        """Read a SupportedFeatures string; raises ``ValueError`` if it is not hexadecimal."""
        if not _HEX.match(text):
            raise ValueError(f"not a SupportedFeatures string: {text!r}")
        mask = int(text, 16) if text else 0
        return cls(bit + 1 for bit in range(mask.bit_length()) if mask >> bit & 1)

    def encode(self) -> str:
        """Shortest upper-case form; "0" for no feature (TS 29.571 allows leading zeros)."""
        mask = 0
        for number in self:
            mask |= 1 << (number - 1)
        return f"{mask:X}"


def negotiate(requested: str | None) -> FeatureSet | None:
    """Features in force for a new policy, or ``None`` when the consumer sent no suppFeat.

    ``None`` and the empty set behave the same (no optional feature); they differ only in
    that the PCF echoes ``suppFeat`` in the answer when, and only when, it was asked.
    """
    if requested is None:
        return None
    return FeatureSet(FeatureSet.parse(requested) & SUPPORTED)
