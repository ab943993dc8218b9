"""Mutation testing of the decision core: run mutmut, print the score per file.

mutmut (configured in ``[tool.mutmut]`` of pyproject.toml) copies ``pcf_server`` into
``mutants/``, changes one operator, constant or call at a time in the decision engine,
the degradation, equivalence and feature rules, the service layer and the capacity
ledger, and runs the fast in-process tests that reach the changed function. A mutant
that no test notices is a decision no test pins.

    .venv/bin/python scripts/mutation.py                 # every mutant (about 10 min)
    .venv/bin/python scripts/mutation.py pcf_server/policy/degradation.py
    .venv/bin/python scripts/mutation.py --changed main  # files changed since main
    .venv/bin/python scripts/mutation.py --core --min-score 90

Some survivors change nothing an observer could see (a bound checked twice, a tie that
cannot happen): ``scripts/mutation_equivalent.toml`` lists them, each with one line on
why no test can tell it apart. The score leaves them out: killed / (mutants - equivalent
- skipped). Every other survivor is printed as a diff, since each is a missing test.
``--min-score`` makes the command exit 1 when a file scores lower. Results are cached in
``mutants/``: a second run tests only the functions that changed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EQUIVALENT = Path(__file__).with_name("mutation_equivalent.toml")
# The files whose behaviour-changing mutants must be killed (issue: at least 90 %).
CORE = (
    "pcf_server/policy/engine.py",
    "pcf_server/policy/degradation.py",
    "pcf_server/policy/equivalence.py",
    "pcf_server/policy/features.py",
    "pcf_server/service/capacity.py",
)
_KILLED = {1, 3, 36, 37, 24, -24, 152, 255}  # test failure, pytest error, timeout, type check
_SURVIVED = 0
_NO_TESTS = {5, 33}
_SKIPPED = 34


@dataclass(frozen=True)
class Equivalent:
    file: str
    function: str
    was: str
    now: str
    why: str


@dataclass
class FileScore:
    path: str
    killed: int = 0
    survived: list[str] = field(default_factory=list)
    equivalent: list[str] = field(default_factory=list)
    no_tests: list[str] = field(default_factory=list)
    skipped: int = 0
    unchecked: int = 0

    @property
    def mutants(self) -> int:
        return (
            self.killed
            + len(self.survived)
            + len(self.equivalent)
            + len(self.no_tests)
            + self.skipped
            + self.unchecked
        )

    @property
    def score(self) -> float | None:
        judged = self.mutants - len(self.equivalent) - self.skipped - self.unchecked
        return None if judged <= 0 else 100.0 * self.killed / judged


def _configured_patterns() -> list[str]:
    with (REPO / "pyproject.toml").open("rb") as file:
        patterns: list[str] = tomllib.load(file)["tool"]["mutmut"]["only_mutate"]
    return patterns


def mutated_files() -> list[str]:
    """Every file mutmut mutates, as repository paths."""
    patterns = _configured_patterns()
    return sorted(
        path.relative_to(REPO).as_posix()
        for path in (REPO / "pcf_server").rglob("*.py")
        if any(fnmatch(path.relative_to(REPO).as_posix(), p) for p in patterns)
    )


def changed_files(since: str) -> list[str]:
    """Mutated files that differ from ``since`` (a commit, branch or tag)."""
    out = subprocess.run(
        ["git", "diff", "--name-only", since, "--", "pcf_server"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"mutation.py: git diff {since}: {out.stderr.strip()}")
    changed = set(out.stdout.split())
    return [path for path in mutated_files() if path in changed]


def _module(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def _function(mutant: str, module: str) -> str:
    """``Class.method`` or ``function`` from a mutmut mutant name."""
    name = mutant.removeprefix(module + ".").rsplit("__mutmut_", 1)[0]
    return name.removeprefix("x").strip("ǁ").replace("ǁ", ".").removeprefix("_").lstrip(".")


def load_equivalents() -> list[Equivalent]:
    with EQUIVALENT.open("rb") as file:
        return [Equivalent(**entry) for entry in tomllib.load(file).get("equivalent", [])]


def _diff(mutant: str, path: str) -> tuple[str, str, str]:
    """(removed lines, added lines, unified diff) of a mutant, via mutmut's own diff."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant  # needs the cwd = REPO

    diff = get_diff_for_mutant(mutant, path=Path(path))
    lines = diff.splitlines()[2:]
    was = " / ".join(line[1:].strip() for line in lines if line.startswith("-"))
    now = " / ".join(line[1:].strip() for line in lines if line.startswith("+"))
    return was, now, diff


