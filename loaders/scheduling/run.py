"""One run of a configured source: fetch, verify, load, record. The scheduler and `annuaire
sources run` both come through here (and `annuaire runs approve`, loaders/scheduling/approve.py,
loads the same way).

A run holds its source's advisory lock from start to end, so that however many processes
schedule the source, one runs it; the others see the lock, or the record of the run, and
skip. The file is fetched and checked before the load lock is asked for: sources download
side by side and load one at a time.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

import psycopg

from loaders import runs
from loaders.base import BadFile
from loaders.pipeline import (
    DEFAULT_HISTORY_DAYS,
    Counts,
    LoadBusy,
    LoadRefused,
    Progress,
    file_sha256,
    run_load,
)
from loaders.scheduling import history
from loaders.scheduling.config import SourceConfig
from loaders.scheduling.fetch import FetchError, FetchPolicy, Validators, download, fetch_text
from loaders.scheduling.local import local_file
from loaders.scheduling.verify import VerifyError, check_archive, check_checksum, expected_digest

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    LOADED = "loaded"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    REFUSED = "refused"  # a guard stopped the load: `annuaire runs approve` loads it anyway
    SKIPPED = "skipped"  # another process runs it, or has run it for this fire time


@dataclass(frozen=True)
class RunOutcome:
    outcome: Outcome
    run_id: int | None
    message: str
    counts: Counts | None = None


@dataclass(frozen=True)
class RunContext:
    """What every run needs besides its source."""

    database_url: str
    home: Path  # downloads go to home/downloads/<source name>/<run id>/
    removal_threshold: float = 0.05  # ANNUAIRE_REMOVAL_THRESHOLD, unless the source says
    history_days: int = DEFAULT_HISTORY_DAYS  # ANNUAIRE_HISTORY_DAYS
    backoff: float = 2.0  # seconds before the first fetch retry
    lock_poll: float = 5.0  # seconds between tries at the load lock, held by another load
    lock_wait: float = 6 * 3600.0  # how long to wait for it before the run fails
    sleep: Callable[[float], None] = time.sleep
    progress: Progress = field(default=lambda _message: None)

    def downloads(self, name: str) -> Path:
        return self.home / "downloads" / name


@dataclass
class _Fetched:
    path: Path
    name: str  # the file's own name (the server's, for a download)
    downloaded: bool  # a file of ours under downloads/, deleted once no longer needed


def run_source(
    context: RunContext,
    source: SourceConfig,
    trigger: str,
    fire_time: datetime | None = None,
) -> RunOutcome:
    """Run `source` now. `fire_time`: the scheduled time this run answers for; the run is
    skipped if another one already did (another process, or before a restart)."""
    with (
        psycopg.connect(context.database_url, autocommit=True) as conn,
        history.source_lock(conn, source.name) as locked,
    ):
        if not locked:
            return _skipped(source, f"{source.name} is being run elsewhere")
        if fire_time is not None and history.ran_since(conn, source.name, fire_time):
            return _skipped(source, f"already run for {fire_time:%Y-%m-%d %H:%M %Z}")
        history.mark_interrupted(conn, source.name)
        run_id = history.start_run(conn, source, trigger, fire_time)
        log.info("%s: run %s started (%s)", source.name, run_id, trigger)
        outcome = _carry_out(context, conn, source, run_id)
        for path in history.superseded_files(conn, source.name, run_id):
            remove_download(context, source.name, Path(path))
    log.info("%s: run %s %s: %s", source.name, run_id, outcome.outcome, outcome.message)
    return outcome


def _skipped(source: SourceConfig, why: str) -> RunOutcome:
    log.info("%s: skipped: %s", source.name, why)
    return RunOutcome(Outcome.SKIPPED, None, why)


def _carry_out(
    context: RunContext, conn: psycopg.Connection, source: SourceConfig, run_id: int
) -> RunOutcome:
    base = history.baseline(conn, source.name)
    fetched: _Fetched | None = None
    outcome = RunOutcome(Outcome.FAILED, run_id, "")
    try:
        fetched = _fetch(context, conn, source, run_id, base)
        if fetched is None:
            outcome = RunOutcome(Outcome.UNCHANGED, run_id, "not modified since the last run")
            return outcome
        sha256 = _verify(context, source, fetched)
        runs.update_run(conn, run_id, sha256=sha256)
        if base and base["sha256"] == sha256:
            message = f"same content as run {base['id']}"
            runs.update_run(conn, run_id, status="unchanged", message=message, finished=True)
            outcome = RunOutcome(Outcome.UNCHANGED, run_id, message)
            return outcome
        result = load_waiting(context, source, fetched.path, run_id, force=False)
        c = result.counts
        outcome = RunOutcome(Outcome.LOADED, run_id, counted(c), c)
    except LoadRefused as exc:  # the pipeline recorded it; the file waits for approval
        outcome = RunOutcome(Outcome.REFUSED, run_id, str(exc))
    except (FetchError, VerifyError, BadFile, LoadBusy) as exc:
        outcome = RunOutcome(Outcome.FAILED, run_id, str(exc))
        history.fail_if_running(conn, run_id, str(exc))
    except Exception as exc:
        log.exception("%s: run %s failed", source.name, run_id)
        message = " ".join(str(exc).split()) or type(exc).__name__
        outcome = RunOutcome(Outcome.FAILED, run_id, message)
        history.fail_if_running(conn, run_id, message)
    finally:
        # Only a refused run keeps its file: `annuaire runs approve` loads it later.
        if fetched and outcome.outcome is not Outcome.REFUSED:
            runs.update_run(conn, run_id, file_path=None)
            if fetched.downloaded:
                remove_download(context, source.name, fetched.path)
    return outcome


def _fetch(
    context: RunContext,
    conn: psycopg.Connection,
    source: SourceConfig,
    run_id: int,
    base: dict | None,
) -> _Fetched | None:
    """The file to load, recorded on the run; None when the server says it has not changed
    (the run is then recorded as unchanged)."""
    if source.url is None:
        path = local_file(source.path, source.glob)
        runs.update_run(conn, run_id, file_name=path.name, file_path=str(path), fetched=True,
                        bytes=path.stat().st_size if path.is_file() else None)  # fmt: skip
        return _Fetched(path, path.name, downloaded=False)
    same_url = base is not None and base["location"] == source.public_location
    known = Validators(base["etag"], base["last_modified"]) if same_url and base else Validators()
    got = download(
        source.url,
        context.downloads(source.name),
        into=context.downloads(source.name) / str(run_id),  # one folder per run's file
        known=known,
        policy=_policy(context, source),
        sleep=context.sleep,
    )
    if got is None:
        if base is None:
            raise FetchError("the server answered 304 Not Modified to a request without validators")
        runs.update_run(
            conn, run_id, status="unchanged", fetched=False, sha256=base["sha256"],
            file_name=base["file_name"], etag=base["etag"], last_modified=base["last_modified"],
            message=f"not modified since run {base['id']} (HTTP 304)", finished=True,
        )  # fmt: skip
        return None
    runs.update_run(
        conn, run_id, file_name=got.file_name, file_path=str(got.path), fetched=True,
        bytes=got.size, etag=got.validators.etag, last_modified=got.validators.last_modified,
    )  # fmt: skip
    return _Fetched(got.path, got.file_name, downloaded=True)


def _verify(context: RunContext, source: SourceConfig, fetched: _Fetched) -> str:
    """Check the file whole (archives read through, published checksum); its sha256."""
    if fetched.path.is_file():  # a local source may be a folder (an unzipped extract)
        check_archive(fetched.path)
    sha256 = file_sha256(fetched.path)
    if source.checksum_url:
        text = fetch_text(source.checksum_url, _policy(context, source), context.sleep)
        check_checksum(fetched.path, expected_digest(text, fetched.name), sha256)
    return sha256


def _policy(context: RunContext, source: SourceConfig) -> FetchPolicy:
    return FetchPolicy(timeout=source.timeout, retries=source.retries, backoff=context.backoff)


def load_waiting(
    context: RunContext,
    source: SourceConfig,
    path: Path,
    run_id: int,
    force: bool,
):  # noqa: ANN202
    """The pipeline with the source's guards, waiting for the load lock when another load
    holds it (sources scheduled at the same time load one after the other)."""
    from loaders.registry import SOURCES

    deadline = time.monotonic() + context.lock_wait
    while True:
        try:
            return run_load(
                context.database_url,
                source.kind,
                path,
                SOURCES[source.kind],
                force=force,
                threshold=(
                    context.removal_threshold
                    if source.removal_threshold is None
                    else source.removal_threshold
                ),
                history_days=context.history_days,
                min_rows=source.min_rows,
                progress=context.progress,
                run_id=run_id,
            )
        except LoadBusy:
            if time.monotonic() >= deadline:
                raise LoadBusy(
                    f"another load held the lock for {context.lock_wait:.0f} s; "
                    "retried at the next schedule"
                ) from None
            context.sleep(context.lock_poll)


def counted(c: Counts) -> str:
    return (
        f"{c.new:,} new, {c.changed:,} changed, {c.unchanged:,} unchanged, "
        f"{c.deactivated:,} deactivated, {c.rejected:,} rejected"
    )


def remove_download(context: RunContext, name: str, path: Path) -> None:
    """Delete a file we downloaded, and its run's folder; never a file of a local source."""
    if path.parent.parent == context.downloads(name):
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            path.parent.rmdir()
