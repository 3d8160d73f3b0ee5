"""Guards of scheduled runs: a refused snapshot waits for approval, a failed run leaves the
data as it was and the next schedule retries, failures show in the source's standing."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from loaders.scheduling.approve import ApprovalError, approve_run
from loaders.scheduling.history import standing
from loaders.scheduling.run import Outcome, RunContext, run_source
from tests.scheduling.conftest import (
    FileServer,
    first_establishment,
    organizations,
    query,
    run_row,
    source,
    structures,
)


@pytest.fixture
def refused(context: RunContext, http: FileServer) -> int:
    """A source loaded once, then refused: its next file removes an establishment while
    the source allows no removal."""
    url = http.serve("/s.json", structures())
    assert run_source(context, source(url), "manual").outcome is Outcome.LOADED
    http.serve("/s.json", structures(drop=(first_establishment(),)), etag='"v2"')
    outcome = run_source(context, source(url, removal_threshold=0.0), "scheduled")
    assert outcome.outcome is Outcome.REFUSED, outcome.message
    assert outcome.run_id is not None
    return outcome.run_id


def present(url: str, finess: str) -> bool:
    return query(url, "SELECT active FROM organization WHERE id = %s", finess) == [(True,)]


def test_a_refused_run_keeps_the_data_and_its_file(context: RunContext, refused: int) -> None:
    run = run_row(context.database_url, refused)
    assert run["status"] == "refused" and "would remove 1 of" in run["message"]
    assert present(context.database_url, first_establishment())
    assert Path(run["file_path"]).read_bytes() == structures(drop=(first_establishment(),))
    with psycopg.connect(context.database_url) as conn:
        found = standing(conn, "structures")
    assert found.awaiting_approval == refused and found.consecutive_failures == 1


def test_approval_loads_the_refused_file_anyway(context: RunContext, refused: int) -> None:
    kept = Path(run_row(context.database_url, refused)["file_path"])
    outcome = approve_run(context, refused)
    assert outcome.outcome is Outcome.LOADED and outcome.counts.deactivated == 1
    approval = run_row(context.database_url, outcome.run_id)
    assert (approval["trigger"], approval["status"], approval["approves"]) == (
        "approval",
        "succeeded",
        refused,
    )
    assert not present(context.database_url, first_establishment())
    assert not kept.exists()
    with psycopg.connect(context.database_url) as conn:
        found = standing(conn, "structures")
    assert found.awaiting_approval is None and found.consecutive_failures == 0
    with pytest.raises(ApprovalError, match="no longer kept|approved by"):
        approve_run(context, refused)


def test_the_next_run_of_an_approved_file_is_unchanged(
    context: RunContext, http: FileServer, refused: int
) -> None:
    approve_run(context, refused)
    url = http.url + "/s.json"
    outcome = run_source(context, source(url, removal_threshold=0.0), "scheduled")
    assert outcome.outcome is Outcome.UNCHANGED  # 304 on the validators of the approved file


def test_only_a_refused_run_with_its_file_can_be_approved(
    context: RunContext, http: FileServer, refused: int
) -> None:
    with pytest.raises(ApprovalError, match="no run 999999"):
        approve_run(context, 999_999)
    with pytest.raises(ApprovalError, match="only a refused run"):
        approve_run(context, refused - 1)  # the first, successful load
    # Refused again on the next schedule: the newer refusal supersedes the older one.
    again = run_source(context, source(http.url + "/s.json", removal_threshold=0.0), "scheduled")
    assert again.outcome is Outcome.REFUSED
    assert run_row(context.database_url, refused)["file_path"] is None
    with pytest.raises(ApprovalError, match="no longer kept"):
        approve_run(context, refused)
    assert approve_run(context, again.run_id).outcome is Outcome.LOADED


def test_approval_never_brings_older_data_back(
    context: RunContext, http: FileServer, refused: int
) -> None:
    # A later snapshot, within the guard, loads; the refused one is now older than the data.
    http.serve("/s.json", structures(drop=(first_establishment(),)), etag='"v3"')
    later = run_source(context, source(http.url + "/s.json", removal_threshold=0.5), "scheduled")
    assert later.outcome is Outcome.LOADED
    with pytest.raises(ApprovalError, match="no longer kept"):
        approve_run(context, refused)
    assert run_row(context.database_url, refused)["status"] == "refused"


def test_a_failed_run_is_retried_on_the_next_schedule(
    context: RunContext, http: FileServer
) -> None:
    url = http.serve("/s.json", structures(), fail_first=3)
    failed = run_source(context, source(url, retries=1), "scheduled")
    assert failed.outcome is Outcome.FAILED
    assert organizations(context.database_url) == []
    with psycopg.connect(context.database_url) as conn:
        assert standing(conn, "structures").consecutive_failures == 1
    retried = run_source(context, source(url, retries=1), "scheduled")
    assert retried.outcome is Outcome.LOADED, retried.message
    with psycopg.connect(context.database_url) as conn:
        found = standing(conn, "structures")
    assert found.consecutive_failures == 0 and found.last_failure["id"] == failed.run_id
    assert found.last_success["id"] == retried.run_id


def test_a_bad_file_fails_the_load_and_keeps_the_data(
    context: RunContext, http: FileServer
) -> None:
    url = http.serve("/s.json", structures())
    run_source(context, source(url), "manual")
    before = organizations(context.database_url)
    http.serve("/s.json", b'{"not": "finess"', etag='"v2"')
    outcome = run_source(context, source(url), "scheduled")
    assert outcome.outcome is Outcome.FAILED
    assert run_row(context.database_url, outcome.run_id)["status"] == "failed"
    assert organizations(context.database_url) == before


def test_a_run_left_running_by_a_dead_process_is_marked_interrupted(
    context: RunContext, http: FileServer
) -> None:
    with psycopg.connect(context.database_url) as conn:
        conn.execute(
            "INSERT INTO load_run (source, kind, file_name, status, trigger) "
            "VALUES ('structures', 'finess', '', 'running', 'scheduled')"
        )
    url = http.serve("/s.json", structures())
    run_source(context, source(url), "manual")
    rows = query(context.database_url, "SELECT status, message FROM load_run ORDER BY id")
    assert rows[0] == ("failed", "interrupted: the process running it stopped")


def test_a_snapshot_below_the_sources_floor_waits_for_approval(
    context: RunContext, http: FileServer
) -> None:
    # A first load: the removal guard has nothing to compare with; min_rows is the floor.
    url = http.serve("/s.json", structures())
    outcome = run_source(context, source(url, min_rows=1_000_000), "scheduled")
    assert outcome.outcome is Outcome.REFUSED
    assert "fewer than the 1,000,000 its source requires" in outcome.message
    assert organizations(context.database_url) == []
    approved = approve_run(context, outcome.run_id)
    assert approved.outcome is Outcome.LOADED and approved.counts.new > 0
    assert present(context.database_url, first_establishment())


def test_scheduled_runs_keep_tombstones_history_days(context: RunContext, http: FileServer) -> None:
    from dataclasses import replace

    no_history = replace(context, history_days=0)
    url = http.serve("/s.json", structures())
    run_source(no_history, source(url), "manual")
    gone = first_establishment()
    http.serve("/s.json", structures(drop=(gone,)), etag='"v2"')
    assert run_source(no_history, source(url, removal_threshold=0.5), "manual").counts
    assert query(context.database_url, "SELECT active FROM organization WHERE id = %s", gone) == [
        (False,)
    ]
    # The next run purges tombstones older than 0 days: that of the run before.
    http.serve("/s.json", structures(drop=(gone,)) + b" ", etag='"v3"')
    assert run_source(no_history, source(url, removal_threshold=0.5), "manual").counts
    assert query(context.database_url, "SELECT 1 FROM organization WHERE id = %s", gone) == []
