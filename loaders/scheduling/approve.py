"""`annuaire runs approve ID`: load the file of a refused run anyway, as a run of its own.

A refused run keeps its file (downloaded, or the local source's path) and its digest; the
approval checks the file is still that one, and that nothing newer of the source has loaded
since, then loads it with the guards off under the source's lock, as a run that `approves`
the refused one.
"""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg

from loaders import runs
from loaders.base import BadFile
from loaders.pipeline import LoadBusy, file_sha256
from loaders.scheduling import history
from loaders.scheduling.config import SourceConfig
from loaders.scheduling.run import (
    Outcome,
    RunContext,
    RunOutcome,
    counted,
    load_waiting,
    remove_download,
)

log = logging.getLogger(__name__)


class ApprovalError(Exception):
    """The run cannot be approved; the message says why."""


def approve_run(context: RunContext, run_id: int) -> RunOutcome:
    """Load the file of refused run `run_id` with the guards off, as a new run that
    `approves` it. Raises ApprovalError when it cannot (not refused, file gone…)."""
    with psycopg.connect(context.database_url, autocommit=True) as conn:
        refused = runs.get_run(conn, run_id)
        _check_approvable(conn, refused, run_id)
        assert refused is not None
        name = refused["source"]
        with history.source_lock(conn, name) as locked:
            if not locked:
                raise ApprovalError(f"{name} is being run by another process; try again later")
            # Checked again under the lock: a run may have ended meanwhile.
            refused = runs.get_run(conn, run_id)
            _check_approvable(conn, refused, run_id)
            assert refused is not None
            return _approve(context, conn, refused)


def _approve(context: RunContext, conn: psycopg.Connection, refused: dict) -> RunOutcome:
    name, run_id = refused["source"], refused["id"]
    path = Path(refused["file_path"])
    if not path.exists() or file_sha256(path) != refused["sha256"]:
        raise ApprovalError(f"{path} is gone or has changed since run {run_id}")
    source = SourceConfig(name=name, kind=refused["kind"], schedule="")
    new_id = history.start_run(
        conn, source, "approval", approves=run_id, location=refused["location"],
        file_name=refused["file_name"], file_path=str(path), fetched=False,
        bytes=refused["bytes"], etag=refused["etag"], last_modified=refused["last_modified"],
    )  # fmt: skip
    try:
        result = load_waiting(context, source, path, new_id, force=True)
    except Exception as exc:  # the pipeline recorded BadFile and the like already
        message = " ".join(str(exc).split()) or type(exc).__name__
        if not isinstance(exc, BadFile | LoadBusy):
            log.exception("%s: approval run %s failed", name, new_id)
        history.fail_if_running(conn, new_id, message)
        return RunOutcome(Outcome.FAILED, new_id, message)
    runs.update_run(conn, new_id, file_path=None)
    runs.update_run(conn, run_id, file_path=None)
    remove_download(context, name, path)
    c = result.counts
    return RunOutcome(Outcome.LOADED, new_id, counted(c), c)


def _check_approvable(conn: psycopg.Connection, run: dict | None, run_id: int) -> None:
    if run is None:
        raise ApprovalError(f"no run {run_id}")
    if run["status"] != "refused":
        raise ApprovalError(f"run {run_id} is {run['status']}; only a refused run is approved")
    if run["approved_by"] is not None:
        raise ApprovalError(f"run {run_id} was approved by run {run['approved_by']}")
    if not run["file_path"]:
        if run["trigger"] == history.BY_HAND:
            raise ApprovalError(
                f"run {run_id} loaded a file by hand: load it again with "
                f"annuaire load {run['kind']} PATH --force"
            )
        raise ApprovalError(f"the file of run {run_id} is no longer kept (a newer run replaced it)")
    newer = history.newer_confirmed(conn, run["source"], run_id)
    if newer is not None:
        raise ApprovalError(
            f"run {newer} of {run['source']} loaded a newer file since; approving run {run_id} "
            "would bring older data back"
        )
