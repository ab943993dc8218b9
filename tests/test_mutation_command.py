"""The mutation command: what CI runs, and the list of equivalent survivors stays true."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from scripts import mutation
from tests.conftest import REPO
from tests.test_readme import block


def test_ci_runs_the_readme_mutation_command_on_the_core_with_a_floor() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "readme_block mutation-ci-command" in ci
    command = block("mutation-ci-command")
    assert command.startswith(".venv/bin/python scripts/mutation.py ")
    assert "--min-score 90" in command
    assert block("mutation-command") == ".venv/bin/python scripts/mutation.py"


def test_the_core_and_the_ledger_are_what_mutmut_mutates() -> None:
    files = mutation.mutated_files()
    assert set(mutation.CORE) <= set(files)
    assert "pcf_server/storage/ledger.py" in files
    assert all(
        path.startswith(("pcf_server/policy/", "pcf_server/service/", "pcf_server/storage/"))
        for path in files
    )
    with (REPO / "pyproject.toml").open("rb") as file:
        selected = tomllib.load(file)["tool"]["mutmut"]["pytest_add_cli_args_test_selection"]
    assert all((REPO / path).is_file() for path in selected)


def test_every_listed_equivalent_still_names_a_line_of_its_file() -> None:
    """A listed survivor whose line changed is no longer known to be equivalent."""
    entries = mutation.load_equivalents()
    assert entries
    for entry in entries:
        source = (REPO / entry.file).read_text(encoding="utf-8")
        lines = {line.strip() for line in source.splitlines()}
        assert entry.was in lines, (entry.file, entry.was)
        assert entry.function.rsplit(".", 1)[-1] in source, entry
        assert entry.was != entry.now and entry.why, entry


def test_mutant_names_give_the_function_they_change() -> None:
    module = "pcf_server.policy.engine"
    assert mutation._function(f"{module}.x__plus__mutmut_5", module) == "_plus"
    assert mutation._function(f"{module}.x_demand_bytes__mutmut_2", module) == "demand_bytes"
    method = f"{module}.xǁLoadAwareDeciderǁ_search__mutmut_88"
    assert mutation._function(method, module) == "LoadAwareDecider._search"


def test_the_score_leaves_out_equivalents_and_counts_untested_mutants_as_missed() -> None:
    result = mutation.FileScore("f.py", killed=8, survived=["a"], equivalent=["b", "c"])
    result.no_tests.append("d")
    assert result.mutants == 12
    assert result.score == 80.0  # 8 of the 10 that can be told apart
    assert mutation.FileScore("empty.py").score is None


def test_a_file_mutmut_does_not_mutate_is_one_line_and_exit_2() -> None:
    result = subprocess.run(
        [sys.executable, "scripts/mutation.py", "--report-only", "pcf_server/wire/bdt.py"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    expected = "mutation.py: not mutated by [tool.mutmut]: pcf_server/wire/bdt.py"
    assert result.stderr.strip() == expected
