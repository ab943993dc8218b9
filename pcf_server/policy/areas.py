"""Canonical keys of network area elements (TS 29.554 5.6.2.2 NetworkAreaInfo).

Requests, NWDAF reports and the operator configuration all name areas by TAIs, cells and
RAN nodes; each element becomes one string key, so that matching them is set
intersection. Hex digits are compared case-insensitively.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_RAN_KINDS = ("gNbId", "ngeNbId", "eNbId", "n3IwfId", "wagfId", "tngfId")


def _plmn(doc: Mapping[str, Any]) -> str:
    plmn = doc["plmnId"]
    nid = doc.get("nid")
    return f"{plmn['mcc']}-{plmn['mnc']}" + (f"-{nid.upper()}" if nid else "")


def _ran_node_key(doc: Mapping[str, Any]) -> str:
    for kind in _RAN_KINDS:
        if kind in doc:
            value = doc[kind]
            if isinstance(value, Mapping):  # GNbId {bitLength, gNBValue}
                value = f"{value['bitLength']}/{value['gNBValue']}"
            return f"ran:{_plmn(doc)}:{kind}:{str(value).upper()}"
    raise ValueError(f"a RAN node needs one of {', '.join(_RAN_KINDS)}")


def area_keys(doc: Mapping[str, Any]) -> frozenset[str]:
    """The keys of the elements of a NetworkAreaInfo (as a TS 29.554 JSON document)."""
    keys = {f"tai:{_plmn(t)}:{t['tac'].upper()}" for t in doc.get("tais", [])}
    keys |= {f"ncgi:{_plmn(c)}:{c['nrCellId'].upper()}" for c in doc.get("ncgis", [])}
    keys |= {f"ecgi:{_plmn(c)}:{c['eutraCellId'].upper()}" for c in doc.get("ecgis", [])}
    keys |= {_ran_node_key(n) for n in doc.get("gRanNodeIds", [])}
    return frozenset(keys)
