"""Tables of ROR offers (HealthcareService), locations (Location), capacity indicators and
the history of capacity writes.

`resource` is the FHIR resource as loaded (a location's without its capacity extensions,
which reads add from location_capacity); the *_norm and *_tokens columns exist for search.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Computed,
    DateTime,
    Double,
    Index,
    Integer,
    Numeric,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from annuaire.db import Base, Lifecycle


def _tokens(table: str, *columns: str) -> list[Index]:
    return [
        Index(f"{table}_{name}_idx", column, postgresql_using="gin") for name, column in columns
    ]


class HealthcareService(Lifecycle, Base):
    """A ROR offer (offre opérationnelle); id = the ROR resource id."""

    __tablename__ = "healthcare_service"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    identifier: Mapped[str | None] = mapped_column(Text)  # identifiantOffre, "<region>/<id>"
    name: Mapped[str] = mapped_column(Text)
    name_norm: Mapped[str] = mapped_column(Text)
    organization_id: Mapped[str | None] = mapped_column(Text)  # providedBy, our id
    establishment_id: Mapped[str | None] = mapped_column(Text)  # the EG above it, our id
    location_ids: Mapped[list[str]] = mapped_column(ARRAY(Text))
    region: Mapped[str | None] = mapped_column(Text)
    identifier_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    tag_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    specialty_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    characteristic_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    service_type_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    category_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    patient_type_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    age_low: Mapped[Decimal | None] = mapped_column(Numeric)  # years
    age_high: Mapped[Decimal | None] = mapped_column(Numeric)
    resource: Mapped[dict] = mapped_column(JSON)

    __table_args__ = (
        Index("healthcare_service_last_updated_idx", "last_updated", "id"),
        Index(
            "healthcare_service_name_trgm_idx",
            "name_norm",
            postgresql_using="gin",
            postgresql_ops={"name_norm": "gin_trgm_ops"},
        ),
        Index("healthcare_service_organization_idx", "organization_id"),
        Index("healthcare_service_establishment_idx", "establishment_id"),
        *_tokens(
            "healthcare_service",
            ("identifier", "identifier_tokens"),
            ("location", "location_ids"),
            ("tag", "tag_tokens"),
            ("specialty", "specialty_tokens"),
            ("characteristic", "characteristic_tokens"),
            ("type", "service_type_tokens"),
            ("category", "category_tokens"),
            ("patient_type", "patient_type_tokens"),
        ),
    )


class Location(Lifecycle, Base):
    """A ROR location (lieu de réalisation de l'offre), where beds are counted."""

    __tablename__ = "location"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    sync_identifier: Mapped[str | None] = mapped_column(Text)  # type 26: "<idNatSt>/<sync id>"
    name: Mapped[str | None] = mapped_column(Text)
    name_norm: Mapped[str] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(Text)
    operational_status: Mapped[str | None] = mapped_column(Text)
    identifier_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    type_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    tag_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    postal_code: Mapped[str | None] = mapped_column(Text)
    city_norm: Mapped[str | None] = mapped_column(Text)
    commune_insee: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    organization_id: Mapped[str | None] = mapped_column(Text)  # managingOrganization, our id
    establishment_id: Mapped[str | None] = mapped_column(Text)  # the EG above it, our id
    finess: Mapped[str | None] = mapped_column(Text)  # that EG's FINESS number (write scopes)
    region: Mapped[str | None] = mapped_column(Text)
    version_id: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    resource: Mapped[dict] = mapped_column(JSON)

    __table_args__ = (
        Index("location_last_updated_idx", "last_updated", "id"),
        Index("location_sync_identifier_idx", "sync_identifier"),
        *_tokens(
            "location",
            ("identifier", "identifier_tokens"),
            ("type", "type_tokens"),
            ("tag", "tag_tokens"),
        ),
        Index(
            "location_name_trgm_idx",
            "name_norm",
            postgresql_using="gin",
            postgresql_ops={"name_norm": "gin_trgm_ops"},
        ),
        Index(
            "location_postal_code_idx",
            "postal_code",
            postgresql_ops={"postal_code": "text_pattern_ops"},
        ),
        Index("location_city_idx", "city_norm", postgresql_ops={"city_norm": "text_pattern_ops"}),
        Index("location_commune_idx", "commune_insee"),
        Index("location_organization_idx", "organization_id"),
        Index("location_establishment_idx", "establishment_id"),
        Index(
            "location_earth_idx",
            func.ll_to_earth(text("latitude"), text("longitude")),
            postgresql_using="gist",
            postgresql_where=text("latitude IS NOT NULL"),
        ),
    )


class LocationCapacity(Lifecycle, Base):
    """One capacity indicator of a location: a count for one combination of the eight coded
    dimensions (NOS codes; '' where a dimension is absent). id = location id and the eight
    codes joined by '|'."""

    __tablename__ = "location_capacity"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    location_id: Mapped[str] = mapped_column(Text)
    capacity_type: Mapped[str] = mapped_column(Text)  # J187 NatureCapacite
    status: Mapped[str] = mapped_column(Text)  # J188 TypeStatutCapacite
    temporality: Mapped[str] = mapped_column(Text)  # J189 TemporaliteCapacite
    gender: Mapped[str] = mapped_column(Text, server_default="")  # J190 GenreCapacite
    closing_type: Mapped[str] = mapped_column(Text, server_default="")  # J191
    additional_bed_type: Mapped[str] = mapped_column(Text, server_default="")  # J192
    crisis_type: Mapped[str] = mapped_column(Text, server_default="")  # J194
    temporary_assignment: Mapped[str] = mapped_column(Text, server_default="")  # J195
    nb: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source_type: Mapped[str | None] = mapped_column(Text)  # J193 TypeSourceCapacite
    comment: Mapped[str | None] = mapped_column(Text)
    written_by: Mapped[str | None] = mapped_column(Text)  # the API key's name; None: a load

    __table_args__ = (
        Index("location_capacity_location_idx", "location_id"),
        Index(
            "location_capacity_available_idx",
            "location_id",
            "gender",
            postgresql_where=text("status = '02' AND temporality = '01' AND nb > 0 AND active"),
        ),
    )


class LocationHistory(Base):
    """One write of a location's capacity through the API: who, when, the indicator before
    and after, and the whole resource after (GET /fhir/Location/<id>/_history)."""

    __tablename__ = "location_history"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    location_id: Mapped[str] = mapped_column(Text)
    version_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"))
    actor: Mapped[str] = mapped_column(Text)
    operation: Mapped[str] = mapped_column(Text)
    before: Mapped[dict | None] = mapped_column(JSONB)
    after: Mapped[dict | None] = mapped_column(JSONB)
    resource: Mapped[dict] = mapped_column(JSONB)

    __table_args__ = (Index("location_history_location_idx", "location_id", "version_id"),)


class SasOffer(Base):
    """The search projection of every offer (migrations 0007 and 0013 keep it in step by
    triggers): its position as Earth-centred x, y, z in metres and the grid cells that hold
    it (none without a position), its filter codes as `<filter>|<code>`, its FHIR specialty
    tokens, and what its locations' indicators say of beds: `now` (a bed available now),
    `now|<gender>` (of such a bed) and `crisis` (Plan blanc extra beds)."""

    __tablename__ = "sas_offer"

    id: Mapped[str] = mapped_column(Text, primary_key=True)  # healthcare_service.id
    active: Mapped[bool] = mapped_column(server_default=text("true"))
    establishment_id: Mapped[str | None] = mapped_column(Text)
    location_ids: Mapped[list[str]] = mapped_column(ARRAY(Text))
    from_establishment: Mapped[bool]  # no located location: placed at its establishment
    x: Mapped[float | None] = mapped_column(Double)
    y: Mapped[float | None] = mapped_column(Double)
    z: Mapped[float | None] = mapped_column(Double)
    cells: Mapped[list[str]] = mapped_column(ARRAY(Text))  # "<size>|<lat index>|<lon index>"
    tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))  # "activity|356", "public|1"…
    specialties: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    beds: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    # The specialties of an offer with a bed now (migration 0017), for their statistics.
    bed_specialties: Mapped[list[str]] = mapped_column(
        ARRAY(Text),
        Computed("CASE WHEN beds @> '{now}' THEN specialties ELSE '{}' END", persisted=True),
    )
    age_low: Mapped[Decimal | None] = mapped_column(Numeric)
    age_high: Mapped[Decimal | None] = mapped_column(Numeric)

    __table_args__ = (
        Index(
            "sas_offer_search_idx",
            "cells",
            "tokens",
            "specialties",
            "beds",
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        ),
        Index("sas_offer_establishment_idx", "establishment_id"),
        Index(
            "sas_offer_bed_now_idx",
            "id",
            postgresql_include=["bed_specialties"],
            postgresql_where=text("beds @> '{now}'"),
        ),
        Index(
            "sas_offer_bed_specialties_idx",
            "bed_specialties",
            postgresql_using="gin",
            postgresql_with={"fastupdate": "off"},
        ),
    )
