"""Our specs/ must describe exactly the wire format of the official Rel-18 files.

For each API we write (Npcf_BDTPolicyControl, TS 29.554; the NEF's northbound 3gpp-bdt,
TS 29.122), the walk starts at the operations and the notification callback of both
documents and follows every reference on both sides in step; at each schema it compares
every keyword that decides what is valid on the wire. Descriptions are ours and not
compared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import SPECS, official_release
from tests.documents import string_values

ROOT = "TS29554_Npcf_BDTPolicyControl.yaml"
BDT_NORTHBOUND = "TS29122_ResourceManagementOfBdt.yaml"
# Root file -> how many schemas the walk must at least visit (a sanity floor: the walk
# really went through the data model).
ROOTS = {ROOT: 51, BDT_NORTHBOUND: 160}
EXACT = (
    "type", "format", "pattern", "enum", "default", "nullable",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minItems", "maxItems", "minLength", "maxLength", "uniqueItems",
    "additionalProperties", "minProperties", "maxProperties", "readOnly", "writeOnly",
)  # fmt: skip
COMBINATORS = ("oneOf", "anyOf", "allOf")


class Doc:
    """Lazily loaded multi-file document rooted in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[str, Any] = {}

    def load(self, name: str) -> Any:
        if name not in self.files:
            self.files[name] = yaml.safe_load((self.folder / name).read_text(encoding="utf-8"))
        return self.files[name]

    def deref(self, node: Any, file: str) -> tuple[Any, str, str | None]:
        """Follow $ref until a real node; return it, its file and the last ref followed."""
        ref_name = None
        while isinstance(node, dict) and "$ref" in node:
            target_file, _, pointer = node["$ref"].partition("#")
            file = target_file or file
            node = self.load(file)
            for token in pointer.strip("/").split("/"):
                node = node[token]
            ref_name = pointer
        return node, file, ref_name


