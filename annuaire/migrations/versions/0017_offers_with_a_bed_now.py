"""The specialties of the offers with a bed available now, in a column and two indexes of their own.

A HealthcareService search for the offers of an activity with a bed now (chained criteria
`location.capacity-status=02&location.temporality-capacity=01&location.nb-capacity=gt0`)
gathered them from the projection's GIN index, then read each match's offer row to keep the
first 51 in id order: 5,534 rows of 2.3 kB for activity 020 (40 ms).

- `bed_specialties`, generated from `beds` and `specialties` (so that the triggers that keep
  them need no change), gives PostgreSQL statistics of each activity's offers with a bed:
  it otherwise multiplies the share of offers with a bed by the activity's, and expects
  thousands for the 55 activities (of 201 in the benchmark's extract) that have none.
- A partial index of the 217 k offers with a bed, in id order, their specialties included: a
  page of a common activity walks it and reads only the 51 offers it keeps (1.3 ms).
- A GIN index of `bed_specialties` gathers the few of a rare activity (0.3 ms for none).

Revision ID: 0017
Revises: 0016
"""

from alembic import op

revision = "0017"
down_revision = "0016"


def upgrade() -> None:
    op.execute(
        "ALTER TABLE sas_offer ADD COLUMN bed_specialties text[] GENERATED ALWAYS AS "
        "(CASE WHEN beds @> '{now}' THEN specialties ELSE '{}' END) STORED"
    )
    op.execute(
        "CREATE INDEX sas_offer_bed_now_idx ON sas_offer (id) INCLUDE (bed_specialties) "
        "WHERE beds @> '{now}'"
    )
    # fastupdate off, as the projection's other GIN index (0007): a search must not read a
    # pending list that every bed write lengthens.
    op.execute(
        "CREATE INDEX sas_offer_bed_specialties_idx ON sas_offer USING gin (bed_specialties) "
        "WITH (fastupdate = off)"
    )
    op.execute("ANALYZE sas_offer")


def downgrade() -> None:
    op.execute("ALTER TABLE sas_offer DROP COLUMN bed_specialties")
