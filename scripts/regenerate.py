"""Regenerate the typed NEF-side client from ``specs/`` in one command.

Steps: bundle the multi-file specification into ``<out>/openapi.yaml``, run
openapi-python-client with ``--fail-on-warning``, the committed configuration and our
templates, then format the result with the pinned ruff in isolated mode, so that the
output depends only on the inputs and on the pinned tool versions (never on a ruff
configuration that happens to be around). Running it twice changes nothing.

Two adaptations make the generated models faithful to 3GPP payloads:

- the generator is given a view of the bundle without ``oneOf``/``anyOf`` lists whose
  branches only say which properties are ``required`` (GlobalRanNodeId's "exactly one
  of gNbId, ngeNbId, ..."): that is a validation rule, not a type union, and as a union
  the generator loses the model entirely (``list[Any]``). The server still enforces it.
- ``templates/`` renders UTC date-times with ``Z``, as 3GPP writes them, so payloads
  round-trip through the models unchanged.

``templates/`` also makes each operation's request building and answer parsing public
(``request_kwargs``, ``parse_response``), so that nef_client, which sends through its
own retry and redirect loop, uses no private name of the generated package.

``--check`` builds the same output in a temporary folder, compares it with ``<out>`` and
names every stale, missing or extra file; it exits 1 when anything differs.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.bundle import BundleError, bundle, dump

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SPECS = REPO / "specs"
DEFAULT_OUT = REPO / "generated"
DEFAULT_CONFIG = Path(__file__).resolve().parent / "codegen.yaml"
TEMPLATES = Path(__file__).resolve().parent / "templates"
ROOT_FILE = "TS29554_Npcf_BDTPolicyControl.yaml"
BUNDLE_NAME = "openapi.yaml"
PACKAGE = "npcf_bdt_client"
_RUFF_ARGS = ["--isolated", "--no-cache", "--line-length", "120"]


class RegenerationError(Exception):
    """The generator or the formatter failed; the message carries their output."""


def _run(command: list[str], cwd: Path | None = None) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    output = result.stdout + result.stderr
    if result.returncode != 0:
        raise RegenerationError(f"{' '.join(command)} failed ({result.returncode}):\n{output}")
    return output


def _is_constraint_only(branches: list[Any]) -> bool:
    return all(isinstance(b, dict) and set(b) <= {"required", "description"} for b in branches)


def for_codegen(node: Any) -> Any:
    """The bundle as the generator should see it (see the module docstring)."""
    if isinstance(node, dict):
        return {
            key: for_codegen(value)
            for key, value in node.items()
            if not (key in ("oneOf", "anyOf") and _is_constraint_only(value))
        }
    if isinstance(node, list):
        return [for_codegen(value) for value in node]
    return node


def build(specs: Path, out: Path, config: Path = DEFAULT_CONFIG, root: str = ROOT_FILE) -> str:
    """Write the bundle and the generated package into ``out``; return the generator's log."""
    out.mkdir(parents=True, exist_ok=True)
    bundle_path = out / BUNDLE_NAME
    document = bundle(specs / root)
    bundle_path.write_text(dump(document), encoding="utf-8")
    package_dir = out / PACKAGE
    if package_dir.exists():
        shutil.rmtree(package_dir)
    with tempfile.TemporaryDirectory() as tmp:
        codegen_input = Path(tmp) / BUNDLE_NAME
        codegen_input.write_text(dump(for_codegen(document)), encoding="utf-8")
        log = _run(
            [
                sys.executable, "-m", "openapi_python_client", "generate",
                "--path", str(codegen_input),
                "--config", str(config),
                "--custom-template-path", str(TEMPLATES),
                "--meta", "none",
                "--output-path", str(package_dir),
                "--fail-on-warning",
            ]
        )  # fmt: skip
    ruff = [sys.executable, "-m", "ruff"]
    # Run from ``out``, not from inside the package: its ``types.py`` would shadow the
    # standard library module of that name for ``python -m``.
    _run([*ruff, "check", *_RUFF_ARGS, "--fix-only", "--select", "F401,I", "--quiet", PACKAGE], out)
    _run([*ruff, "format", *_RUFF_ARGS, "--quiet", PACKAGE], out)
    return log


def _tree(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def stale_files(expected: Path, actual: Path) -> list[str]:
    """Describe every file that differs between two output folders."""
    want = {f for f in _tree(expected) if f == BUNDLE_NAME or f.startswith(PACKAGE + "/")}
    have = {f for f in _tree(actual) if f == BUNDLE_NAME or f.startswith(PACKAGE + "/")}
    problems = [f"missing: {f}" for f in sorted(want - have)]
    problems += [f"extra: {f}" for f in sorted(have - want)]
    problems += [
        f"stale: {f}"
        for f in sorted(want & have)
        if not filecmp.cmp(expected / f, actual / f, shallow=False)
    ]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bundle specs/ and regenerate the client.")
    parser.add_argument(
        "--specs", type=Path, default=DEFAULT_SPECS, help="folder of the multi-file spec"
    )
    parser.add_argument("--root", default=ROOT_FILE, help="root file inside --specs")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--config", type=Path, default=DEFAULT_CONFIG, help="openapi-python-client config"
    )
    parser.add_argument(
        "--check", action="store_true", help="only report whether --out is up to date"
    )
    args = parser.parse_args(argv)
    try:
        if not args.check:
            build(args.specs, args.out, args.config, args.root)
            print(f"regenerated {args.out / BUNDLE_NAME} and {args.out / PACKAGE}/")
            return 0
        with tempfile.TemporaryDirectory() as tmp:
            build(args.specs, Path(tmp), args.config, args.root)
            problems = stale_files(Path(tmp), args.out)
    except (BundleError, RegenerationError) as exc:
        print(f"regenerate: {exc}", file=sys.stderr)
        return 2
    if problems:
        print(f"{args.out} does not match {args.specs}:", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        print("run: python scripts/regenerate.py", file=sys.stderr)
        return 1
    print(f"{args.out} is up to date with {args.specs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
