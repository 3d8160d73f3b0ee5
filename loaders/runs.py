"""Run records: one row per load and one per rejected source row, written and listed here."""

from __future__ import annotations

from typing import Any

from psycopg import Connection

from loaders.base import Rejected

RUN_COLUMNS = (
    "id, source, file_name, sha256, started_at, finished_at, status, message, "
    "new, changed, unchanged, deactivated, rejected, "
    # scheduled ingestion (loaders/scheduling): how the run came about and what it fetched
    "kind, trigger, location, fetched, bytes, etag, last_modified, file_path, scheduled_for, "
    "approves, (SELECT max(a.id) FROM load_run a "
    "WHERE a.approves = load_run.id AND a.status = 'succeeded') AS approved_by"
)
FAILED = ("failed", "refused")


def start_run(conn: Connection, source: str, file_name: str) -> int:
    row = conn.execute(
        "INSERT INTO load_run (source, kind, file_name, status) "
        "VALUES (%s, %s, %s, 'running') RETURNING id",
        (source, source, file_name),
    ).fetchone()
    assert row is not None
    return row[0]


def update_run(conn: Connection, run_id: int, **fields: Any) -> None:
    """Set columns of a run; `finished=True` stamps its end."""
    finished = fields.pop("finished", False)
    assignments = [f"{name} = %({name})s" for name in fields]
    if finished:
        assignments.append("finished_at = now()")
    conn.execute(
        f"UPDATE load_run SET {', '.join(assignments)} WHERE id = %(run_id)s",
        {**fields, "run_id": run_id},
    )


def record_rejections(conn: Connection, run_id: int, rejections: list[Rejected]) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO load_rejection (run_id, line, reason, raw) VALUES (%s, %s, %s, %s)",
            [(run_id, r.line, r.reason, r.raw[:2000]) for r in rejections],
        )


def list_runs(
    conn: Connection,
    limit: int = 20,
    *,
    source: str | None = None,
    failed: bool = False,
    status: str | None = None,
    before: int | None = None,
) -> list[dict]:
    """The latest runs first; `failed`: failed or refused ones; `before`: ids below it."""
    clauses = ["TRUE"]
    if source is not None:
        clauses.append("source = %(source)s")
    if failed:
        clauses.append("status = ANY(%(failed)s)")
    if status is not None:
        clauses.append("status = %(status)s")
    if before is not None:
        clauses.append("id < %(before)s")
    cur = conn.execute(
        f"SELECT {RUN_COLUMNS} FROM load_run WHERE {' AND '.join(clauses)} "
        "ORDER BY id DESC LIMIT %(limit)s",
        {"source": source, "failed": list(FAILED), "status": status, "before": before,
         "limit": limit},
    )  # fmt: skip
    names = [d.name for d in cur.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def get_run(conn: Connection, run_id: int) -> dict | None:
    cur = conn.execute(f"SELECT {RUN_COLUMNS} FROM load_run WHERE id = %s", (run_id,))
    row = cur.fetchone()
    names = [d.name for d in cur.description or ()]
    return dict(zip(names, row, strict=True)) if row else None


def list_rejections(conn: Connection, run_id: int, limit: int = 100) -> list[dict]:
    cur = conn.execute(
        "SELECT line, reason, raw FROM load_rejection WHERE run_id = %s ORDER BY line LIMIT %s",
        (run_id, limit),
    )
    return [{"line": line, "reason": reason, "raw": raw} for line, reason, raw in cur.fetchall()]
