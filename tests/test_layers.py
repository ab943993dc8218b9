"""The package dependencies the layering promises (scripts/dependency_graph.py prints them).

The PCF's notification sender is the shared one (``nf_common.delivery``); what nf_common
may import is checked below.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from scripts.dependency_graph import graph, imports

FRAMEWORKS = ("connexion", "starlette", "granian", "httpx", "sqlite3", "yaml", "jsonschema")


def test_the_layers_depend_inwards_only() -> None:
    edges = graph()
    assert edges["policy"] == set()  # the domain imports nothing else of the PCF
    assert edges["wire"] == {"policy"}
    assert edges["service"] == {"policy"}  # no storage, no wire: commands in, ports out
    assert edges["storage"] <= {"policy", "service", "wire"}
    # The PCF's calls to other NFs: reached through ports, built by the composition root.
    assert edges["consumer"] <= {"policy", "service", "wire"}
    assert {src for src, dsts in edges.items() if "consumer" in dsts} == {"bootstrap"}
    assert not edges["api"] & {"storage", "config", "notify", "bootstrap"}
    # Only the composition root (and the command that starts it) picks implementations.
    importers_of_storage = {src for src, dsts in edges.items() if "storage" in dsts}
    assert importers_of_storage == {"bootstrap"}


def test_the_ports_do_not_import_the_sqlite_module() -> None:
    modules = imports()
    assert not any(m.startswith("pcf_server.storage") for m in modules["pcf_server.service.ports"])


def test_the_domain_and_the_use_cases_import_no_framework() -> None:
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "pcf_server"
    for package in ("policy", "service"):
        for path in (root / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    names = (
                        [a.name for a in node.names]
                        if isinstance(node, ast.Import)
                        else [node.module or ""]
                    )
                    assert not any(n.split(".")[0] in FRAMEWORKS for n in names), (path, names)


SHARED = Path(__file__).resolve().parent.parent / "nf_common"
APPLICATIONS = ("pcf_server", "nef_gateway", "nef_client")
# The modules the NEF SDK's receiver may use without the server extra.
STANDARD_LIBRARY_ONLY = (
    "asgi", "bitrate", "cli", "destinations", "migrations", "ports", "problems", "retry_after",
    "sqlite", "units", "workers",
)  # fmt: skip


def _imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_shared_package_imports_no_application() -> None:
    modules = sorted(SHARED.glob("*.py"))
    assert len(modules) > 10
    for path in modules:
        roots = {name.split(".")[0] for name in _imported_names(path)}
        assert not roots & set(APPLICATIONS), (path.name, roots & set(APPLICATIONS))


def test_importing_the_shared_package_loads_no_application() -> None:
    """In a fresh interpreter: every module of nf_common, then what got loaded."""
    modules = [f"nf_common.{path.stem}" for path in sorted(SHARED.glob("*.py"))]
    light = [f"nf_common.{name}" for name in STANDARD_LIBRARY_ONLY]
    script = (
        "import importlib, json, sys\n"
        f"for name in {light!r}: importlib.import_module(name)\n"
        "light = sorted(m for m in ('connexion', 'starlette', 'httpx', 'jsonschema', 'yaml')"
        " if m in sys.modules)\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"apps = sorted({{m.split('.')[0] for m in sys.modules}} & {set(APPLICATIONS)!r})\n"
        "print(json.dumps({'light': light, 'apps': apps, 'connexion': 'connexion' in sys.modules}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    loaded = json.loads(result.stdout)
    assert loaded["connexion"]  # the check saw the server-side modules load
    assert loaded["light"] == []
    assert loaded["apps"] == []
