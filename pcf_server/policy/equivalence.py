"""The rule for "equivalent" Create requests, which the PCF answers with 303 See Other.

TS 29.554 clause 5.3.2.3.1 lets the PCF answer ``303 See Other`` with the Location of an
existing Individual BDT policy when the result of the POST "would be equivalent" to it,
and leaves the rule to the PCF. This PCF's rule:

    A Create request is equivalent to an existing Individual BDT policy when its BdtReqData
    says the same thing as the BdtReqData that created that policy, that is, the two
    documents are equal after these normalisations, and only these:

    - ``desTimeInt.startTime`` / ``stopTime`` are compared as instants, so
      ``2030-01-01T01:00:00+01:00`` equals ``2030-01-01T00:00:00Z``;
    - an absent ``warnNotifReq`` is ``false`` (its schema default);
    - ``suppFeat`` is compared as the set of feature bits, so ``"1"`` equals ``"01"``
      (an absent suppFeat stays different from any present one, as the answer differs);
    - the order of members in objects does not matter; the order of array items does.

    Everything else (aspId, numOfUes, volPerUe, nwAreaInfo, notifUri, dnn, snssai,
    interGroupId, trafficDes, ...) must be equal. Only policies that still exist count: a
    policy removed with ``selTransPolicyId: 0`` no longer answers for its request, and an
    Update (selection or warning switch) does not change what the policy is equivalent to.

Why this rule: a NEF that retries a POST whose answer it lost (timeout, connection reset)
sends the same document again; it must get the policy it already created, not a second
one that would reserve the same transfer twice. Two requests that differ in anything the
PCF echoes or decides on are not retries, and get their own policies.

The rule is a fingerprint (SHA-256 of the normalised document) so that the store can hold
it in a UNIQUE column: that makes "two identical POSTs at the same time never create two
policies" true for any number of processes sharing the database.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from pcf_server.policy.features import FeatureSet
from pcf_server.policy.model import TimeWindow


def normalised(document: Mapping[str, Any], window: TimeWindow) -> dict[str, Any]:
    """The BdtReqData as the equivalence rule sees it; ``window`` is its parsed desTimeInt."""
    canonical = dict(document)
    canonical["desTimeInt"] = {
        **document["desTimeInt"],
        "startTime": window.start.astimezone(UTC).isoformat(),
        "stopTime": window.stop.astimezone(UTC).isoformat(),
    }
    canonical["warnNotifReq"] = bool(document.get("warnNotifReq", False))
    if "suppFeat" in document:
        canonical["suppFeat"] = FeatureSet.parse(document["suppFeat"]).encode()
    return canonical


def fingerprint(document: Mapping[str, Any], window: TimeWindow) -> str:
    """Equal for equivalent requests and (up to SHA-256 collisions) only for them."""
    text = json.dumps(
        normalised(document, window), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
