"""Regenerate the typed clients from ``specs/`` in one command.

Two APIs, two packages (``TARGETS``): the NEF's client of the PCF (Npcf_BDTPolicyControl,
TS 29.554) as ``npcf_bdt_client`` beside the bundle ``openapi.yaml``, and the AF's client
of the NEF's northbound BDT API (3gpp-bdt, TS 29.122) as ``nnef_bdt_client`` beside
``openapi-3gpp-bdt.yaml``. The name says what the package talks to, as the first one
does: 3gpp-bdt is how TS 29.122 exposes the NEF service Nnef_BDTPNegotiation of
TS 23.502, so an AF imports ``nnef_bdt_client`` to reach the NEF, and a NEF
``npcf_bdt_client`` to reach the PCF.

Steps, per target: bundle the multi-file specification from its root file, run
openapi-python-client with ``--fail-on-warning``, the target's committed configuration
and our templates, then format the result with the pinned ruff in isolated mode, so that
the output depends only on the inputs and on the pinned tool versions (never on a ruff
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
names every stale, missing or extra file; it exits 1 when anything differs. ``--root``
builds one API from another root file (an official release's folder, say) into the
first target's names.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Target:
    """One API to generate: its root file in the specs, and the names of its output."""

    root: str
    bundle: str
    package: str
    config: Path


TARGETS = (
    Target(ROOT_FILE, BUNDLE_NAME, PACKAGE, DEFAULT_CONFIG),
    Target(
        "TS29122_ResourceManagementOfBdt.yaml",
        "openapi-3gpp-bdt.yaml",
        "nnef_bdt_client",
        Path(__file__).resolve().parent / "codegen-nnef-bdt.yaml",
    ),
)
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


def build(
    specs: Path,
    out: Path,
    config: Path = DEFAULT_CONFIG,
    root: str = ROOT_FILE,
    target: Target | None = None,
) -> str:
    """Write one bundle and its generated package into ``out``; return the generator's log.

    ``target`` names the output (the first target's names by default); ``config`` and
    ``root`` are taken from it when it is given.
    """
    if target is None:
        target = Target(root, BUNDLE_NAME, PACKAGE, config)
    out.mkdir(parents=True, exist_ok=True)
    bundle_path = out / target.bundle
    document = bundle(specs / target.root)
    bundle_path.write_text(dump(document), encoding="utf-8")
    package_dir = out / target.package
    if package_dir.exists():
        shutil.rmtree(package_dir)
    with tempfile.TemporaryDirectory() as tmp:
        codegen_input = Path(tmp) / target.bundle
        codegen_input.write_text(dump(for_codegen(document)), encoding="utf-8")
        log = _run(
            [
                sys.executable, "-m", "openapi_python_client", "generate",
                "--path", str(codegen_input),
                "--config", str(target.config),
                "--custom-template-path", str(TEMPLATES),
                "--meta", "none",
                "--output-path", str(package_dir),
                "--fail-on-warning",
            ]
        )  # fmt: skip
    ruff = [sys.executable, "-m", "ruff"]
    # Run from ``out``, not from inside the package: its ``types.py`` would shadow the
    # standard library module of that name for ``python -m``.
    package = target.package
    _run([*ruff, "check", *_RUFF_ARGS, "--fix-only", "--select", "F401,I", "--quiet", package], out)
    _run([*ruff, "format", *_RUFF_ARGS, "--quiet", package], out)
    return log


def build_all(specs: Path, out: Path, targets: tuple[Target, ...] = TARGETS) -> str:
    """Build every target into ``out``; return the generators' logs."""
    return "".join(build(specs, out, target=target) for target in targets)


def _tree(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def _generated(path: str, targets: tuple[Target, ...]) -> bool:
    return any(path == t.bundle or path.startswith(t.package + "/") for t in targets)


def stale_files(expected: Path, actual: Path, targets: tuple[Target, ...] = TARGETS) -> list[str]:
    """Describe every file of the targets' output that differs between two folders."""
    want = {f for f in _tree(expected) if _generated(f, targets)}
    have = {f for f in _tree(actual) if _generated(f, targets)}
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
    parser.add_argument(
        "--root",
        help="build only the API of this root file inside --specs (as npcf_bdt_client); "
        "default: every API of specs/",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    parser.add_argument(
        "--config", type=Path, default=DEFAULT_CONFIG, help="openapi-python-client config"
    )
    parser.add_argument(
        "--check", action="store_true", help="only report whether --out is up to date"
    )
    args = parser.parse_args(argv)
    targets: tuple[Target, ...] = TARGETS
    if args.root is not None:
        targets = (Target(args.root, BUNDLE_NAME, PACKAGE, args.config),)
    try:
        if not args.check:
            build_all(args.specs, args.out, targets)
            for target in targets:
                print(f"regenerated {args.out / target.bundle} and {args.out / target.package}/")
            return 0
        with tempfile.TemporaryDirectory() as tmp:
            build_all(args.specs, Path(tmp), targets)
            problems = stale_files(Path(tmp), args.out, targets)
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
