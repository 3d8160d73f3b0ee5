"""FHIR bulk export jobs, and an index of each exported table's tombstones.

A job records what a kick-off asked and the id ranges its files are cut into; the files are
streamed from the tables when downloaded. A full export counts the present records of a range
as its rows (primary key) less its tombstones: the partial indexes give those without reading
the table, and stay small since tombstones are few.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"

EXPORTED_TABLES = (
    "organization", "healthcare_service", "location", "practitioner", "practitioner_role",
)  # fmt: skip


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE export_job (
            id text PRIMARY KEY,
            request text NOT NULL,
            transaction_time timestamptz NOT NULL,
            since timestamptz,
            expires_at timestamptz NOT NULL,
            parts jsonb NOT NULL
        )"""
    )
    for table in EXPORTED_TABLES:
        op.execute(
            f"CREATE INDEX {table}_tombstone_idx ON {table} (id) WHERE removed_at IS NOT NULL"
        )


def downgrade() -> None:
    for table in EXPORTED_TABLES:
        op.execute(f"DROP INDEX {table}_tombstone_idx")
    op.execute("DROP TABLE export_job")
