"""Terminology resources (CodeSystem, ValueSet, ConceptMap) and code system concepts.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"

LIFECYCLE = """
    content_hash text NOT NULL,
    active boolean NOT NULL,
    removed_at timestamptz,
    last_updated timestamptz NOT NULL DEFAULT now()
"""


def upgrade() -> None:
    op.execute(
        f"""
        CREATE TABLE terminology_resource (
            id text PRIMARY KEY,
            resource_type text NOT NULL,
            fhir_id text NOT NULL,
            url text NOT NULL,
            version text NOT NULL,
            name text,
            title text,
            status text,
            oid text,
            aliases text[] NOT NULL,
            identifiers text[] NOT NULL,
            concept_count integer,
            resource jsonb NOT NULL,
            {LIFECYCLE}
        )"""
    )
    for name, definition in {
        "terminology_resource_url_idx": "(url, resource_type)",
        "terminology_resource_fhir_id_idx": "(fhir_id, resource_type)",
        "terminology_resource_oid_idx": "(oid)",
        "terminology_resource_aliases_idx": "USING gin (aliases)",
        "terminology_resource_identifiers_idx": "USING gin (identifiers)",
        "terminology_resource_updated_idx": "(last_updated)",
    }.items():
        op.execute(f"CREATE INDEX {name} ON terminology_resource {definition}")
    op.execute(
        f"""
        CREATE TABLE terminology_concept (
            id text PRIMARY KEY,
            resource_id text NOT NULL,
            system text NOT NULL,
            version text NOT NULL,
            code text NOT NULL,
            position integer NOT NULL,
            parent_code text,
            display text,
            status text,
            inactive boolean NOT NULL,
            date_fin timestamptz,
            concept jsonb NOT NULL,
            {LIFECYCLE}
        )"""
    )
    op.execute(
        "CREATE INDEX terminology_concept_resource_idx ON terminology_concept (resource_id, position)"
    )
    op.execute("CREATE INDEX terminology_concept_code_idx ON terminology_concept (system, code)")


def downgrade() -> None:
    op.execute("DROP TABLE terminology_concept, terminology_resource")
