"""SAS search projection: one row per active ROR offer with what the search filters on.

A regulator's search is "offers within R km of a point, with these codes, a bed now". Offers
have no position of their own (their locations and establishment do), so the three tables
cannot share one index. `sas_offer` holds per offer: its position as Earth-centred x, y, z
(metres, the frame of `ll_to_earth`, so that the straight-line distance is plain arithmetic),
the grid cells containing it at four sizes (0.05°, 0.1°, 0.25°, 1°), and its filter codes as
`<filter>|<code>` (activity, care_mode, field, offer_type, public). One GIN index over cells
and codes answers "in these cells AND with these codes" in one scan, intersecting posting
lists, where a GiST box and a GIN codes bitmap would each be read in full and then ANDed.

The position is the offer's first active location with coordinates, else its
establishment's (`from_establishment`). Capacity is not projected: the search reads
location_capacity live, so a bed written is visible to the very next search.

Statement triggers keep the projection in step with every write to healthcare_service,
location and organization (loads, tombstones, truncations): each refreshes the offers the
changed rows bear on, set-based, from the rows of the statement. A location update that moves
nothing (a capacity write bumping version_id) refreshes nothing.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"

NOS = "https://mos.esante.gouv.fr/NOS"
# Filter name, NOS system of the code, healthcare_service token column (frozen here, as a
# migration must be; directory/offers/systems.py names the same systems).
FILTERS = (
    ("activity", f"{NOS}/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle",
     "specialty_tokens"),
    ("care_mode", f"{NOS}/TRE_R213-ModePriseEnCharge/FHIR/TRE-R213-ModePriseEnCharge",
     "characteristic_tokens"),
    ("field", f"{NOS}/TRE_R227-ChampActivite/FHIR/TRE-R227-ChampActivite", "service_type_tokens"),
    ("offer_type", f"{NOS}/TRE_R244-CategorieOrganisation/FHIR/TRE-R244-CategorieOrganisation",
     "category_tokens"),
    ("public", f"{NOS}/TRE_R239-PublicPrisEnCharge/FHIR/TRE-R239-PublicPrisEnCharge",
     "patient_type_tokens"),
)  # fmt: skip
# Cell sizes in hundredths of a degree; directory/offers/sas.py computes the same cells.
CELL_SIZES = (5, 10, 25, 100)

_FILTER_VALUES = ", ".join(
    f"('{name}', '{system}', hs.{column})" for name, system, column in FILTERS
)
_CELLS = ", ".join(
    f"'{size}|' || floor(p.lat / {size / 100}::float8)::int || '|' "
    f"|| floor(p.lon / {size / 100}::float8)::int"
    for size in CELL_SIZES
)

# Parts of the refresh, which 0013 writes again around its own columns.
# The offer's x, y, z from its position p (lat, lon).
XYZ = """       earth() * cos(radians(p.lat)) * cos(radians(p.lon)),
       earth() * cos(radians(p.lat)) * sin(radians(p.lon)),
       earth() * sin(radians(p.lat)),
"""
# Its filter codes, `<filter>|<code>`.
FILTER_TOKENS = f"""       ARRAY(SELECT f.name || '|' || substr(t.token, length(f.system) + 2)
             FROM (VALUES {_FILTER_VALUES}) f(name, system, tokens), unnest(f.tokens) t(token)
             WHERE starts_with(t.token, f.system || '|')
               AND length(t.token) > length(f.system) + 1),
"""
# Its position p: its first active location with coordinates, else its establishment.
POSITION = """CROSS JOIN LATERAL (
    SELECT coalesce(hs.establishment_id, hs.organization_id) AS establishment_id,
           coalesce(l.latitude, o.latitude) AS lat, coalesce(l.longitude, o.longitude) AS lon,
           l.latitude IS NULL AS from_establishment
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (
        SELECT loc.latitude, loc.longitude
        FROM unnest(hs.location_ids) WITH ORDINALITY AS r(id, n)
        JOIN location loc ON loc.id = r.id
        WHERE loc.active AND loc.latitude IS NOT NULL AND loc.longitude IS NOT NULL
        ORDER BY r.n LIMIT 1) l ON TRUE
    LEFT JOIN organization o ON o.id = coalesce(hs.establishment_id, hs.organization_id)
        AND o.latitude IS NOT NULL AND o.longitude IS NOT NULL
) p
"""

REFRESH = f"""
CREATE FUNCTION sas_offer_refresh(offer_ids text[]) RETURNS void LANGUAGE sql AS $$
DELETE FROM sas_offer s USING unnest(offer_ids) u(id) WHERE s.id = u.id;
INSERT INTO sas_offer (id, establishment_id, location_ids, from_establishment, x, y, z, cells,
                       tokens, age_low, age_high)
SELECT hs.id, p.establishment_id, hs.location_ids, p.from_establishment,
{XYZ}       ARRAY[{_CELLS}],
{FILTER_TOKENS}       hs.age_low, hs.age_high
FROM (SELECT DISTINCT unnest(offer_ids) AS id) u
JOIN healthcare_service hs ON hs.id = u.id
{POSITION}WHERE hs.active AND p.establishment_id IS NOT NULL AND p.lat IS NOT NULL AND p.lon IS NOT NULL
$$"""

SERVICES_CHANGED = """
CREATE FUNCTION sas_offer_services_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        -- DELETE, not TRUNCATE: a load truncates an empty table inside its long swap
        -- transaction, and an exclusive lock on sas_offer would stall every search meanwhile.
        DELETE FROM sas_offer;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM sas_offer s USING old_rows o WHERE s.id = o.id;
    ELSE
        PERFORM sas_offer_refresh(ARRAY(SELECT id FROM new_rows));
    END IF;
    RETURN NULL;
