"""Bundle a multi-file 3GPP OpenAPI document into one self-contained file.

openapi-python-client cannot follow references into other files, and 3GPP splits every
API over many files that reference each other (in cycles, with the same component names
defined in several files, and with files that are not valid YAML but are never needed).
This bundler starts at the root file and copies only what is reachable, component by
component, loading a file only when a reference first leads into it.

Naming rule (deterministic): every copied component keeps its name unless another
reachable component of the same kind has the same name. On such a clash the root file's
component keeps the plain name and every other one is renamed to the file's stem with
non-alphanumerics removed, followed by the name (``TS29122CommonDataNetworkAreaInfo``).
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["BundleError", "bundle", "dump", "main"]

_COMPONENT_POINTER = re.compile(r"^/components/([A-Za-z]+)/([^/]+)$")


class BundleError(Exception):
    """A reference that cannot be resolved, or a file that cannot be read when needed."""


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


@dataclass(frozen=True, order=True)
class _Target:
    file: str
    pointer: str


@dataclass
class _Bundler:
    base: Path
    root: str
    docs: dict[str, Any] = field(default_factory=dict)
    # (kind, original name) of every reachable component, discovered lazily.
    found: dict[_Target, tuple[str, str]] = field(default_factory=dict)
    pending: list[_Target] = field(default_factory=list)

    def load(self, name: str) -> Any:
        if name not in self.docs:
            path = self.base / name
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                raise BundleError(f"cannot read {path}: {exc}") from exc
            try:
                self.docs[name] = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                raise BundleError(f"{path} is not valid YAML: {exc}") from exc
        return self.docs[name]

    def target_of(self, ref: str, current: str) -> _Target:
        file_part, _, pointer = ref.partition("#")
        file_name = current if not file_part else _normalise(current, file_part)
        return _Target(file_name, pointer)

    def resolve(self, target: _Target) -> Any:
        node = self.load(target.file)
        for token in target.pointer.strip("/").split("/"):
            token = _unescape(token)
            try:
                node = node[int(token)] if isinstance(node, list) else node[token]
            except (KeyError, IndexError, ValueError, TypeError) as exc:
                raise BundleError(f"unresolvable reference {target.file}#{target.pointer}") from exc
        return node

    def discover(self, node: Any, current: str) -> None:
        """Record every component reachable from ``node``; inline refs are followed too."""
        stack: list[tuple[Any, str]] = [(node, current)]
        while stack:
            item, where = stack.pop()
            if isinstance(item, dict):
                ref = item.get("$ref")
                if isinstance(ref, str):
                    target = self.target_of(ref, where)
                    match = _COMPONENT_POINTER.match(target.pointer)
                    if match is None:
                        # A pointer into the middle of a document: it is inlined later,
                        # so what it reaches must be found now.
                        stack.append((self.resolve(target), target.file))
                    elif target not in self.found:
                        self.found[target] = (match.group(1), _unescape(match.group(2)))
                        stack.append((self.resolve(target), target.file))
                for key, value in item.items():
                    if key != "$ref":
                        stack.append((value, where))
            elif isinstance(item, list):
                stack.extend((value, where) for value in item)

    def assign_names(self) -> dict[_Target, str]:
        by_name: dict[tuple[str, str], list[_Target]] = defaultdict(list)
        for target, key in self.found.items():
            by_name[key].append(target)
        names: dict[_Target, str] = {}
        for (_kind, name), targets in by_name.items():
            if len(targets) == 1:
                names[targets[0]] = name
                continue
            for target in targets:
                if target.file == self.root:
                    names[target] = name
                else:
                    names[target] = _stem_prefix(target.file) + name
        taken: dict[tuple[str, str], _Target] = {}
        for target, new_name in names.items():
            key = (self.found[target][0], new_name)
            if key in taken and taken[key] != target:
                raise BundleError(
                    f"renaming cannot separate {taken[key].file}#{taken[key].pointer} "
                    f"and {target.file}#{target.pointer}"
                )
            taken[key] = target
        return names

    def rewrite(self, node: Any, current: str, names: dict[_Target, str]) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                target = self.target_of(ref, current)
                if target in names:
                    kind = self.found[target][0]
                    out = {k: v for k, v in node.items() if k != "$ref"}
                    return {"$ref": f"#/components/{kind}/{names[target]}", **out}
                return self.rewrite(copy.deepcopy(self.resolve(target)), target.file, names)
            return {key: self.rewrite(value, current, names) for key, value in node.items()}
        if isinstance(node, list):
            return [self.rewrite(value, current, names) for value in node]
        return node


def _normalise(current: str, relative: str) -> str:
    return str((Path(current).parent / relative).as_posix()).removeprefix("./")


def _stem_prefix(file_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", Path(file_name).stem)


def bundle(root: Path) -> dict[str, Any]:
    """Return the single-file document equivalent to the multi-file one at ``root``."""
    bundler = _Bundler(base=root.parent, root=root.name)
    doc = bundler.load(root.name)
    if not isinstance(doc, dict):
        raise BundleError(f"{root} is not an OpenAPI document")
    root_components = doc.get("components") or {}
    # Everything the root file declares is part of the API, reachable or not.
    for kind, entries in root_components.items():
        for name in entries or {}:
            pointer = f"/components/{kind}/{name.replace('~', '~0').replace('/', '~1')}"
            bundler.found[_Target(root.name, pointer)] = (kind, name)
    bundler.discover({k: v for k, v in doc.items() if k != "components"}, root.name)
    bundler.discover(root_components, root.name)
    names = bundler.assign_names()

    out = {k: bundler.rewrite(v, root.name, names) for k, v in doc.items() if k != "components"}
    components: dict[str, dict[str, Any]] = defaultdict(dict)
    for target in sorted(names, key=lambda t: (bundler.found[t][0], names[t])):
        kind = bundler.found[target][0]
        components[kind][names[target]] = bundler.rewrite(
            bundler.resolve(target), target.file, names
        )
    out["components"] = {kind: components[kind] for kind in sorted(components)}
    return out


def dump(document: dict[str, Any]) -> str:
    """Serialise deterministically: same input files, same bytes."""
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="root file of the multi-file specification")
    parser.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    args = parser.parse_args(argv)
    try:
        text = dump(bundle(args.root))
    except BundleError as exc:
        print(f"bundle: {exc}", file=sys.stderr)
        return 1
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
