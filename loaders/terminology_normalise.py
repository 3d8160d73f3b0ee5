"""FHIR terminology resources brought to the normalised shape, one concept at a time.

The legacy NOS export (2020–2023) differs from the SMT shape: identifiers without system,
designations `use.code` LibelleCourt / LibelleAdapte, undeclared concept properties, a misspelt
`ressource-effectivePeriod`, and in value sets the source OID as a pseudo-designation. SMT-shaped
resources go through unchanged, and so do other terminologies (CIM-10, LOINC…).
"""

from __future__ import annotations

from collections.abc import Iterator

from loaders.base import Rejected, raw
from loaders.terminology_items import ConceptItem, Head, Item, ResourceItem
from loaders.terminology_shape import (
    DATE_PROPERTIES,
    EFFECTIVE_PERIOD,
    LANGUAGE,
    NOS_URL,
    SYNONYM,
    URI_SYSTEM,
    declaration,
    fhir_datetime,
    synonyms,
)
from terminology.lifecycle import property_value

LEGACY_LABELS = frozenset({"LibelleCourt", "LibelleLong", "LibelleAdapte"})
MISSPELT_PERIOD = "http://hl7.org/fhir/StructureDefinition/ressource-effectivePeriod"


class ResourceAssembler:
    """One resource fed concept by concept, then its header: concepts are flattened,
    normalised and numbered as they come; the header is completed with what they used."""

    def __init__(self, head: Head) -> None:
        self.head = head
        self.count = 0
        self.used: dict[str, str] = {}  # property code → its value[x] key, in order of first use
        self.name = head.url.rstrip("/").rsplit("/", 1)[-1]
        self.nos = NOS_URL.match(head.url) is not None

    def concepts(self, element: object, line: int) -> Iterator[Item]:
        """The items of one top-level concept element and the concepts nested in it."""
        if not self.head.has_concepts:
            return
        if not isinstance(element, dict):
            yield Rejected(line, f"{self.name}: a concept that is not an object", raw(element))
            return
        for node, parent in _flattened(element, None):
            try:
                concept = normalise_concept(node, self.nos)
            except (ValueError, TypeError, AttributeError) as exc:
                label = node.get("code") or f"#{self.count + 1}"
                yield Rejected(line, f"{self.name} concept {label}: {exc}", raw(node))
                continue
            self.count += 1
            for prop in concept.get("property", ()):
                value_key = next((key for key in prop if key.startswith("value")), None)
                if value_key and prop.get("code"):
                    self.used.setdefault(prop["code"], value_key)
            yield ConceptItem(line, self.head, self.count, concept, parent)

    def finish(self, header: dict, line: int) -> ResourceItem:
        resource = normalise_resource(header, self.used)
        is_code_system = self.head.resource_type == "CodeSystem"
        return ResourceItem(line, resource, self.count if is_code_system else None)


def _flattened(element: dict, parent: str | None) -> Iterator[tuple[dict, str | None]]:
    yield {key: value for key, value in element.items() if key != "concept"}, parent
    children = element.get("concept")
    if isinstance(children, list):
        code = element.get("code")
        for child in children:
            if isinstance(child, dict):
                yield from _flattened(child, None if code is None else str(code))


def normalise_concept(element: dict, nos: bool) -> dict:
    """A concept element (without nested concepts) in the normalised shape; ValueError if it
    has no code or an unreadable date. `nos`: it belongs to an NOS, whose labels are French."""
    code = element.get("code")
    if code is None or not str(code).strip():
        raise ValueError("concept without code")
    concept = {**element, "code": str(code)}
    if "designation" in concept:
        concept["designation"] = _designations(concept.get("display"), concept["designation"], nos)
        if not concept["designation"]:
            del concept["designation"]
    if "property" in concept:
        concept["property"] = [_property(prop) for prop in concept["property"]]
    return concept


def _is_legacy_label(designation: dict) -> bool:
    use = designation.get("use") or {}
    return not use.get("system") and use.get("code") in LEGACY_LABELS


def _is_synonym(designation: dict) -> bool:
    use = designation.get("use") or {}
    return (use.get("system"), use.get("code")) == (SYNONYM["system"], SYNONYM["code"])


