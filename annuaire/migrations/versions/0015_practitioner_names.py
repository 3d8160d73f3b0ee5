"""Practitioner names in a narrow table of their own, for `:contains` searches.

A `name:contains` search asks the trigram index for candidates and rechecks each on its
row: two terms of frequent trigrams (`onta` + `ine`) recheck thousands of people, one row of
2 to 3 kB per page of a 4 GB table, then sort them all to keep 51. In `practitioner_name`
(id, normalised name) a page holds a hundred names: the candidates are rechecked and sorted
there, and only the page's practitioners are read.

The table is refilled from `practitioner` after every load that writes practitioners
(loaders/rpps.py), in the load's transaction.

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"


def upgrade() -> None:
    op.execute("CREATE TABLE practitioner_name (id text PRIMARY KEY, name_norm text NOT NULL)")
    op.execute("INSERT INTO practitioner_name SELECT id, name_norm FROM practitioner")
    op.execute(
        "CREATE INDEX practitioner_name_norm_trgm_idx ON practitioner_name "
        "USING gin (name_norm gin_trgm_ops)"
    )
    op.execute("DROP INDEX practitioner_name_trgm_idx")


def downgrade() -> None:
    op.execute(
        "CREATE INDEX practitioner_name_trgm_idx ON practitioner USING gin (name_norm gin_trgm_ops)"
    )
    op.execute("DROP TABLE practitioner_name")
