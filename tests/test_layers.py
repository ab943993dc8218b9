"""The package dependencies the layering promises (scripts/dependency_graph.py prints them)."""

from __future__ import annotations

from scripts.dependency_graph import graph, imports

FRAMEWORKS = ("connexion", "starlette", "granian", "httpx", "sqlite3", "yaml", "jsonschema")


def test_the_layers_depend_inwards_only() -> None:
    edges = graph()
    assert edges["policy"] == set()  # the domain imports nothing else of the PCF
    assert edges["wire"] == {"policy"}
    assert edges["service"] == {"policy"}  # no storage, no wire: commands in, ports out
    assert edges["storage"] <= {"policy", "service", "wire"}
    assert edges["notify"] <= {"service"}
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
