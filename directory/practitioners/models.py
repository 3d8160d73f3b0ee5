"""Tables of RPPS practitioners and roles, with their precomputed representations.

`resource` (FHIR) and `document` (JSON API) are built at load time; the *_norm and *_tokens
columns exist only for search.
"""

from __future__ import annotations

from sqlalchemy import JSON, Computed, Index, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from annuaire.db import Base, Lifecycle


class Practitioner(Lifecycle, Base):
    """A person of the RPPS or ADELI register; id = IDNPS (identifier type + identifier)."""

    __tablename__ = "practitioner"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    id_type: Mapped[str] = mapped_column(Text)
    identifier: Mapped[str] = mapped_column(Text)
    family: Mapped[str | None] = mapped_column(Text)
    given: Mapped[str | None] = mapped_column(Text)
    family_norm: Mapped[str] = mapped_column(Text)
    given_norm: Mapped[str] = mapped_column(Text)
    name_norm: Mapped[str] = mapped_column(Text)
    name_tsv: Mapped[str] = mapped_column(
        TSVECTOR, Computed("to_tsvector('simple'::regconfig, name_norm)", persisted=True)
    )
    identifier_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    identifier_type_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    qualification_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    mailbox_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    resource: Mapped[dict] = mapped_column(JSON)
    document: Mapped[dict] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(
        Text, server_default="rpps"
    )  # rpps, or ror (unknown to RPPS)

    __table_args__ = (
        Index("practitioner_last_updated_idx", "last_updated", "id"),
        # what a load counts and searches for removals (migration 0016)
        Index("practitioner_live_idx", "source", "id", postgresql_where=text("removed_at IS NULL")),
        # family + given, the usual lookup, in one index (family alone uses it too)
        Index(
            "practitioner_family_given_idx",
            "family_norm",
            "given_norm",
            postgresql_ops={"family_norm": "text_pattern_ops", "given_norm": "text_pattern_ops"},
        ),
        Index(
            "practitioner_given_idx",
            "given_norm",
            postgresql_ops={"given_norm": "text_pattern_ops"},
        ),
        Index("practitioner_name_tsv_idx", "name_tsv", postgresql_using="gin"),
        Index("practitioner_identifier_idx", "identifier_tokens", postgresql_using="gin"),
        Index("practitioner_qualification_idx", "qualification_tokens", postgresql_using="gin"),
        Index("practitioner_mailbox_idx", "mailbox_tokens", postgresql_using="gin"),
    )


class PractitionerName(Base):
    """A practitioner's normalised name alone (`Practitioner.name_norm`), for `:contains`
    searches: their candidates are rechecked and sorted among narrow rows, a hundred to a
    page, rather than on the practitioners' rows of 2 to 3 kB (migration 0015)."""

    __tablename__ = "practitioner_name"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    name_norm: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        Index(
            "practitioner_name_norm_trgm_idx",
            "name_norm",
            postgresql_using="gin",
            postgresql_ops={"name_norm": "gin_trgm_ops"},
        ),
    )


class PractitionerRole(Lifecycle, Base):
    """One activity (situation d'exercice) of a practitioner, at a structure or none.

    Open data gives activities no id: `id` is the practitioner's IDNPS and a digest of what
    identifies the activity (profession, category, structure, mode, role, genre, sector), so
    it stays the same from one snapshot to the next while the activity does.
    """

    __tablename__ = "practitioner_role"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    practitioner_id: Mapped[str] = mapped_column(Text)
    organization_id: Mapped[str | None] = mapped_column(Text)
    profession_code: Mapped[str | None] = mapped_column(Text)
    mode_code: Mapped[str | None] = mapped_column(Text)
    postal_code: Mapped[str | None] = mapped_column(Text)
    commune_insee: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(Text)
    city_norm: Mapped[str | None] = mapped_column(Text)
    identifier_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    role_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    organization_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    mailbox_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    resource: Mapped[dict] = mapped_column(JSON)
    document: Mapped[dict] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text, server_default="rpps")  # rpps, or ror
    healthcare_service_id: Mapped[str | None] = mapped_column(Text)  # a ROR role's offer

    __table_args__ = (
        Index("practitioner_role_last_updated_idx", "last_updated", "id"),
        Index(
            "practitioner_role_live_idx",
            "source",
            "id",
            postgresql_where=text("removed_at IS NULL"),
        ),
        Index("practitioner_role_service_idx", "healthcare_service_id"),
        Index("practitioner_role_practitioner_idx", "practitioner_id"),
        Index("practitioner_role_organization_idx", "organization_id"),
        Index("practitioner_role_identifier_idx", "identifier_tokens", postgresql_using="gin"),
        Index("practitioner_role_role_idx", "role_tokens", postgresql_using="gin"),
        Index(
            "practitioner_role_organization_tokens_idx",
            "organization_tokens",
            postgresql_using="gin",
        ),
        Index("practitioner_role_mailbox_idx", "mailbox_tokens", postgresql_using="gin"),
        Index(
            "practitioner_role_postal_code_idx",
            "postal_code",
            postgresql_ops={"postal_code": "text_pattern_ops"},
        ),
        Index("practitioner_role_commune_idx", "commune_insee"),
        Index("practitioner_role_department_idx", "department"),
        Index(
            "practitioner_role_city_idx",
            "city_norm",
            postgresql_ops={"city_norm": "text_pattern_ops"},
        ),
    )
