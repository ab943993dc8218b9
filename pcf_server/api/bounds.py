"""Upper bounds on what the 3GPP schemas leave unbounded, checked beside the schema.

TS 29.554 and the types it reaches give most strings and arrays no ``maxLength`` or
``maxItems``: an ``aspId`` of 900 kB was stored as it came, and every Create, GET and
303 comparison then carried it. ``specs/`` must stay schema-equal to the official files
(``tests/test_spec_conformance.py`` compares ``maxLength`` and ``maxItems`` too), so the
bounds live here, in the validation layer, and are reported exactly like schema errors:
400 with every offending attribute in ``invalidParams`` as a JSON pointer, with
MANDATORY_IE_INCORRECT or OPTIONAL_IE_INCORRECT (``nf_common.validation``).

The numbers come from what real networks need (the README's "Security" section lists
them):

- ``aspId`` at most 255 characters: an ASP identifier is a name, at most a DNS name
  (253 characters);
- ``dnn`` at most 100 characters: TS 23.003 clause 9.1 caps an APN/DNN at 100 octets;
- ``suppFeat`` at most 64 hex digits, 256 features (TS 29.554 defines 3);
- any other string (URIs such as ``notifUri`` included) at most 2048 characters, what
  HTTP clients and proxies reliably carry in a URI;
- each area list of a NetworkAreaInfo (``tais``, ``ecgis``, ``ncgis``, ``gRanNodeIds``)
  at most 1000 items: a BDT area is a town or a region, a few dozen tracking areas; an
  area larger than 1000 cells is better given by its tracking areas;
- any other array at most 1000 items.

The walk is over the instance, not the schema, so members that the 3GPP schemas allow
without describing (extensions) are bounded too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MAX_STRING = 2048
MAX_ITEMS = 1000
# Strings whose members are named so, wherever they are in a document.
MAX_LENGTH = {"aspId": 255, "dnn": 100, "suppFeat": 64}
# Strings bounded where their meaning is known: ``notifUri`` by ``wire.bdt`` (2048
# characters too), which knows whether BdtNotification_5G makes it mandatory.
BOUNDED_ELSEWHERE = frozenset({"notifUri"})
# Arrays whose members are named so.
AREA_LISTS = ("tais", "ecgis", "ncgis", "gRanNodeIds")
MAX_LIST_ITEMS = dict.fromkeys(AREA_LISTS, 1000)


def violations(document: Any) -> Iterator[tuple[list[str | int], str]]:
    """(instance path, reason) of every string or array of ``document`` over its bound."""
    stack: list[tuple[Any, list[str | int]]] = [(document, [])]
    while stack:
        node, path = stack.pop()
        name = path[-1] if path and isinstance(path[-1], str) else None
        if isinstance(node, str):
            limit = MAX_LENGTH.get(name, MAX_STRING) if name else MAX_STRING
            if len(node) > limit and name not in BOUNDED_ELSEWHERE:
                yield path, f"at most {limit} characters are accepted, not {len(node)}"
        elif isinstance(node, list):
            limit = MAX_LIST_ITEMS.get(name, MAX_ITEMS) if name else MAX_ITEMS
            if len(node) > limit:
                yield path, f"at most {limit} items are accepted, not {len(node)}"
            else:
                stack.extend((item, [*path, index]) for index, item in enumerate(node))
        elif isinstance(node, dict):
            stack.extend((member, [*path, key]) for key, member in node.items())