class Walk:
    def __init__(self, ours: Doc, theirs: Doc) -> None:
        self.ours = ours
        self.theirs = theirs
        self.seen: set[tuple[str, str, str, str]] = set()
        self.problems: list[str] = []
        self.schemas = 0

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def schema(self, a: Any, fa: str, b: Any, fb: str, where: str) -> None:
        a, fa, ra = self.ours.deref(a, fa)
        b, fb, rb = self.theirs.deref(b, fb)
        if ra != rb:
            self.fail(where, f"refers to {ra} where the standard refers to {rb}")
        if ra is not None:
            key = (fa, ra, fb, rb or "")
            if key in self.seen:
                return
            self.seen.add(key)
        self.schemas += 1
        for word in EXACT:
            if a.get(word) != b.get(word):
                self.fail(where, f"{word}: ours {a.get(word)!r}, standard {b.get(word)!r}")
        if set(a.get("required", [])) != set(b.get("required", [])):
            self.fail(where, f"required: ours {a.get('required')}, standard {b.get('required')}")
        props_a, props_b = a.get("properties", {}), b.get("properties", {})
        if set(props_a) != set(props_b):
            self.fail(where, f"properties: ours {sorted(props_a)}, standard {sorted(props_b)}")
        for name in sorted(set(props_a) & set(props_b)):
            self.schema(props_a[name], fa, props_b[name], fb, f"{where}/properties/{name}")
        if ("items" in a) != ("items" in b):
            self.fail(where, "items present on one side only")
        elif "items" in a:
            self.schema(a["items"], fa, b["items"], fb, f"{where}/items")
        for word in COMBINATORS:
            list_a, list_b = a.get(word, []), b.get(word, [])
            if len(list_a) != len(list_b):
                self.fail(where, f"{word}: {len(list_a)} branches, standard {len(list_b)}")
                continue
            for index, (x, y) in enumerate(zip(list_a, list_b, strict=True)):
                self.schema(x, fa, y, fb, f"{where}/{word}/{index}")

    def media(self, a: Any, fa: str, b: Any, fb: str, where: str) -> None:
        content_a, content_b = a.get("content", {}), b.get("content", {})
        if set(content_a) != set(content_b):
            self.fail(where, f"media types: ours {sorted(content_a)}, standard {sorted(content_b)}")
        for media in sorted(set(content_a) & set(content_b)):
            self.schema(
                content_a[media]["schema"], fa, content_b[media]["schema"], fb,
                f"{where}/{media}",
            )  # fmt: skip

    def operation(
        self, a: Any, fa: str, b: Any, fb: str, where: str,
        shared_a: list[Any] = (), shared_b: list[Any] = (),  # type: ignore[assignment]
    ) -> None:  # fmt: skip
        """Compare two operations; ``shared_*`` are the parameters of their path item."""
        if a.get("operationId") != b.get("operationId"):
            self.fail(where, f"operationId {a.get('operationId')} != {b.get('operationId')}")
        params_a = {
            p["name"]: p
            for p in (self.ours.deref(p, fa)[0] for p in [*shared_a, *a.get("parameters", [])])
        }
        params_b = {
            p["name"]: p
            for p in (self.theirs.deref(p, fb)[0] for p in [*shared_b, *b.get("parameters", [])])
        }
        if set(params_a) != set(params_b):
            self.fail(where, f"parameters: ours {sorted(params_a)}, standard {sorted(params_b)}")
        for name in sorted(set(params_a) & set(params_b)):
            pa, pb = params_a[name], params_b[name]
            for word in ("in", "required"):
                if pa.get(word) != pb.get(word):
                    self.fail(f"{where}/parameters/{name}", f"{word} differs")
            self.schema(pa["schema"], fa, pb["schema"], fb, f"{where}/parameters/{name}")
        if ("requestBody" in a) != ("requestBody" in b):
            self.fail(where, "requestBody present on one side only")
        elif "requestBody" in a:
            body_a, body_b = a["requestBody"], b["requestBody"]
            if body_a.get("required") != body_b.get("required"):
                self.fail(where, "requestBody.required differs")
            self.media(body_a, fa, body_b, fb, f"{where}/requestBody")
        responses_a, responses_b = a.get("responses", {}), b.get("responses", {})
        if set(responses_a) != set(responses_b):
            self.fail(
                where, f"statuses: ours {sorted(responses_a)}, standard {sorted(responses_b)}"
            )
        for status in sorted(set(responses_a) & set(responses_b)):
            ra, rfa, _ = self.ours.deref(responses_a[status], fa)
            rb, rfb, _ = self.theirs.deref(responses_b[status], fb)
            here = f"{where}/responses/{status}"
            self.media(ra, rfa, rb, rfb, here)
            headers_a, headers_b = ra.get("headers", {}), rb.get("headers", {})
            if set(headers_a) != set(headers_b):
                self.fail(here, f"headers: ours {sorted(headers_a)}, standard {sorted(headers_b)}")
            for name in sorted(set(headers_a) & set(headers_b)):
                ha, hfa, _ = self.ours.deref(headers_a[name], rfa)
                hb, hfb, _ = self.theirs.deref(headers_b[name], rfb)
                if ha.get("required") != hb.get("required"):
                    self.fail(f"{here}/headers/{name}", "required differs")
                self.schema(ha["schema"], hfa, hb["schema"], hfb, f"{here}/headers/{name}")
        callbacks_a, callbacks_b = a.get("callbacks", {}), b.get("callbacks", {})
        if set(callbacks_a) != set(callbacks_b):
            self.fail(
                where, f"callbacks: ours {sorted(callbacks_a)}, standard {sorted(callbacks_b)}"
            )
        for name in sorted(set(callbacks_a) & set(callbacks_b)):
            self.paths(callbacks_a[name], fa, callbacks_b[name], fb, f"{where}/callbacks/{name}")

    def paths(self, a: Any, fa: str, b: Any, fb: str, where: str) -> None:
        if set(a) != set(b):
            self.fail(where, f"paths: ours {sorted(a)}, standard {sorted(b)}")
        for path in sorted(set(a) & set(b)):
            methods_a = {m for m in a[path] if m in ("get", "put", "post", "patch", "delete")}
            methods_b = {m for m in b[path] if m in ("get", "put", "post", "patch", "delete")}
            if methods_a != methods_b:
                self.fail(f"{where}{path}", f"methods: ours {methods_a}, standard {methods_b}")
            shared_a, shared_b = a[path].get("parameters", []), b[path].get("parameters", [])
            for method in sorted(methods_a & methods_b):
                self.operation(
                    a[path][method], fa, b[path][method], fb, f"{where}{path} {method}",
                    shared_a, shared_b,
                )  # fmt: skip


