"""The bundler on small multi-file documents built to show each hard case."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
import yaml

from scripts.bundle import BundleError, bundle, dump
from tests.documents import string_values


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(dedent(text), encoding="utf-8")


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    write(
        tmp_path,
        "Root.yaml",
        """\
        openapi: 3.0.0
        info: {title: t, version: '1'}
        security:
          - {}
          - oauth: [scope-a]
        paths:
          /things:
            post:
              requestBody:
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/Thing'}
              responses:
                '201':
                  description: created
                  headers:
                    Location: {$ref: 'Common.yaml#/components/headers/Location'}
                  content:
                    application/json:
                      schema: {$ref: 'Common.yaml#/components/schemas/Area'}
                '400': {$ref: 'Common.yaml#/components/responses/400'}
        components:
          securitySchemes:
            oauth:
              type: oauth2
              flows:
                clientCredentials: {tokenUrl: /token, scopes: {scope-a: a}}
          schemas:
            Thing:
              type: object
              properties:
                area: {$ref: 'Common.yaml#/components/schemas/Area'}
                when: {$ref: 'Other.yaml#/components/schemas/DateTime'}
                when2: {$ref: 'Common.yaml#/components/schemas/DateTime'}
                size: {$ref: 'Common.yaml#/components/schemas/Area/properties/size'}
            Area:
              description: the root's own Area, a different type from Common's
              type: string
        """,
    )
    write(
        tmp_path,
        "Common.yaml",
        """\
        openapi: 3.0.0
        components:
          headers:
            Location:
              required: true
              schema: {type: string}
          responses:
            '400':
              description: bad
              content:
                application/problem+json:
                  schema: {$ref: '#/components/schemas/Problem'}
          schemas:
            Problem:
              type: object
              properties: {cause: {type: string}}
            DateTime: {type: string, format: date-time}
            Area:
              type: object
              properties:
                size: {type: integer, minimum: 0}
                back: {$ref: 'Other.yaml#/components/schemas/Cycle'}
        """,
    )
    write(
        tmp_path,
        "Other.yaml",
        """\
        openapi: 3.0.0
        components:
          schemas:
            DateTime: {type: string, format: date-time, description: a clash with Common}
            Cycle:
              type: object
              properties:
                area: {$ref: 'Common.yaml#/components/schemas/Area'}
        """,
    )
    # Never reached: a file with a TAB in its indentation, which PyYAML rejects.
    write(tmp_path, "Broken.yaml", "components:\n\tschemas: {}\n")
    return tmp_path / "Root.yaml"


def test_everything_is_local_and_resolves(spec: Path) -> None:
    doc = bundle(spec)
    text = dump(doc)
    assert ".yaml#" not in text
    for ref in string_values(doc, "$ref"):
        kind, name = ref.removeprefix("#/components/").split("/")
        assert name in doc["components"][kind], ref


def test_clashes_rename_only_the_non_root_copies(spec: Path) -> None:
    schemas = bundle(spec)["components"]["schemas"]
    # Area exists in Root and Common: Root keeps the name, Common's is prefixed.
    assert schemas["Area"]["type"] == "string"
    assert schemas["CommonArea"]["type"] == "object"
    # DateTime exists in Common and Other (no root copy): both are prefixed.
    assert {"CommonDateTime", "OtherDateTime"} <= set(schemas)
    assert "DateTime" not in schemas
    # No clash, no rename.
    assert {"Problem", "Cycle", "Thing"} <= set(schemas)


def test_cycles_across_files_terminate(spec: Path) -> None:
    schemas = bundle(spec)["components"]["schemas"]
    assert schemas["CommonArea"]["properties"]["back"] == {"$ref": "#/components/schemas/Cycle"}
    assert schemas["Cycle"]["properties"]["area"] == {"$ref": "#/components/schemas/CommonArea"}


def test_responses_headers_security_and_inner_pointers(spec: Path) -> None:
    doc = bundle(spec)
    post = doc["paths"]["/things"]["post"]
    assert post["responses"]["400"] == {"$ref": "#/components/responses/400"}
    assert doc["components"]["responses"]["400"]["content"]["application/problem+json"] == {
        "schema": {"$ref": "#/components/schemas/Problem"}
    }
    location = post["responses"]["201"]["headers"]["Location"]
    assert location == {"$ref": "#/components/headers/Location"}
    assert doc["components"]["headers"]["Location"]["required"] is True
    assert doc["security"] == [{}, {"oauth": ["scope-a"]}]
    assert doc["components"]["securitySchemes"]["oauth"]["type"] == "oauth2"
    # A pointer into the middle of a schema is inlined.
    assert doc["components"]["schemas"]["Thing"]["properties"]["size"] == {
        "type": "integer",
        "minimum": 0,
    }


def test_output_is_deterministic(spec: Path) -> None:
    assert dump(bundle(spec)) == dump(bundle(spec))


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("Broken.yaml#/components/schemas/X", "not valid YAML"),  # unreached until now
        ("Common.yaml#/components/schemas/Missing", "Missing"),  # a dangling reference
    ],
    ids=["invalid-file-once-reached", "dangling"],
)
def test_a_reachable_bad_reference_fails(spec: Path, target: str, error: str) -> None:
    bundle(spec)  # Broken.yaml is not reached: fine.
    root = yaml.safe_load(spec.read_text())
    root["components"]["schemas"]["Thing"]["properties"]["bad"] = {"$ref": target}
    spec.write_text(yaml.safe_dump(root))
    with pytest.raises(BundleError, match=error):
        bundle(spec)
