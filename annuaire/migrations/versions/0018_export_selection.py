"""Export jobs record what they select: the types asked for, their _typeFilter searches and
whether the records these reference come too (includeAssociatedData). Null for the jobs made
before, which hold every record of their types.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0018"
down_revision = "0017"


def upgrade() -> None:
    op.add_column("export_job", sa.Column("selection", JSONB, nullable=True))


def downgrade() -> None:
    op.drop_column("export_job", "selection")
