"""A capacity indicator as the ROR writes it (one `ror-location-supported-capacity`
extension) and as we store it (one location_capacity row): both directions.

Reading is tolerant of the defects of real extracts and of vendors' bodies: a dimension given
as `valueCode`, `valueCoding` or `valueCodeableConcept`; `nbCapacity` as `valueInt` or as a
string of digits. Each such repair is reported, so that the loader can record it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from directory.offers.systems import (
    COMMENT,
    DIMENSION_BY_URL,
    DIMENSIONS,
    NB_CAPACITY,
    SOURCE_TYPE,
    SUPPORTED_CAPACITY,
    UPDATE_DATE,
    Dimension,
    capacity_key,
)
from terminology.context import Context
from terminology.store import StoredResources


class CapacityError(ValueError):
    """The extension is not a usable indicator; the message says which part."""


@dataclass
class Indicator:
    """One indicator: the eight dimension codes ('' when absent) and its payload."""

    codes: dict[str, str]  # column -> code, for every dimension
    nb: int
    updated_at: datetime | None = None
    source_type: str | None = None
    comment: str | None = None
    repairs: list[str] = field(default_factory=list)  # what was mended while reading

    def key(self, location_id: str) -> str:
        return capacity_key(location_id, self.codes)

    def row(self, location_id: str) -> dict:
        """Values of the location_capacity columns, lifecycle excepted."""
        return {
            "id": self.key(location_id),
            "location_id": location_id,
            **self.codes,
            "nb": self.nb,
            "updated_at": self.updated_at,
            "source_type": self.source_type,
            "comment": self.comment,
        }


def _code(dimension: Dimension, part: dict, repairs: list[str]) -> str:
    """The code of a coded sub-extension, whatever value[x] carries it."""
    if "valueCodeableConcept" in part:
        codings = part["valueCodeableConcept"].get("coding") or []
        codes = [c.get("code") for c in codings if isinstance(c, dict) and c.get("code")]
        matching = [
            c.get("code")
            for c in codings
            if isinstance(c, dict)
            and c.get("code")
            and c.get("system", "").rstrip("/") in (dimension.system, dimension.value_set)
        ]
        if matching:
            return str(matching[0])
        if codes:
            repairs.append(f"{dimension.url}: coding without the {dimension.system} system")
            return str(codes[0])
        raise CapacityError(f"{dimension.url}: no code")
    if "valueCoding" in part and isinstance(part["valueCoding"], dict):
        repairs.append(f"{dimension.url}: valueCoding read as a CodeableConcept")
        code = part["valueCoding"].get("code")
    elif "valueCode" in part or "valueString" in part:
        repairs.append(f"{dimension.url}: a code read as a CodeableConcept")
        code = part.get("valueCode", part.get("valueString"))
    else:
        raise CapacityError(f"{dimension.url}: no value")
    if not isinstance(code, str) or not code.strip():
        raise CapacityError(f"{dimension.url}: no code")
    return code.strip()


def _count(part: dict, repairs: list[str]) -> int:
    if "valueInteger" in part:
        value = part["valueInteger"]
    elif "valueInt" in part:
        repairs.append("nbCapacity: valueInt read as valueInteger")
        value = part["valueInt"]
    else:
        raise CapacityError("nbCapacity: no valueInteger")
    if isinstance(value, str) and value.strip().isdigit():
        repairs.append("nbCapacity: a string read as an integer")
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CapacityError(f"nbCapacity: {value!r} is not a count")
    return value


def _date(part: dict) -> datetime:
    value = part.get("valueDateTime")
    if not isinstance(value, str):
        raise CapacityError("capacityUpdateDate: no valueDateTime")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CapacityError(f"capacityUpdateDate: {value!r} is not a date-time") from None
    if parsed.tzinfo is None:
        raise CapacityError(f"capacityUpdateDate: {value!r} has no time zone")
    return parsed


def read_indicator(extension: dict) -> Indicator:
    """The indicator of one supported-capacity extension; CapacityError when a required part
    is missing or unreadable."""
    if not isinstance(extension, dict) or not isinstance(extension.get("extension"), list):
        raise CapacityError("a capacity indicator is an extension holding sub-extensions")
    repairs: list[str] = []
    codes = {d.column: "" for d in DIMENSIONS}
    nb: int | None = None
    indicator = Indicator(codes, 0, repairs=repairs)
    for part in extension["extension"]:
        url = part.get("url") if isinstance(part, dict) else None
        if url in DIMENSION_BY_URL:
            codes[DIMENSION_BY_URL[url].column] = _code(DIMENSION_BY_URL[url], part, repairs)
        elif url == NB_CAPACITY:
            nb = _count(part, repairs)
        elif url == UPDATE_DATE:
            indicator.updated_at = _date(part)
        elif url == SOURCE_TYPE.url:
            indicator.source_type = _code(SOURCE_TYPE, part, repairs)
        elif url == COMMENT and isinstance(part.get("valueString"), str):
            indicator.comment = part["valueString"]
    missing = [d.url for d in DIMENSIONS if d.required and not codes[d.column]]
    if nb is None:
        missing.insert(0, NB_CAPACITY)
    if missing:
        raise CapacityError(f"missing {', '.join(missing)}")
    indicator.nb = nb
    return indicator


def _coded(dimension: Dimension, code: str, display: str | None = None) -> dict:
    coding = {"system": dimension.system, "code": code}
    if display:
        coding["display"] = display
    return {"url": dimension.url, "valueCodeableConcept": {"coding": [coding]}}


def _stamp(value: datetime) -> str:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


Displays = dict[tuple[str, str], str]  # (system, code) → label


def capacity_displays(stored: StoredResources) -> Displays:
    """The labels of every code of the indicators' code systems (TRE_R329…R337) that the
    loaded terminology holds: none without it."""
    return Context(stored, []).displays(d.system for d in (*DIMENSIONS, SOURCE_TYPE))


def indicator_labels(row: dict, displays: Displays) -> dict[str, str]:
    """The labels of a location_capacity row's codes, by column (those the terminology
    holds)."""
    return {
        dimension.column: label
        for dimension in (*DIMENSIONS, SOURCE_TYPE)
        if (code := row.get(dimension.column))
        and (label := displays.get((dimension.system, code))) is not None
    }


def with_labels(resource: dict, displays: Displays) -> dict:
    """A Location kept in the history, its capacity codings given the labels a read gives
    them (the versions a load or a write made before the terminology came hold codes
    alone); changed in place."""
    for extension in resource.get("extension", ()):
        if extension.get("url") != SUPPORTED_CAPACITY:
            continue
        for part in extension.get("extension", ()):
            for coding in part.get("valueCodeableConcept", {}).get("coding", ()):
                label = displays.get((coding.get("system"), coding.get("code")))
                if label is not None and "display" not in coding:
                    coding["display"] = label
    return resource


def capacity_extension(row: dict, displays: Displays | None = None) -> dict:
    """The supported-capacity extension of a location_capacity row (or Indicator.row()), in
    the current ROR shape (CodeableConcepts); `displays` gives the codings their labels."""
    displays = displays or {}
    parts: list[dict] = [{"url": NB_CAPACITY, "valueInteger": row["nb"]}]
    if row.get("updated_at"):
        parts.append({"url": UPDATE_DATE, "valueDateTime": _stamp(row["updated_at"])})
    for dimension in DIMENSIONS:
        if code := row.get(dimension.column):
            parts.append(_coded(dimension, code, displays.get((dimension.system, code))))
    if row.get("source_type"):
        code = row["source_type"]
        parts.append(_coded(SOURCE_TYPE, code, displays.get((SOURCE_TYPE.system, code))))
    if row.get("comment"):
        parts.append({"url": COMMENT, "valueString": row["comment"]})
    return {"url": SUPPORTED_CAPACITY, "extension": parts}
