"""Walking parsed YAML/JSON documents in tests."""

from __future__ import annotations

from typing import Any


def string_values(node: Any, key: str) -> list[str]:
    """Every string value of ``key`` in a nested document, depth first."""
    if isinstance(node, dict):
        found = [node[key]] if isinstance(node.get(key), str) else []
        return found + [s for value in node.values() for s in string_values(value, key)]
    if isinstance(node, list):
        return [s for value in node for s in string_values(value, key)]
    return []
