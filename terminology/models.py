"""Tables of terminology resources and of code system concepts.

A CodeSystem's concepts live in `terminology_concept`, one row each, so that a load diffs and
rejects them one by one and the directory can join labels in SQL; its `resource` holds every
other element. ValueSets and ConceptMaps are stored whole in `resource`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from annuaire.db import Base, Lifecycle


class TerminologyResource(Lifecycle, Base):
    """One version of a CodeSystem, ValueSet or ConceptMap; id = "type|url|version"."""

    __tablename__ = "terminology_resource"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    resource_type: Mapped[str] = mapped_column(Text)
    fhir_id: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    version: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(Text)
    oid: Mapped[str | None] = mapped_column(Text)
    # Other canonical URLs of the same resource (legacy mos.esante.gouv.fr ↔ smt.esante.gouv.fr).
    aliases: Mapped[list[str]] = mapped_column(ARRAY(Text))
    identifiers: Mapped[list[str]] = mapped_column(ARRAY(Text))  # "system|value" search tokens
    concept_count: Mapped[int | None] = mapped_column(Integer)
    resource: Mapped[dict] = mapped_column(JSONB)

    __table_args__ = (
        Index("terminology_resource_url_idx", "url", "resource_type"),
        Index("terminology_resource_fhir_id_idx", "fhir_id", "resource_type"),
        Index("terminology_resource_oid_idx", "oid"),
        Index("terminology_resource_aliases_idx", "aliases", postgresql_using="gin"),
        Index("terminology_resource_identifiers_idx", "identifiers", postgresql_using="gin"),
        Index("terminology_resource_updated_idx", "last_updated"),
    )


class TerminologyConcept(Lifecycle, Base):
    """One concept of one code system version; id = "<resource id>|<code>"."""

    __tablename__ = "terminology_concept"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    resource_id: Mapped[str] = mapped_column(Text)
    system: Mapped[str] = mapped_column(Text)
    version: Mapped[str] = mapped_column(Text)
    code: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)  # order in the source file
    parent_code: Mapped[str | None] = mapped_column(Text)  # the concept it was nested in
    display: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(Text)
    inactive: Mapped[bool]
    date_fin: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    concept: Mapped[dict] = mapped_column(JSONB)  # the FHIR element, without nested concepts

    __table_args__ = (
        Index("terminology_concept_resource_idx", "resource_id", "position"),
        Index("terminology_concept_code_idx", "system", "code"),
    )
