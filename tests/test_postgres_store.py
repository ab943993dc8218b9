"""The in-process tests of the use cases and the store, run again on PostgreSQL.

The same tests as on SQLite (imported from their modules, so none is written twice),
with the conftest's ``store`` fixture swapped for a ``PostgresStore`` on a database of
this module's own: one repository layer, shown to behave the same on both engines.
Tests that read the SQLite file directly are not among them.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import Any

import pytest

from tests import postgres

# Modules whose tests use only the store's ports (no sqlite3 access of their own).
_MODULES = (
    "tests.test_warnings",
    "tests.test_degradation_factors",
    "tests.test_core_service",
    "tests.test_capacity",
    "tests.test_reservations",
    "tests.test_conflicts",
    "tests.test_abuse_service",
    "tests.test_timeline",
    "tests.test_policy_limit_counts",
)
# Tests whose helpers open the SQLite file itself (sqlite3.connect(store.path)).
_SQLITE_FILE_READERS = {
    "test_a_broken_selection_gets_candidates_elsewhere_in_its_window",
    "test_a_candidate_selected_while_held_is_committed_as_promised",
    "test_a_create_decides_again_when_the_guard_refuses",
    "test_a_degradation_is_done_again_after_a_concurrent_save",
    "test_a_guard_that_keeps_refusing_leaves_nothing_behind",
    "test_a_late_download_is_reserved_again_without_uplink",
    "test_a_late_selection_is_reserved_again_where_and_as_it_was_offered",
    "test_a_mild_degradation_that_still_fits_changes_nothing",
    "test_a_new_warning_starts_the_wait_again",
    "test_a_race_on_the_same_request_ends_in_303_naming_the_stored_policy",
    "test_a_refused_guard_decides_again_and_stores_the_policy_with_its_reservations",
    "test_a_report_without_a_period_affects_what_is_under_way_now",
    "test_a_row_written_under_older_rules_is_read_updated_and_degraded",
    "test_a_single_offer_is_committed_at_once",
    "test_a_warning_unanswered_for_the_configured_time_removes_the_policy",
    "test_an_answered_warning_keeps_the_policy",
    "test_an_update_is_applied_again_after_a_concurrent_save",
    "test_an_update_that_always_loses_is_contention_and_changes_nothing",
    "test_an_uplink_overload_affects_the_upload_and_not_the_download_beside_it",
    "test_candidate_ids_after_warnings_continue_the_numbering",
    "test_contention_is_503_nf_congestion_with_retry_after",
    "test_degradation_invalidates_and_queues_a_notification",
    "test_holds_expire_and_selection_rechecks",
    "test_late_selection_that_still_fits_is_reserved_again",
    "test_no_new_candidate_keeps_the_policy_and_says_nothing",
    "test_only_policies_that_no_longer_fit_are_affected",
    "test_passed_policies_are_purged_and_their_capacity_freed",
    "test_refusing_every_candidate_removes_the_policy",
    "test_refusing_the_candidates_removes_the_policy",
    "test_selection_commits_and_frees_the_other_candidates",
    "test_two_asps_asking_for_the_same_quiet_night",
}


def _borrow() -> dict[str, Any]:
    borrowed: dict[str, Any] = {}
    for name in _MODULES:
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if attribute == "store" or attribute in _SQLITE_FILE_READERS:
                continue
            fixture = type(value).__name__ == "FixtureFunctionDefinition"
            if fixture or (attribute.startswith("test_") and callable(value)):
                borrowed[attribute] = value
    return borrowed


globals().update(_borrow())


@pytest.fixture(scope="module")
def _postgres_store() -> Iterator[Any]:
    with postgres.store() as opened:
        yield opened


@pytest.fixture
def store(_postgres_store: Any) -> Any:
    _postgres_store.reset()
    return _postgres_store
