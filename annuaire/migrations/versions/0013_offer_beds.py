"""Beds available now projected per offer; every offer in the projection.

"Offers of this activity with a bed now" read each candidate offer's locations and their
indicators (about 4 µs an offer): 5,000 offers of an activity with no bed anywhere took
23 ms gathered and 577 ms walked in id order. `sas_offer` now also holds, per offer, `beds`:
`now` (one of its locations has an indicator available now, count > 0), `now|<gender>` (of
such a bed; `now|` for none given) and `crisis` (extra beds of the Plan blanc); and
`specialties`, its FHIR `specialty` tokens. The GIN index covers them with the cells and
codes: one scan intersects activity and bed, for the SAS search and for the FHIR search
chained on capacity. (Columns of their own, not more `tokens`: the SAS facets count those.)

For the FHIR search to rely on it, the projection now holds every offer: inactive ones
(`active` false; the SAS search skips them) and those with no position (no cells, no x, y, z;
no SAS search finds them).

A statement trigger on location_capacity keeps the bed tokens in step: it finds the
locations whose rows changed in what `beds` says (a count 3 → 2 changes nothing; 1 → 0
may) and rewrites `beds` of the offers listing them, where it differs. A bed write is
visible to the very next search, as before, since the trigger runs in its transaction.

Revision ID: 0013
Revises: 0012
"""

import importlib

from alembic import op

revision = "0013"
down_revision = "0012"

# 0007's filters and cells (frozen there, as a migration must be).
sas = importlib.import_module("annuaire.migrations.versions.0007_sas")
# capacityStatus Disponible, temporality Courant; capacityStatus Supplémentaire, crisis SSE.
AVAILABLE, NOW, SUPPLEMENTARY, PLAN_BLANC = "02", "01", "06", "02"

# What `beds` says of each offer among `offer_ids` (offers without any say nothing), set-based:
# a load asks it of 200,000 offers, while the indexes of location_capacity may be dropped
# for the load's copy, so that one probe per offer would read the whole table each time.
BEDS = f"""
CREATE FUNCTION sas_offer_beds(offer_ids text[]) RETURNS TABLE (id text, beds text[])
LANGUAGE sql STABLE AS $$
SELECT hs.id, array_agg(DISTINCT t.token ORDER BY t.token)
FROM (SELECT DISTINCT unnest(offer_ids) AS id) u
JOIN healthcare_service hs ON hs.id = u.id
CROSS JOIN LATERAL unnest(hs.location_ids) l(id)
JOIN location_capacity c ON c.location_id = l.id AND c.active AND c.nb > 0
CROSS JOIN LATERAL (VALUES
    (CASE WHEN c.status = '{AVAILABLE}' AND c.temporality = '{NOW}' THEN 'now' END),
    (CASE WHEN c.status = '{AVAILABLE}' AND c.temporality = '{NOW}' THEN 'now|' || c.gender END),
    (CASE WHEN c.status = '{SUPPLEMENTARY}' AND c.crisis_type = '{PLAN_BLANC}'
          THEN 'crisis' END)) t(token)
WHERE t.token IS NOT NULL
GROUP BY hs.id
$$"""

REFRESH = f"""
CREATE OR REPLACE FUNCTION sas_offer_refresh(offer_ids text[]) RETURNS void LANGUAGE sql AS $$
DELETE FROM sas_offer s USING unnest(offer_ids) u(id) WHERE s.id = u.id;
INSERT INTO sas_offer (id, active, establishment_id, location_ids, from_establishment, x, y, z,
                       cells, tokens, specialties, beds, age_low, age_high)
SELECT hs.id, hs.active, p.establishment_id, hs.location_ids, p.from_establishment,
{sas.XYZ}       CASE WHEN p.lat IS NULL OR p.lon IS NULL OR p.establishment_id IS NULL THEN '{{}}'
            ELSE ARRAY[{sas._CELLS}] END,
{sas.FILTER_TOKENS}       hs.specialty_tokens,
       coalesce(b.beds, '{{}}'),
       hs.age_low, hs.age_high
FROM (SELECT DISTINCT unnest(offer_ids) AS id) u
JOIN healthcare_service hs ON hs.id = u.id
LEFT JOIN sas_offer_beds(offer_ids) b ON b.id = hs.id
{sas.POSITION}$$"""

# What `beds` reads of an indicator: NULL when it bears on none.
_SIGNATURE = f"""CASE WHEN r.active AND r.nb > 0 AND (
        (r.status = '{AVAILABLE}' AND r.temporality = '{NOW}')
        OR (r.status = '{SUPPLEMENTARY}' AND r.crisis_type = '{PLAN_BLANC}'))
    THEN r.status || r.temporality || r.crisis_type || '|' || r.gender END"""

