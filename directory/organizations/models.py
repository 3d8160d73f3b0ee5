"""Tables of FINESS structures, groups and activities, with their precomputed representations."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Computed, Date, Double, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from annuaire.db import Base, Lifecycle


class Organization(Lifecycle, Base):
    """One FINESS legal entity (EJ) or geographic establishment (EG); id = FINESS number.

    `resource` (FHIR) and `document` (JSON API) are computed at load time so that a read is one
    indexed lookup. The *_tokens and *_norm columns exist only for search.
    """

    __tablename__ = "organization"

    id: Mapped[str] = mapped_column(Text, primary_key=True)  # FINESS number, or RPPS technical id
    kind: Mapped[str] = mapped_column(String(2))
    parent_id: Mapped[str | None] = mapped_column(Text)
    technical_id: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    postal_code: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(Text)
    commune_insee: Mapped[str | None] = mapped_column(Text)
    category_code: Mapped[str | None] = mapped_column(Text)
    source_status: Mapped[str] = mapped_column(String(1))
    closed: Mapped[date | None] = mapped_column(Date)
    latitude: Mapped[float | None] = mapped_column(Double)
    longitude: Mapped[float | None] = mapped_column(Double)
    resource: Mapped[dict] = mapped_column(JSON)  # read back whole: json hands over its text
    document: Mapped[dict] = mapped_column(JSONB)
    names: Mapped[list[str]] = mapped_column(ARRAY(Text))
    name_norm: Mapped[str] = mapped_column(Text)
    address_norm: Mapped[str] = mapped_column(Text)
    city_norm: Mapped[str | None] = mapped_column(Text)
    identifier_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    identifier_type_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    type_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    name_tsv: Mapped[str] = mapped_column(
        TSVECTOR, Computed("to_tsvector('simple'::regconfig, name_norm)", persisted=True)
    )
    address_tsv: Mapped[str] = mapped_column(
        TSVECTOR, Computed("to_tsvector('simple'::regconfig, address_norm)", persisted=True)
    )

    __table_args__ = (
        Index("organization_parent_idx", "parent_id"),
        Index("organization_technical_idx", "technical_id"),
        Index("organization_last_updated_idx", "last_updated", "id"),
        # The default search order (see queries.Sort): a hash spreads every kind of structure
        # evenly, where id order puts all RPPS structures after all FINESS numbers. The
        # included columns let a name search walk it without reading the 2 KB heap rows.
        Index(
            "organization_spread_idx",
            func.hashtext(text("id")),
            "id",
            postgresql_include=["name_tsv", "kind", "active"],
        ),
        Index("organization_name_tsv_idx", "name_tsv", postgresql_using="gin"),
        Index("organization_address_tsv_idx", "address_tsv", postgresql_using="gin"),
        Index(
            "organization_name_trgm_idx",
            "name_norm",
            postgresql_using="gin",
            postgresql_ops={"name_norm": "gin_trgm_ops"},
        ),
        Index("organization_names_idx", "names", postgresql_using="gin"),
        Index("organization_identifier_idx", "identifier_tokens", postgresql_using="gin"),
        Index("organization_identifier_type_idx", "identifier_type_tokens", postgresql_using="gin"),
        Index("organization_type_idx", "type_tokens", postgresql_using="gin"),
        Index(
            "organization_postal_code_idx",
            "postal_code",
            postgresql_ops={"postal_code": "text_pattern_ops"},
        ),
        Index(
            "organization_city_idx", "city_norm", postgresql_ops={"city_norm": "text_pattern_ops"}
        ),
        Index("organization_department_idx", "department"),
        Index("organization_commune_idx", "commune_insee"),
        Index("organization_category_idx", "category_code"),
        Index(
            "organization_earth_idx",
            func.ll_to_earth(text("latitude"), text("longitude")),
            postgresql_using="gist",
            postgresql_where=text("latitude IS NOT NULL"),
        ),
    )


class FinessGroup(Lifecycle, Base):
    """A FINESS+ group: GHT (GCC) or coordination group (GCO), members by technical id."""

    __tablename__ = "finess_group"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    kind: Mapped[str] = mapped_column(String(3))
    name: Mapped[str | None] = mapped_column(Text)
    type_code: Mapped[str | None] = mapped_column(Text)
    document: Mapped[dict] = mapped_column(JSONB)
    member_ids: Mapped[list[str]] = mapped_column(ARRAY(Text))  # "pm:<id>" / "ege:<id>"

    __table_args__ = (Index("finess_group_members_idx", "member_ids", postgresql_using="gin"),)


class FinessActivity(Lifecycle, Base):
    """An authorised or exercised activity of the FINESS+ activities flux."""

    __tablename__ = "finess_activity"

    id: Mapped[str] = mapped_column(Text, primary_key=True)  # "<kind>:<activiteAeId>"
    kind: Mapped[str] = mapped_column(Text)
    ej_finess: Mapped[str | None] = mapped_column(String(9))
    eg_finess: Mapped[str | None] = mapped_column(String(9))
    code: Mapped[str | None] = mapped_column(Text)
    document: Mapped[dict] = mapped_column(JSONB)

    __table_args__ = (
        Index("finess_activity_eg_idx", "eg_finess"),
        Index("finess_activity_ej_idx", "ej_finess"),
    )
