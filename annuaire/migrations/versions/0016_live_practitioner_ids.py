"""Partial indexes of the live ids of practitioners and roles, by source.

Every load counts the records of its scope still present and looks for those its snapshot no
longer holds, in the swap transaction. Both read every live row: 14 GB of practitioners and
roles since their rows are stored uncompressed (0014), about 27 s of an unchanged RPPS
reload. From these indexes, the count and the search for removals read 100 MB instead
(measured: 8.4 → 2.8 s and 3.6 → 0.8 s for practitioners; 9.3 → 3.4 s and 3.7 → 0.9 s for roles).

Revision ID: 0016
Revises: 0015
"""

from alembic import op

revision = "0016"
down_revision = "0015"

TABLES = ("practitioner", "practitioner_role")


def upgrade() -> None:
    for table in TABLES:
        op.execute(
            f"CREATE INDEX {table}_live_idx ON {table} (source, id) WHERE removed_at IS NULL"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP INDEX {table}_live_idx")