def score(files: list[str], equivalents: list[Equivalent]) -> tuple[list[FileScore], str]:
    """Per-file results from mutmut's cache, and the diffs of unexplained survivors."""
    scores, report = [], []
    used: set[Equivalent] = set()
    for path in files:
        result = FileScore(path)
        meta = REPO / "mutants" / (path + ".meta")
        exit_codes = json.loads(meta.read_text())["exit_code_by_key"] if meta.exists() else {}
        module = _module(path)
        for mutant, code in sorted(exit_codes.items()):
            if code in _KILLED:
                result.killed += 1
            elif code in _NO_TESTS:
                result.no_tests.append(mutant)
            elif code == _SKIPPED:
                result.skipped += 1
            elif code is None:
                result.unchecked += 1
            else:  # survived, or an odd exit status: either way nothing failed
                was, now, diff = _diff(mutant, path)
                function = _function(mutant, module)
                match = next(
                    (
                        e
                        for e in equivalents
                        if (e.file, e.function, e.was, e.now) == (path, function, was, now)
                    ),
                    None,
                )
                if match is not None:
                    used.add(match)
                    result.equivalent.append(mutant)
                else:
                    result.survived.append(mutant)
                    report.append(f"# {mutant} ({function})\n{diff}\n")
        scores.append(result)
    stale = [e for e in equivalents if e.file in files and e not in used]
    for entry in stale:
        report.append(
            f"# listed as equivalent but no such survivor: {entry.file} {entry.function}: "
            f"{entry.was!r} -> {entry.now!r}\n"
        )
    return scores, "\n".join(report)


def run_mutmut(files: list[str], max_children: int | None) -> int:
    """``mutmut run`` on the mutants of ``files``; its temporary files on tmpfs if any."""
    env = dict(os.environ)
    # SQLite runs with synchronous=FULL: on a RAM disk each test's fsyncs cost nothing.
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        env["TMPDIR"] = tempfile.mkdtemp(prefix="mutation-", dir=shm)
    command = [str(Path(sys.executable).with_name("mutmut")), "run"]
    if max_children:
        command += ["--max-children", str(max_children)]
    command += [_module(path) + ".*" for path in files]
    print("$", " ".join(command), flush=True)
    return subprocess.run(command, cwd=REPO, env=env, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("files", nargs="*", help="files to mutate (default: all configured)")
    parser.add_argument("--core", action="store_true", help="only " + ", ".join(CORE))
    parser.add_argument("--changed", metavar="REF", help="only files changed since REF")
    parser.add_argument("--min-score", type=float, help="exit 1 if a file scores lower (%%)")
    parser.add_argument("--max-children", type=int, help="parallel mutmut workers")
    parser.add_argument(
        "--report-only", action="store_true", help="print the cached results, run nothing"
    )
    args = parser.parse_args(argv)
    os.chdir(REPO)
    known = mutated_files()
    files = list(args.files) or (list(CORE) if args.core else known)
    if args.changed:
        changed = set(changed_files(args.changed))
        files = [path for path in files if path in changed]
        if not files:
            print(f"no mutated file changed since {args.changed}")
            return 0
    unknown = [path for path in files if path not in known]
    if unknown:
        print(f"mutation.py: not mutated by [tool.mutmut]: {', '.join(unknown)}", file=sys.stderr)
        return 2
    if not args.report_only:
        status = run_mutmut(files, args.max_children)
        if status != 0:
            print(f"mutation.py: mutmut run exited with {status}", file=sys.stderr)
            return status
    scores, report = score(files, load_equivalents())
    if report:
        print("\nSurvivors no test tells apart from the code (each a missing test):\n")
        print(report)
    columns = ("mutants", "killed", "surv.", "equiv.", "no test")
    print(f"{'file':<40} " + " ".join(f"{c:>7}" for c in columns) + "  score")
    failed = False
    for result in scores:
        value = result.score
        shown = "-" if value is None else f"{value:.1f} %"
        print(
            f"{result.path:<40} {result.mutants:>7} {result.killed:>7} {len(result.survived):>7}"
            f" {len(result.equivalent):>7} {len(result.no_tests):>7}  {shown}"
        )
        if args.min_score is not None and value is not None and value < args.min_score:
            failed = True
    if failed:
        print(f"mutation.py: a file scores below {args.min_score} %", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