# Set-based as 0007's: a bed write changes one location (a GIN probe of the offers listing
# it); a load may change tens of thousands (a hash join over every offer's locations).
CAPACITY_CHANGED = f"""
CREATE FUNCTION sas_offer_capacity_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text[];
    offers text[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        changed := NULL;
    ELSIF TG_OP = 'INSERT' THEN
        changed := ARRAY(SELECT DISTINCT r.location_id FROM new_rows r
                         WHERE {_SIGNATURE} IS NOT NULL);
    ELSIF TG_OP = 'DELETE' THEN
        changed := ARRAY(SELECT DISTINCT r.location_id FROM old_rows r
                         WHERE {_SIGNATURE} IS NOT NULL);
    ELSE
        changed := ARRAY(
            SELECT DISTINCT l.id
            FROM (SELECT r.id, r.location_id, {_SIGNATURE} AS signature FROM new_rows r) n
            JOIN (SELECT r.id, r.location_id, {_SIGNATURE} AS signature FROM old_rows r) o
              ON o.id = n.id
            CROSS JOIN LATERAL (VALUES (n.location_id), (o.location_id)) l(id)
            WHERE (n.location_id, n.signature) IS DISTINCT FROM (o.location_id, o.signature));
    END IF;
    IF changed IS NULL THEN
        offers := ARRAY(SELECT id FROM sas_offer WHERE beds <> '{{}}');
    ELSIF cardinality(changed) = 0 THEN
        RETURN NULL;
    ELSIF cardinality(changed) <= 10000 THEN
        offers := ARRAY(SELECT DISTINCT hs.id FROM unnest(changed) c(id)
                        JOIN healthcare_service hs ON hs.location_ids @> ARRAY[c.id]);
    ELSE
        offers := ARRAY(SELECT DISTINCT hs.id FROM healthcare_service hs
                        CROSS JOIN LATERAL unnest(hs.location_ids) l(id)
                        JOIN unnest(changed) c(id) ON c.id = l.id);
    END IF;
    UPDATE sas_offer s SET beds = coalesce(b.beds, '{{}}')
    FROM unnest(offers) u(id) LEFT JOIN sas_offer_beds(offers) b ON b.id = u.id
    WHERE s.id = u.id AND s.beds IS DISTINCT FROM coalesce(b.beds, '{{}}');
    RETURN NULL;
END $$"""

TABLE = "location_capacity"
# As 0007 made it, fastupdate off for the same reason.
SEARCH_INDEX = (
    "CREATE INDEX sas_offer_search_idx ON sas_offer USING gin ({columns}) WITH (fastupdate = off)"
)


def upgrade() -> None:
    op.execute("ALTER TABLE sas_offer ADD COLUMN active boolean NOT NULL DEFAULT true")
    op.execute("ALTER TABLE sas_offer ADD COLUMN specialties text[] NOT NULL DEFAULT '{}'")
    op.execute("ALTER TABLE sas_offer ADD COLUMN beds text[] NOT NULL DEFAULT '{}'")
    op.execute("DROP INDEX sas_offer_search_idx")
    for column in ("establishment_id", "x", "y", "z"):
        op.execute(f"ALTER TABLE sas_offer ALTER COLUMN {column} DROP NOT NULL")
    op.execute(BEDS)
    op.execute(REFRESH)
    op.execute(CAPACITY_CHANGED)
    op.execute(
        f"CREATE TRIGGER {TABLE}_sas_insert AFTER INSERT ON {TABLE} REFERENCING NEW TABLE "
        "AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sas_offer_capacity_changed()"
    )
    op.execute(
        f"CREATE TRIGGER {TABLE}_sas_update AFTER UPDATE ON {TABLE} REFERENCING OLD TABLE "
        "AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION sas_offer_capacity_changed()"
    )
    op.execute(
        f"CREATE TRIGGER {TABLE}_sas_delete AFTER DELETE ON {TABLE} REFERENCING OLD TABLE "
        "AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sas_offer_capacity_changed()"
    )
    op.execute(
        f"CREATE TRIGGER {TABLE}_sas_truncate AFTER TRUNCATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION sas_offer_capacity_changed()"
    )
    op.execute("SELECT sas_offer_refresh(ARRAY(SELECT id FROM healthcare_service))")
    op.execute(SEARCH_INDEX.format(columns="cells, tokens, specialties, beds"))
    op.execute("ANALYZE sas_offer")


def downgrade() -> None:
    for event in ("insert", "update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER {TABLE}_sas_{event} ON {TABLE}")
    op.execute("DROP FUNCTION sas_offer_capacity_changed()")
    op.execute("DELETE FROM sas_offer WHERE NOT active OR x IS NULL")
    op.execute("DROP INDEX sas_offer_search_idx")
    op.execute("ALTER TABLE sas_offer DROP COLUMN specialties, DROP COLUMN beds")
    op.execute(SEARCH_INDEX.format(columns="cells, tokens"))
    for column in ("establishment_id", "x", "y", "z"):
        op.execute(f"ALTER TABLE sas_offer ALTER COLUMN {column} SET NOT NULL")
    op.execute("ALTER TABLE sas_offer DROP COLUMN active")
    # 0007's refresh, restored from its definition.
    op.execute(sas.REFRESH.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
    op.execute("DROP FUNCTION sas_offer_beds(text[])")
