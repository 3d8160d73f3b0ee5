"""RPPS professionals: practitioners (one per person) and their roles (one per activity).

RPPS structures that FINESS does not know are organizations of kind RS, whose id is their
technical id (up to 25 characters), hence the wider organization ids.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"

LIFECYCLE = """
    content_hash text NOT NULL,
    active boolean NOT NULL,
    removed_at timestamptz,
    last_updated timestamptz NOT NULL DEFAULT now()
"""


def upgrade() -> None:
    op.execute(
        "ALTER TABLE organization ALTER COLUMN id TYPE text, ALTER COLUMN parent_id TYPE text"
    )
    op.execute(
        f"""
        CREATE TABLE practitioner (
            id text PRIMARY KEY,
            id_type text NOT NULL,
            identifier text NOT NULL,
            family text,
            given text,
            family_norm text NOT NULL,
            given_norm text NOT NULL,
            name_norm text NOT NULL,
            name_tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, name_norm)) STORED,
            identifier_tokens text[] NOT NULL,
            identifier_type_tokens text[] NOT NULL,
            qualification_tokens text[] NOT NULL,
            mailbox_tokens text[] NOT NULL,
            resource json NOT NULL,
            document jsonb NOT NULL,
            {LIFECYCLE}
        )"""
    )
    op.execute(
        f"""
        CREATE TABLE practitioner_role (
            id text PRIMARY KEY,
            practitioner_id text NOT NULL,
            organization_id text,
            profession_code text,
            mode_code text,
            postal_code text,
            commune_insee text,
            department text,
            city_norm text,
            identifier_tokens text[] NOT NULL,
            role_tokens text[] NOT NULL,
            organization_tokens text[] NOT NULL,
            mailbox_tokens text[] NOT NULL,
            resource json NOT NULL,
            document jsonb NOT NULL,
            {LIFECYCLE}
        )"""
    )
    for statement in (
        "CREATE INDEX practitioner_last_updated_idx ON practitioner (last_updated, id)",
        "CREATE INDEX practitioner_family_idx ON practitioner (family_norm text_pattern_ops)",
        "CREATE INDEX practitioner_given_idx ON practitioner (given_norm text_pattern_ops)",
        "CREATE INDEX practitioner_name_trgm_idx ON practitioner USING gin (name_norm gin_trgm_ops)",
        "CREATE INDEX practitioner_name_tsv_idx ON practitioner USING gin (name_tsv)",
        "CREATE INDEX practitioner_identifier_idx ON practitioner USING gin (identifier_tokens)",
        "CREATE INDEX practitioner_qualification_idx ON practitioner "
        "USING gin (qualification_tokens)",
        "CREATE INDEX practitioner_mailbox_idx ON practitioner USING gin (mailbox_tokens)",
        "CREATE INDEX practitioner_role_last_updated_idx ON practitioner_role (last_updated, id)",
        "CREATE INDEX practitioner_role_practitioner_idx ON practitioner_role (practitioner_id)",
        "CREATE INDEX practitioner_role_organization_idx ON practitioner_role (organization_id)",
        "CREATE INDEX practitioner_role_identifier_idx ON practitioner_role "
        "USING gin (identifier_tokens)",
        "CREATE INDEX practitioner_role_role_idx ON practitioner_role USING gin (role_tokens)",
        "CREATE INDEX practitioner_role_organization_tokens_idx ON practitioner_role "
        "USING gin (organization_tokens)",
        "CREATE INDEX practitioner_role_mailbox_idx ON practitioner_role USING gin (mailbox_tokens)",
        "CREATE INDEX practitioner_role_postal_code_idx ON practitioner_role "
        "(postal_code text_pattern_ops)",
        "CREATE INDEX practitioner_role_commune_idx ON practitioner_role (commune_insee)",
        "CREATE INDEX practitioner_role_department_idx ON practitioner_role (department)",
        "CREATE INDEX practitioner_role_city_idx ON practitioner_role (city_norm text_pattern_ops)",
    ):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE practitioner_role")
    op.execute("DROP TABLE practitioner")
    op.execute("DELETE FROM organization WHERE kind = 'RS'")
    op.execute(
        "ALTER TABLE organization ALTER COLUMN id TYPE varchar(9), "
        "ALTER COLUMN parent_id TYPE varchar(9)"
    )
