"""ValueSet `compose.include.filter` evaluated against one code system, as predicates."""

from __future__ import annotations

import re
from collections.abc import Callable

from terminology.codesystem import CodeSystemIndex, Concept
from terminology.lifecycle import property_value
from terminology.outcomes import invalid

Predicate = Callable[[Concept], bool]
HIERARCHY_PROPERTIES = {"concept", "code"}


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):  # valueCoding
        return str(value.get("code", ""))
    return str(value)


def _values(concept: Concept, prop: str) -> list[str]:
    if prop == "display":
        return [concept.display] if concept.display else []
    if prop in HIERARCHY_PROPERTIES:
        return [concept.code]
    values = [_text(property_value(p)) for p in concept.properties if p.get("code") == prop]
    if prop == "inactive" and not values:
        values = ["true" if concept.inactive else "false"]
    return values


def _regex(pattern: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise invalid(f"The regex '{pattern}' is not valid: {exc}") from None


def _hierarchy(cs: CodeSystemIndex, op: str, value: str) -> Predicate:
    if value not in cs.concepts:
        known = cs.find(value)[0]
        if known is None:
            return lambda _c: False
        value = known.code
    if op == "is-a":
        return lambda c: cs.subsumes(value, c.code)
    if op == "descendent-of":
        return lambda c: c.code != value and cs.subsumes(value, c.code)
    if op == "is-not-a":
        return lambda c: not cs.subsumes(value, c.code)
    if op == "child-of":
        return lambda c: value in c.parents
    if op == "generalizes":
        return lambda c: cs.subsumes(c.code, value)
    raise AssertionError(op)


# R4 has no child-of or descendent-leaf operator; R4 clients carry them in this extension.
R5_OPERATOR = (
    "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.compose.include.filter.op"
)


def operator_of(element: dict) -> str | None:
    if element.get("op"):
        return element["op"]
    for extension in element.get("_op", {}).get("extension", ()):
        if extension.get("url") == R5_OPERATOR:
            return extension.get("valueCode")
    return None


def predicate(cs: CodeSystemIndex, element: dict) -> Predicate:
    prop, op, value = element.get("property"), operator_of(element), element.get("value")
    if not prop or not op or value is None:
        raise invalid("a ValueSet filter needs property, op and value")
    if op in {"is-a", "descendent-of", "is-not-a", "child-of", "generalizes"}:
        if prop not in HIERARCHY_PROPERTIES and prop != "parent":
            raise invalid(f"the filter operator {op} applies to the property 'concept'")
        return _hierarchy(cs, op, value)
    if op == "=":
        return lambda c: value in _values(c, prop)
    if op in {"in", "not-in"}:
        members = {v.strip() for v in value.split(",")}
        if op == "in":
            return lambda c: any(v in members for v in _values(c, prop))
        return lambda c: not any(v in members for v in _values(c, prop))
    if op == "regex":
        pattern = _regex(value)
        return lambda c: any(pattern.fullmatch(v) for v in _values(c, prop))
    if op == "exists":
        wanted = value == "true"
        return lambda c: bool(_values(c, prop)) == wanted
    raise invalid(f"the filter operator '{op}' is not supported")


def all_of(cs: CodeSystemIndex, filters: list[dict]) -> Predicate:
    tests = [predicate(cs, f) for f in filters]
    return lambda c: all(test(c) for test in tests)
