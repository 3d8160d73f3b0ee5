"""The one shape every terminology format is loaded into: FHIR R4 as the ANS SMT serves the NOS.

Short and long labels are SNOMED "synonym" designations in fr-FR, present only when they differ
from the display; concept dates are `dateValid` / `dateMaj` / `dateFin` dateTime properties,
declared in `CodeSystem.property`; the OID is an `urn:ietf:rfc:3986` identifier.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from terminology.lifecycle import parse_fhir_datetime

LANGUAGE = "fr-FR"
SYNONYM = {"system": "http://snomed.info/sct", "code": "900000000000013009"}
URI_SYSTEM = "urn:ietf:rfc:3986"
EFFECTIVE_PERIOD = "http://hl7.org/fhir/StructureDefinition/resource-effectivePeriod"
HL7_PROPERTY = "http://hl7.org/fhir/concept-properties#"
# As the SMT declares them (TRE_R38 on smt.esante.gouv.fr).
DECLARATIONS = {
    "dateValid": {"description": "date de validité d'un code concept", "type": "dateTime"},
    "dateMaj": {"description": "Date de mise à jour d'un code concept", "type": "dateTime"},
    "dateFin": {"description": "Date de fin d'exploitation d'un code concept", "type": "dateTime"},
    "deprecationDate": {"uri": f"{HL7_PROPERTY}deprecationDate", "type": "dateTime"},
    "status": {"uri": f"{HL7_PROPERTY}status", "type": "code"},
    "retirementDate": {"uri": f"{HL7_PROPERTY}retirementDate", "type": "dateTime"},
}
NOS_DATES = ("dateValid", "dateMaj", "dateFin")
DATE_PROPERTIES = frozenset(code for code, d in DECLARATIONS.items() if d["type"] == "dateTime")
# The ANS writes every NOS timestamp at +01:00, summer or winter (TRE_R38 version 20260928120000
# has date 2026-09-28T12:00:00+01:00), and the SVS/.tabs stamps are those timestamps' local
# digits: reading them at +01:00 gives back the SMT's exact values.
NOS_OFFSET = timezone(timedelta(hours=1))
# The NOS, in both URL generations: their labels are French, said or not.
NOS_URL = re.compile(
    r"^https?://(mos\.esante\.gouv\.fr/NOS/|smt\.esante\.gouv\.fr/fhir/(CodeSystem|ValueSet|ConceptMap)/)"
)
_OID = re.compile(r"^[0-2](\.\d+)+$")
_FHIR_DATETIME = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


@lru_cache(maxsize=4096)  # a NOS has few distinct dates, met on every concept
def fhir_datetime(value: str) -> str:
    """A date as a FHIR dateTime: NOS stamps (YYYYMMDDhhmmss, or YYYYMMDD) are converted, FHIR
    dates and dateTimes kept as written. ValueError when it is neither."""
    text = value.strip()
    try:
        if text.isdigit() and len(text) in (8, 14):
            parts = [int(text[i : i + 2]) for i in range(4, len(text), 2)]
            stamp = datetime(int(text[:4]), *parts, tzinfo=NOS_OFFSET)
            return stamp.isoformat() if len(text) == 14 else stamp.date().isoformat()
        if _FHIR_DATETIME.match(text) and parse_fhir_datetime(text):
            return text
    except ValueError:
        pass
    raise ValueError(f"unreadable date {value!r}")


def synonyms(display: str | None, labels: Iterable[str | None]) -> list[dict]:
    """Labels as SMT designations: those that differ from the display, each once."""
    found: list[dict] = []
    for label in labels:
        if label and label != display and all(d["value"] != label for d in found):
            found.append({"language": LANGUAGE, "use": dict(SYNONYM), "value": label})
    return found


def declaration(code: str, value_key: str) -> dict:
    """The CodeSystem.property entry of a concept property met as `value_key` (valueCode…)."""
    if code in DECLARATIONS:
        return {"code": code, **DECLARATIONS[code]}
    kind = value_key.removeprefix("value")
    return {"code": code, "type": kind if kind == "Coding" else kind[:1].lower() + kind[1:]}


def oid_identifier(oid: str) -> dict:
    return {"system": URI_SYSTEM, "value": f"urn:oid:{oid}"}


def system_uri(value: str) -> str:
    """A code system named by an OID (SVS, .tabs) or a URL (newer .tabs) as a FHIR system."""
    return f"urn:oid:{value}" if _OID.match(value) else value


def effective_period(start: str | None, end: str | None) -> dict:
    period = {key: value for key, value in (("start", start), ("end", end)) if value}
    return {"url": EFFECTIVE_PERIOD, "valuePeriod": period}