def _designations(display: str | None, designations: list[dict], nos: bool) -> list[dict]:
    """Legacy LibelleCourt / LibelleLong / LibelleAdapte labels become SMT synonyms (dropped
    when equal to the display, as the SMT does); other designations are kept, an NOS synonym
    without language (SMT 2024) getting the fr-FR that SVS, .tabs and today's SMT give it."""
    kept = [
        {"language": LANGUAGE, **d} if nos and _is_synonym(d) and "language" not in d else d
        for d in designations
        if not _is_legacy_label(d)
    ]
    legacy = synonyms(display, (d.get("value") for d in designations if _is_legacy_label(d)))
    return kept + [d for d in legacy if all(k.get("value") != d["value"] for k in kept)]


def _property(prop: dict) -> dict:
    """Date properties as FHIR dateTime, whatever value[x] and format they were given in."""
    value = property_value(prop)
    if prop.get("code") in DATE_PROPERTIES and isinstance(value, str):
        return {"code": prop["code"], "valueDateTime": fhir_datetime(value)}
    return prop


def normalise_resource(header: dict, used: dict[str, str]) -> dict:
    """A resource header (a CodeSystem without its concepts) in the normalised shape."""
    resource = {key: value for key, value in header.items() if key != "concept"}
    # A generated narrative lists the concepts of this copy: stale as soon as one changes.
    if isinstance(resource.get("text"), dict) and resource["text"].get("status") == "generated":
        del resource["text"]
    if resource.get("version") is not None:
        resource["version"] = str(resource["version"])
    if isinstance(resource.get("extension"), list):
        resource["extension"] = [_extension(e) for e in resource["extension"]]
    if "identifier" in resource:
        resource["identifier"] = _identifiers(resource["resourceType"], resource["identifier"])
        if not resource["identifier"]:
            del resource["identifier"]
    if resource["resourceType"] == "CodeSystem":
        declared = [p for p in resource.get("property") or () if isinstance(p, dict)]
        known = {p.get("code") for p in declared}
        missing = [declaration(code, key) for code, key in used.items() if code not in known]
        if declared or missing:
            resource["property"] = declared + missing
    if resource["resourceType"] == "ValueSet" and isinstance(resource.get("compose"), dict):
        resource["compose"] = _without_oid_designations(resource["compose"])
    return resource


def _extension(extension: object) -> object:
    if isinstance(extension, dict) and extension.get("url") == MISSPELT_PERIOD:
        return {**extension, "url": EFFECTIVE_PERIOD}
    return extension


def _identifiers(resource_type: str, identifiers: object) -> object:
    """OID identifiers get their `urn:ietf:rfc:3986` system; ConceptMap.identifier is a single
    Identifier in R4 (the legacy export wrote a list of one)."""
    listed = identifiers if isinstance(identifiers, list) else [identifiers]
    fixed = [_with_uri_system(i) for i in listed if i]
    if resource_type == "ConceptMap":
        return fixed[0] if fixed else None
    return fixed or None


def _with_uri_system(identifier: object) -> object:
    if not isinstance(identifier, dict) or identifier.get("system"):
        return identifier
    if not str(identifier.get("value", "")).startswith("urn:oid:"):
        return identifier
    return {"system": URI_SYSTEM, **{k: v for k, v in identifier.items() if k != "system"}}


def _without_oid_designations(compose: dict) -> dict:
    """The legacy export put the source TRE's OID in a designation `use.code = OID`."""

    def concept(element: object) -> object:
        if not isinstance(element, dict) or not isinstance(element.get("designation"), list):
            return element
        kept = [
            d
            for d in element["designation"]
            if not (isinstance(d, dict) and (d.get("use") or {}).get("code") == "OID")
        ]
        return {k: v for k, v in element.items() if k != "designation"} | (
            {"designation": kept} if kept else {}
        )

    def include(entry: object) -> object:
        if not isinstance(entry, dict) or not isinstance(entry.get("concept"), list):
            return entry
        return {**entry, "concept": [concept(c) for c in entry["concept"]]}

    return {
        key: [include(e) for e in value]
        if key in ("include", "exclude") and isinstance(value, list)
        else value
        for key, value in compose.items()
    }
