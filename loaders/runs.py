"""Run records: one row per load and one per rejected source row, written and listed here."""

from __future__ import annotations

from typing import Any

from psycopg import Connection

from loaders.base import Rejected

RUN_COLUMNS = (
    "id, source, file_name, sha256, started_at, finished_at, status, message, "
    "new, changed, unchanged, deactivated, rejected"
)


def start_run(conn: Connection, source: str, file_name: str) -> int:
    row = conn.execute(
        "INSERT INTO load_run (source, file_name, status) VALUES (%s, %s, 'running') RETURNING id",
        (source, file_name),
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


def list_runs(conn: Connection, limit: int = 20) -> list[dict]:
    cur = conn.execute(f"SELECT {RUN_COLUMNS} FROM load_run ORDER BY id DESC LIMIT %s", (limit,))
    names = [d.name for d in cur.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def list_rejections(conn: Connection, run_id: int, limit: int = 100) -> list[dict]:
    cur = conn.execute(
        "SELECT line, reason, raw FROM load_rejection WHERE run_id = %s ORDER BY line LIMIT %s",
        (run_id, limit),
    )
    return [{"line": line, "reason": reason, "raw": raw} for line, reason, raw in cur.fetchall()]
