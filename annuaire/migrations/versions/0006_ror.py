"""ROR care offers: healthcare services, locations, capacity indicators, their write history
and the API keys that may write them.

Organizations of the ROR that FINESS knows are FINESS's records (one Organization, not two);
the others are organizations of kind OI (internal organisation), RG or RJ (an establishment or a
legal entity the FINESS does not know). ROR practitioner roles join RPPS roles in
practitioner_role, told apart by `source` (each loader's snapshot covers its own source).

Capacity indicators are rows keyed by the location and their eight coded dimensions (absent
dimensions are ''), so that a replace or an add of one indicator is one upsert, and criteria
on capacity hold within one indicator. A location's stored resource has no capacity
extension: reads add the live indicators. `version_id` counts a location's versions (ETag).

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"

LIFECYCLE = """
    content_hash text NOT NULL,
    active boolean NOT NULL,
    removed_at timestamptz,
    last_updated timestamptz NOT NULL DEFAULT now()
"""

INDEXES = (
    "CREATE INDEX healthcare_service_last_updated_idx ON healthcare_service (last_updated, id)",
    "CREATE INDEX healthcare_service_identifier_idx ON healthcare_service "
    "USING gin (identifier_tokens)",
    "CREATE INDEX healthcare_service_name_trgm_idx ON healthcare_service "
    "USING gin (name_norm gin_trgm_ops)",
    "CREATE INDEX healthcare_service_organization_idx ON healthcare_service (organization_id)",
    "CREATE INDEX healthcare_service_establishment_idx ON healthcare_service (establishment_id)",
    "CREATE INDEX healthcare_service_location_idx ON healthcare_service USING gin (location_ids)",
    "CREATE INDEX healthcare_service_tag_idx ON healthcare_service USING gin (tag_tokens)",
    "CREATE INDEX healthcare_service_specialty_idx ON healthcare_service "
    "USING gin (specialty_tokens)",
    "CREATE INDEX healthcare_service_characteristic_idx ON healthcare_service "
    "USING gin (characteristic_tokens)",
    "CREATE INDEX healthcare_service_type_idx ON healthcare_service "
    "USING gin (service_type_tokens)",
    "CREATE INDEX healthcare_service_category_idx ON healthcare_service "
    "USING gin (category_tokens)",
    "CREATE INDEX healthcare_service_patient_type_idx ON healthcare_service "
    "USING gin (patient_type_tokens)",
    "CREATE INDEX location_last_updated_idx ON location (last_updated, id)",
    "CREATE INDEX location_sync_identifier_idx ON location (sync_identifier)",
    "CREATE INDEX location_identifier_idx ON location USING gin (identifier_tokens)",
    "CREATE INDEX location_type_idx ON location USING gin (type_tokens)",
    "CREATE INDEX location_tag_idx ON location USING gin (tag_tokens)",
    "CREATE INDEX location_name_trgm_idx ON location USING gin (name_norm gin_trgm_ops)",
    "CREATE INDEX location_postal_code_idx ON location (postal_code text_pattern_ops)",
    "CREATE INDEX location_city_idx ON location (city_norm text_pattern_ops)",
    "CREATE INDEX location_commune_idx ON location (commune_insee)",
    "CREATE INDEX location_organization_idx ON location (organization_id)",
    "CREATE INDEX location_establishment_idx ON location (establishment_id)",
    "CREATE INDEX location_earth_idx ON location "
    "USING gist (ll_to_earth(latitude, longitude)) WHERE latitude IS NOT NULL",
    "CREATE INDEX location_capacity_location_idx ON location_capacity (location_id)",
    # The SAS question: which locations have a bed available now.
    "CREATE INDEX location_capacity_available_idx ON location_capacity (location_id, gender) "
    "WHERE status = '02' AND temporality = '01' AND nb > 0 AND active",
    "CREATE INDEX location_history_location_idx ON location_history (location_id, version_id)",
    "CREATE INDEX practitioner_role_service_idx ON practitioner_role (healthcare_service_id)",
)


def upgrade() -> None:
    op.execute(
        f"""
        CREATE TABLE healthcare_service (
            id text PRIMARY KEY,
            identifier text,
            name text NOT NULL,
            name_norm text NOT NULL,
            organization_id text,
            establishment_id text,
            location_ids text[] NOT NULL,
            region text,
            identifier_tokens text[] NOT NULL,
            tag_tokens text[] NOT NULL,
            specialty_tokens text[] NOT NULL,
            characteristic_tokens text[] NOT NULL,
            service_type_tokens text[] NOT NULL,
            category_tokens text[] NOT NULL,
            patient_type_tokens text[] NOT NULL,
            age_low numeric,
            age_high numeric,
            resource json NOT NULL,
            {LIFECYCLE}
        )"""
    )
    op.execute(
        f"""
        CREATE TABLE location (
            id text PRIMARY KEY,
            sync_identifier text,
            name text,
            name_norm text NOT NULL,
            status text,
            operational_status text,
            identifier_tokens text[] NOT NULL,
            type_tokens text[] NOT NULL,
            tag_tokens text[] NOT NULL,
            postal_code text,
            city_norm text,
            commune_insee text,
            department text,
            latitude double precision,
            longitude double precision,
            organization_id text,
            establishment_id text,
            finess text,
            region text,
            version_id integer NOT NULL DEFAULT 1,
            resource json NOT NULL,
            {LIFECYCLE}
        )"""
    )
    # Every change of a location row (a load's rewrite, a tombstone, a capacity write that
    # touches the row) is a new version: the ETag If-Match compares.
    op.execute(
        """
        CREATE FUNCTION location_next_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.version_id := OLD.version_id + 1;
            RETURN NEW;
        END $$"""
    )
    op.execute(
        "CREATE TRIGGER location_version BEFORE UPDATE ON location "
        "FOR EACH ROW EXECUTE FUNCTION location_next_version()"
    )
    op.execute(
        f"""
        CREATE TABLE location_capacity (
            id text PRIMARY KEY,
            location_id text NOT NULL,
            capacity_type text NOT NULL,
            status text NOT NULL,
            temporality text NOT NULL,
            gender text NOT NULL DEFAULT '',
            closing_type text NOT NULL DEFAULT '',
            additional_bed_type text NOT NULL DEFAULT '',
            crisis_type text NOT NULL DEFAULT '',
            temporary_assignment text NOT NULL DEFAULT '',
            nb integer NOT NULL,
            updated_at timestamptz,
            source_type text,
            comment text,
            written_by text,
            {LIFECYCLE}
        )"""
    )
    op.execute(
        """
        CREATE TABLE location_history (
            id bigserial PRIMARY KEY,
            location_id text NOT NULL,
            version_id integer NOT NULL,
            at timestamptz NOT NULL DEFAULT now(),
            actor text NOT NULL,
            operation text NOT NULL,
            before jsonb,
            after jsonb,
            resource jsonb NOT NULL
        )"""
    )
    op.execute(
        """
        CREATE TABLE api_key (
            id serial PRIMARY KEY,
            name text NOT NULL UNIQUE,
            key_hash text NOT NULL UNIQUE,
            scopes text[] NOT NULL,
            finess text[] NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            revoked_at timestamptz,
            last_used_at timestamptz
        )"""
    )
    for table in ("practitioner", "practitioner_role"):
        op.execute(f"ALTER TABLE {table} ADD COLUMN source text NOT NULL DEFAULT 'rpps'")
    op.execute("ALTER TABLE practitioner_role ADD COLUMN healthcare_service_id text")
    for statement in INDEXES:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP INDEX practitioner_role_service_idx")
    op.execute("DELETE FROM practitioner_role WHERE source <> 'rpps'")
    op.execute("DELETE FROM practitioner WHERE source <> 'rpps'")
    op.execute("ALTER TABLE practitioner_role DROP COLUMN healthcare_service_id")
    for table in ("practitioner", "practitioner_role"):
        op.execute(f"ALTER TABLE {table} DROP COLUMN source")
    for table in ("api_key", "location_history", "location_capacity", "location"):
        op.execute(f"DROP TABLE {table}")
    op.execute("DROP FUNCTION location_next_version()")
    op.execute("DROP TABLE healthcare_service")
    op.execute("DELETE FROM organization WHERE kind IN ('OI', 'RG', 'RJ')")
