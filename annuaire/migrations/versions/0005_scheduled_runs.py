"""Run records of scheduled ingestion: trigger, fetch, validators, kept file, approval.

`source` stays the name runs are listed by: the configured source name for scheduled and
`annuaire sources run` runs, the kind for `annuaire load` (as before); `kind` says which
loader read the file. `etag`/`last_modified` are the validators of the fetched file, sent
back on the next fetch; `file_path` is where a refused file waits for its approval.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.execute(
        """
        ALTER TABLE load_run
            ADD COLUMN kind text,
            ADD COLUMN trigger text NOT NULL DEFAULT 'load',
            ADD COLUMN location text,
            ADD COLUMN fetched boolean,
            ADD COLUMN bytes bigint,
            ADD COLUMN etag text,
            ADD COLUMN last_modified text,
            ADD COLUMN file_path text,
            ADD COLUMN scheduled_for timestamptz,
            ADD COLUMN approves bigint REFERENCES load_run (id) ON DELETE SET NULL"""
    )
    op.execute("UPDATE load_run SET kind = source")
    # Every question the scheduler and the status endpoints ask is "the latest runs of X".
    op.execute("CREATE INDEX load_run_source_idx ON load_run (source, id DESC)")
    op.execute(
        "CREATE INDEX load_run_approves_idx ON load_run (approves) WHERE approves IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX load_run_approves_idx")
    op.execute("DROP INDEX load_run_source_idx")
    op.execute(
        """
        ALTER TABLE load_run
            DROP COLUMN approves,
            DROP COLUMN scheduled_for,
            DROP COLUMN file_path,
            DROP COLUMN last_modified,
            DROP COLUMN etag,
            DROP COLUMN bytes,
            DROP COLUMN fetched,
            DROP COLUMN location,
            DROP COLUMN trigger,
            DROP COLUMN kind"""
    )
