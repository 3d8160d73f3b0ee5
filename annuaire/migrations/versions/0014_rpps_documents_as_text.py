"""RPPS practitioners and roles: JSON API documents stored as json, rows uncompressed.

A first RPPS load writes 1.9 M practitioners and 2.2 M roles, and two costs of its writes
had nothing to do with their content (measured on a tenth of the extract, one core):
- parsing each `document` into jsonb: 19 µs a role, a third of building it. The document
  is only ever read back whole, as for `resource` (0003);
- compressing each row past 2 KB: inserting the roles took 14.0 s compressed, 8.8 s
  stored as they are, 7.0 s with the document as json too.
Rows up to a page stay uncompressed (as the ROR tables, 0012), so reading a page of search
results no longer decompresses it either; the tables grow by about a third.

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"

TABLES = ("practitioner", "practitioner_role")


def upgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN document TYPE json USING document::json")
        op.execute(f"ALTER TABLE {table} SET (toast_tuple_target = 8160)")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} RESET (toast_tuple_target)")
        op.execute(f"ALTER TABLE {table} ALTER COLUMN document TYPE jsonb USING document::jsonb")
