"""The quick check of request bodies (jsonschema-rs) finds valid only what jsonschema does.

A body the quick check finds valid skips jsonschema; one it refuses goes through
jsonschema, whose errors make the ProblemDetails. So the quick check may refuse more than
jsonschema (the body then takes the long way, with the same answer), never less.
"""

from __future__ import annotations

from typing import Any

import pytest

from nf_common.validation import compiled, quickly_valid

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["count"],
    "properties": {
        "count": {"type": "integer", "format": "int32"},
        "at": {"type": "string", "format": "date-time"},
        "id": {"type": "string", "format": "uuid"},
        "tac": {"type": "string", "nullable": True, "pattern": "^[0-9]{5}$"},
        "volumes": {"type": "array", "items": {"type": "integer", "format": "uint64"}},
        "ratio": {"type": "number", "format": "float"},
        "kind": {"type": "string", "enum": ["a", "b"], "nullable": True},
        "ranged": {"type": "integer", "format": "int64", "minimum": 1},
    },
}

VALID = [
    {"count": 1},
    {
        "count": 2**31 - 1,
        "at": "2030-01-01T00:00:00Z",
        "id": "5f0e7a3c-0f7e-4a58-9d41-2c8d3b0f1a2b",
    },
    {"count": -(2**31), "at": "2030-01-01t00:00:00.5+02:00", "tac": "12345"},
    {"count": 0, "volumes": [0, 2**64 - 1], "ratio": 1.5, "kind": "a", "ranged": 2**63 - 1},
]

# Bodies jsonschema refuses, and some it takes that jsonschema-rs may not (nulls
# OpenAPI allows, Python's "$" before a final newline): the quick check must not take
# any body jsonschema refuses.
OTHERS = [
    {},
    {"count": 2**31},
    {"count": -(2**31) - 1},
    {"count": True},
    {"count": 1.0},
    {"count": "1"},
    {"count": 1, "at": "2030-01-01"},
    {"count": 1, "at": "2030-13-01T00:00:00Z"},
    {"count": 1, "at": 5},
    {"count": 1, "id": "not-a-uuid"},
    {"count": 1, "tac": None},
    {"count": 1, "tac": "12345\n"},
    {"count": 1, "tac": "1234"},
    {"count": 1, "volumes": [2**64]},
    {"count": 1, "volumes": [-1]},
    {"count": 1, "volumes": [2**80]},
    {"count": 1, "kind": None},
    {"count": 1, "kind": "c"},
    {"count": 1, "ranged": 0},
    {"count": 1, "ranged": 2**63},
    {"count": 1, "ratio": "1"},
    [],
    None,
]


@pytest.mark.parametrize("body", VALID + OTHERS)
def test_the_quick_check_takes_nothing_jsonschema_refuses(body: Any) -> None:
    valid = not list(compiled(SCHEMA).iter_errors(body))
    assert not quickly_valid(SCHEMA, body) or valid


@pytest.mark.parametrize("body", VALID)
def test_valid_bodies_take_the_quick_way(body: Any) -> None:
    assert not list(compiled(SCHEMA).iter_errors(body))
    assert quickly_valid(SCHEMA, body)


def test_a_schema_jsonschema_rs_cannot_take_sends_every_body_the_long_way() -> None:
    broken = {"type": "object", "properties": {"a": {"type": "string", "pattern": "(?<"}}}
    assert not quickly_valid(broken, {"a": "x"})
