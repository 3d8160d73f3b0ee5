"""Practitioner family and given name prefixes from one index.

A search giving both (`family=bert&given=fr`, the usual way to look a professional up)
combined two bitmaps, of 10 k and 30 k entries, to find 171 people: 8 ms. With both columns
in one index, the given-name prefix is checked inside the family-name range: 1.5 ms. The
index also serves family-only prefixes, as the one it replaces did.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    op.execute(
        "CREATE INDEX practitioner_family_given_idx ON practitioner "
        "(family_norm text_pattern_ops, given_norm text_pattern_ops)"
    )
    op.execute("DROP INDEX practitioner_family_idx")


def downgrade() -> None:
    op.execute(
        "CREATE INDEX practitioner_family_idx ON practitioner (family_norm text_pattern_ops)"
    )
    op.execute("DROP INDEX practitioner_family_given_idx")