def _walk(root: str, ours: Doc) -> Walk:
    official = official_release("Rel-18")
    theirs = Doc(official)
    result = Walk(ours, theirs)
    result.paths(ours.load(root)["paths"], root, theirs.load(root)["paths"], root, "")
    return result


@pytest.mark.parametrize("root", sorted(ROOTS))
def test_every_reachable_schema_matches_the_standard(root: str) -> None:
    walk = _walk(root, Doc(SPECS))
    assert walk.problems == []
    assert walk.schemas >= ROOTS[root]


def test_the_northbound_api_is_complete() -> None:
    """3gpp-bdt: both resources with every method, and the warning callback to the AF."""
    document = yaml.safe_load((SPECS / BDT_NORTHBOUND).read_text(encoding="utf-8"))
    paths = document["paths"]
    assert set(paths["/{scsAsId}/subscriptions"]) >= {"get", "post"}
    assert set(paths["/{scsAsId}/subscriptions/{subscriptionId}"]) >= {
        "get", "put", "patch", "delete"
    }  # fmt: skip
    callbacks = paths["/{scsAsId}/subscriptions"]["post"]["callbacks"]
    assert "{$request.body#/notificationDestination}" in callbacks["bDTWarningNotification"]


@pytest.mark.parametrize("root", sorted(ROOTS))
def test_security_and_servers_match_the_standard(root: str) -> None:
    official = official_release("Rel-18")
    ours = yaml.safe_load((SPECS / root).read_text(encoding="utf-8"))
    theirs = yaml.safe_load((official / root).read_text(encoding="utf-8"))
    assert ours["security"] == theirs["security"]
    assert _scheme_shape(ours) == _scheme_shape(theirs)
    assert ours["servers"][0]["url"] == theirs["servers"][0]["url"]


def _scheme_shape(doc: dict[str, Any]) -> Any:
    scheme = doc["components"]["securitySchemes"]["oAuth2ClientCredentials"]
    flow = scheme["flows"]["clientCredentials"]
    return scheme["type"], flow["tokenUrl"], sorted(flow["scopes"])


def _edited_specs(tmp_path: Path, file: str, old: str, new: str) -> Doc:
    for path in SPECS.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.name == file:
            assert old in text
            text = text.replace(old, new)
        (tmp_path / path.name).write_text(text, encoding="utf-8")
    return Doc(tmp_path)


def test_the_walk_detects_a_difference(tmp_path: Path) -> None:
    """The comparison is not vacuous: one changed pattern is reported."""
    ours = _edited_specs(tmp_path, "TS29571_CommonData.yaml", "'^\\d{2,3}$'", "'^\\d{2}$'")
    result = _walk(ROOT, ours)
    assert any("pattern" in p and "mnc" in p for p in result.problems), result.problems


@pytest.mark.parametrize(
    ("file", "old", "new", "reported"),
    [
        # A bound deep in the location types, reached through LocationArea5G.
        ("TS29572_Nlmf_Location.yaml", "maxItems: 15", "maxItems: 16", "maxItems"),
        # A path-level parameter (scsAsId) that no operation repeats.
        (BDT_NORTHBOUND, "- name: subscriptionId", "- name: subscriptionID", "parameters"),
        # The warning callback's body.
        (BDT_NORTHBOUND, "        - bdtRefId\n", "        - timeWindow\n", "required"),
    ],
)
def test_the_northbound_walk_detects_a_difference(
    tmp_path: Path, file: str, old: str, new: str, reported: str
) -> None:
    ours = _edited_specs(tmp_path, file, old, new)
    result = _walk(BDT_NORTHBOUND, ours)
    assert any(reported in p for p in result.problems), result.problems


def test_no_official_text_is_copied() -> None:
    """No description of the official files (the copyright notice included) is in specs/.

    Short ones ("Bad request", "Not Found") are status phrases both sides must share.
    """
    official = official_release("Rel-18")
    ours = "\n".join(p.read_text(encoding="utf-8") for p in SPECS.glob("*.yaml"))
    ours = " ".join(ours.split())
    copied = set()
    for path in SPECS.glob("*.yaml"):
        document = yaml.safe_load((official / path.name).read_text(encoding="utf-8"))
        for text in string_values(document, "description"):
            phrase = " ".join(text.split())
            if len(phrase) > 40 and phrase in ours:
                copied.add((path.name, phrase[:80]))
    assert copied == set()