END $$"""

# A location bears on the offers listing it. Up to some thousands of changed locations (a
# daily delta): one GIN probe of healthcare_service.location_ids each (about 40 µs); more (a
# first load): one hash join over every offer's locations, cheaper past about 10,000.
LOCATIONS_CHANGED = """
CREATE FUNCTION sas_offer_locations_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM sas_offer_refresh(ARRAY(SELECT id FROM healthcare_service));
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        changed := ARRAY(SELECT id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        changed := ARRAY(SELECT id FROM old_rows);
    ELSE
        changed := ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.latitude, n.longitude, n.active) IS DISTINCT FROM
                  (o.latitude, o.longitude, o.active));
    END IF;
    IF cardinality(changed) = 0 THEN
        RETURN NULL;
    ELSIF cardinality(changed) <= 10000 THEN
        PERFORM sas_offer_refresh(ARRAY(
            SELECT hs.id FROM unnest(changed) c(id)
            JOIN healthcare_service hs ON hs.location_ids @> ARRAY[c.id]));
    ELSE
        PERFORM sas_offer_refresh(ARRAY(
            SELECT hs.id FROM healthcare_service hs
            CROSS JOIN LATERAL unnest(hs.location_ids) l(id)
            JOIN unnest(changed) c(id) ON c.id = l.id));
    END IF;
    RETURN NULL;
END $$"""

# An establishment bears on the offers placed at its position, and on those left out of the
# projection for want of one. RPPS structures (kind RS) are nobody's establishment: an RPPS load
# costs nothing here.
ESTABLISHMENTS_CHANGED = """
CREATE FUNCTION sas_offer_establishments_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM sas_offer_refresh(ARRAY(SELECT id FROM healthcare_service));
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        changed := ARRAY(SELECT id FROM new_rows WHERE latitude IS NOT NULL AND kind <> 'RS');
    ELSIF TG_OP = 'DELETE' THEN
        changed := ARRAY(SELECT id FROM old_rows WHERE kind <> 'RS');
    ELSE
        changed := ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.kind <> 'RS'
              AND (n.latitude, n.longitude) IS DISTINCT FROM (o.latitude, o.longitude));
    END IF;
    IF cardinality(changed) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM sas_offer_refresh(ARRAY(
        SELECT s.id FROM unnest(changed) c(id)
        JOIN sas_offer s ON s.establishment_id = c.id AND s.from_establishment
        UNION
        SELECT hs.id FROM unnest(changed) c(id)
        JOIN healthcare_service hs ON hs.establishment_id = c.id
        WHERE hs.active AND NOT EXISTS (SELECT 1 FROM sas_offer s WHERE s.id = hs.id)
        UNION
        SELECT hs.id FROM unnest(changed) c(id)
        JOIN healthcare_service hs ON hs.organization_id = c.id AND hs.establishment_id IS NULL
        WHERE hs.active AND NOT EXISTS (SELECT 1 FROM sas_offer s WHERE s.id = hs.id)));
    RETURN NULL;
END $$"""

TRIGGERS = {
    "healthcare_service": "sas_offer_services_changed",
    "location": "sas_offer_locations_changed",
    "organization": "sas_offer_establishments_changed",
}


def _create_triggers(table: str, function: str) -> None:
    # A trigger with transition tables fires on one event only: three, plus TRUNCATE.
    op.execute(
        f"CREATE TRIGGER {table}_sas_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
    )
    op.execute(
        f"CREATE TRIGGER {table}_sas_update AFTER UPDATE ON {table} "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
    )
    op.execute(
        f"CREATE TRIGGER {table}_sas_delete AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
    )
    op.execute(
        f"CREATE TRIGGER {table}_sas_truncate AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
    )


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE sas_offer (
            id text PRIMARY KEY,
            establishment_id text NOT NULL,
            location_ids text[] NOT NULL,
            from_establishment boolean NOT NULL,
            x double precision NOT NULL,
            y double precision NOT NULL,
            z double precision NOT NULL,
            cells text[] NOT NULL,
            tokens text[] NOT NULL,
            age_low numeric,
            age_high numeric
        )"""
    )
    op.execute(REFRESH)
    op.execute(SERVICES_CHANGED)
    op.execute(LOCATIONS_CHANGED)
    op.execute(ESTABLISHMENTS_CHANGED)
    for table, function in TRIGGERS.items():
        _create_triggers(table, function)
    op.execute("SELECT sas_offer_refresh(ARRAY(SELECT id FROM healthcare_service))")
    # fastupdate off: a load's new entries would otherwise wait in the index's pending list,
    # which every search then reads whole (7 ms instead of 1 after a 50,000-offer load) until
    # a vacuum merges it.
    op.execute(
        "CREATE INDEX sas_offer_search_idx ON sas_offer USING gin (cells, tokens) "
        "WITH (fastupdate = off)"
    )
    op.execute("CREATE INDEX sas_offer_establishment_idx ON sas_offer (establishment_id)")


def downgrade() -> None:
    for table, function in TRIGGERS.items():
        for event in ("insert", "update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER {table}_sas_{event} ON {table}")
        op.execute(f"DROP FUNCTION {function}()")
    op.execute("DROP FUNCTION sas_offer_refresh(text[])")
    op.execute("DROP TABLE sas_offer")
