"""Print which packages of pcf_server import which (module-level imports, read with ast).

    .venv/bin/python scripts/dependency_graph.py            # by package
    .venv/bin/python scripts/dependency_graph.py --modules  # by module

tests/test_layers.py holds the rules the graph must keep.
"""

from __future__ import annotations

import argparse
import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "pcf_server"


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def _is_module(name: str) -> bool:
    where = ROOT.parent / Path(*name.split("."))
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


def imports(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the pcf_server modules it imports.

    A name imported from a package counts as its submodule when it is one.
    """
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted(root.rglob("*.py")):
        source = _module(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
                names = [n if _is_module(n) else node.module for n in names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            found[source] |= {n for n in names if n.split(".")[0] == "pcf_server"}
    return found


def _unit(module: str, by_module: bool) -> str:
    parts = module.split(".")
    return ".".join(parts[1:]) if by_module else (parts[1] if len(parts) > 1 else "(init)")


def graph(by_module: bool = False) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for source, targets in imports().items():
        for target in targets:
            src, dst = _unit(source, by_module), _unit(target, by_module)
            if src != dst and dst not in ("", "(init)"):
                edges[src].add(dst)
    return edges


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", action="store_true", help="one line per module")
    args = parser.parse_args()
    for source, targets in sorted(graph(args.modules).items()):
        print(f"{source:28} -> {', '.join(sorted(targets))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
