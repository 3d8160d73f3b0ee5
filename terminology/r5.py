"""R5 elements carried in R4 resources, as the FHIR cross-version extensions define them.

An R4 expansion has no `property`; R5 added `expansion.property` and `contains.property`, which
the HL7 test suite and validators expect. R4 servers carry them as these extensions.
"""

from __future__ import annotations

EXPANSION_PROPERTY = (
    "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.property"
)
CONTAINS_PROPERTY = (
    "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.contains.property"
)


def value_key(value: object) -> str:
    if isinstance(value, bool):
        return "valueBoolean"
    if isinstance(value, int):
        return "valueInteger"
    if isinstance(value, dict):
        return "valueCoding"
    return "valueCode"


def expansion_property(code: str, uri: str | None) -> dict:
    parts = [{"url": "code", "valueCode": code}]
    if uri:
        parts.append({"url": "uri", "valueUri": uri})
    return {"url": EXPANSION_PROPERTY, "extension": parts}


def contains_property(code: str, value: object, value_type: str | None = None) -> dict:
    return {
        "url": CONTAINS_PROPERTY,
        "extension": [
            {"url": "code", "valueCode": code},
            {"url": "value", value_type or value_key(value): value},
        ],
    }
