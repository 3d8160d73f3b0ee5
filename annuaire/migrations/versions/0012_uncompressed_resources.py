"""ROR locations and offers stored uncompressed in their row when the row fits in a page.

PostgreSQL compresses a row's JSON once the row passes 2 KB, and every page of search
results pays for decompressing it (for 51 FINESS structures: 0.67 ms to read them instead of
0.39 ms). Rows up to a page (8 KB) now stay as they are; larger ones are still compressed.
Rows already stored are rewritten at their next change.

Not for `organization`: its first FINESS load, which has a 60 s budget, writes 1.2 GB more
uncompressed and took 71 s instead of 63 s (name searches gained 6 %).

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"

# The ROR tables, whose resources are read by the page (search results, bulk extracts).
TABLES = ("location", "healthcare_service")


def upgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} SET (toast_tuple_target = 8160)")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} RESET (toast_tuple_target)")
