"""Extended statistics on capacity indicators: their codes and counts are far from independent
(an available bed now is status 02 AND temporality 01 AND a count above 0), and a planner that
multiplies their selectivities walks the whole table for rare combinations.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.execute(
        "CREATE STATISTICS location_capacity_codes (mcv, dependencies) "
        "ON status, temporality, gender, nb FROM location_capacity"
    )
    op.execute("ANALYZE location_capacity")


def downgrade() -> None:
    op.execute("DROP STATISTICS location_capacity_codes")
