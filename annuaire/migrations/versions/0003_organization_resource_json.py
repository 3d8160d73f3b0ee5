"""Organization.resource stored as json (text), not jsonb.

The FHIR resource is only ever read back whole, as text: a jsonb column turns each one back
into text on every read (0.8 ms of a 50-resource search page, measured), a json column hands
over the stored text. Nothing queries inside it; search uses the dedicated columns.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.execute("ALTER TABLE organization ALTER COLUMN resource TYPE json USING resource::json")


def downgrade() -> None:
    op.execute("ALTER TABLE organization ALTER COLUMN resource TYPE jsonb USING resource::jsonb")
