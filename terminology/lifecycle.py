"""Whether a concept is active, from whichever signal its code system uses.

HL7 code systems use the `status` property (active | deprecated | retired) or an `inactive`
boolean; the NOS of 2020–2024 mark a closed code only with a `dateFin` date. A code is inactive
when its status says so or its `dateFin` has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

INACTIVE_STATUSES = frozenset({"retired", "inactive", "deprecated"})


@dataclass(frozen=True)
class ConceptState:
    status: str | None
    flagged_inactive: bool  # by status or an `inactive` property, whatever the date
    date_fin: datetime | None

    def inactive(self, at: datetime | None = None) -> bool:
        if self.flagged_inactive:
            return True
        return self.date_fin is not None and self.date_fin <= (at or datetime.now(UTC))


def parse_fhir_datetime(value: str | None) -> datetime | None:
    """A FHIR date or dateTime (or an NOS 14-digit stamp) as an aware datetime; None if blank."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit() and len(text) == 14:
        text = f"{text[:4]}-{text[4:6]}-{text[6:8]}T{text[8:10]}:{text[10:12]}:{text[12:]}"
    elif len(text) == 4:
        text += "-01-01"
    elif len(text) == 7:
        text += "-01"
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def property_value(prop: dict) -> object:
    """The value of a concept property, whatever its value[x] type."""
    for key, value in prop.items():
        if key.startswith("value"):
            return value
    return None


def concept_state(concept: dict) -> ConceptState:
    status: str | None = None
    inactive = False
    date_fin: datetime | None = None
    for prop in concept.get("property", ()):
        code = prop.get("code")
        value = property_value(prop)
        if code == "status" and isinstance(value, str):
            status = value
        elif code == "inactive" and value is True:
            inactive = True
        elif code == "dateFin" and isinstance(value, str):
            try:
                date_fin = parse_fhir_datetime(value)
            except ValueError:
                date_fin = None
    flagged = inactive or (status or "").lower() in INACTIVE_STATUSES
    return ConceptState(status=status, flagged_inactive=flagged, date_fin=date_fin)
