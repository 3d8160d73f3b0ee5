"""The export job table, the resource tables an export reads, and the index it needs on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from annuaire.db import Base
from directory.offers.models import HealthcareService, Location
from directory.organizations.models import Organization
from directory.practitioners.models import Practitioner, PractitionerRole

# The directory resources an export serves, by FHIR type, in the order a manifest lists them.
EXPORTED = {
    "Organization": Organization,
    "HealthcareService": HealthcareService,
    "Location": Location,
    "Practitioner": Practitioner,
    "PractitionerRole": PractitionerRole,
}

# The ids of each table's tombstones, few and so a small index: a full export counts the
# present records of an id range as its rows less these, both read from indexes alone.
TOMBSTONE_INDEXES = [
    Index(
        f"{model.__tablename__}_tombstone_idx",
        model.id,
        postgresql_where=model.removed_at.is_not(None),
    )
    for model in EXPORTED.values()
]


class ExportJob(Base):
    """One kick-off: what was asked, when, and the parts its files are cut into.

    `parts` lists, in download order, each part as {"type", "number", "first", "upper",
    "count"}: it holds the rows whose id is from `first` up to `upper` (excluded; null for a
    type's last part), `count` of them at transactionTime.
    """

    __tablename__ = "export_job"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    request: Mapped[str] = mapped_column(Text)  # the kick-off URL, echoed by the manifest
    transaction_time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    parts: Mapped[list[dict]] = mapped_column(JSONB)
    # directory.export.selection.Selection as JSON; null: every record of the parts' types
    selection: Mapped[dict | None] = mapped_column(JSONB)
