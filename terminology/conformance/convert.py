"""R5 <-> R4 conversion of the test resources, as the Java runner's R4 client does it.

The test cases are written in FHIR R5 and our server speaks R4. Against an R4 server the Java
runner (TxTester with TerminologyClientR4) converts each request to R4 with the 4.0 <-> 5.0
version converters (org.hl7.fhir.convertors conv40_50) before sending it, and converts each
answer back to R5 before comparing it with the template. This module does the same on JSON, for
the elements the suites use; everything else is copied as it is, which is also what the Java
converters do for elements that exist in both versions.

Requests, R5 -> R4 (`to_r4`), applied to the request and to every resource in it (the
`tx-resource` parameters, `valueSet` parameters, contained resources):
- ValueSet.compose.include/exclude.filter.op `child-of` and `descendent-leaf` do not exist in
  R4. As in ValueSet40_50.convertFilterOperator, `op` is left out and the R5 code is carried by
  the extension `EXT_FILTER_OP` on the element (`_op` in JSON).
- ValueSet.expansion.property and ValueSet.expansion.contains.property (R5 only) become the
  cross-version extensions `EXT_EXPANSION_PROPERTY` (sub-extensions code, uri) and
  `EXT_CONTAINS_PROPERTY` (sub-extensions code, value), as R4 servers are asked to return them
  (tx-ecosystem r4.md).
- ConceptMap (ConceptMap40_50): sourceScope[x]/targetScope[x] become source[x]/target[x];
  `identifier` keeps its first entry (0..1 in R4); group.source/target canonicals `url|version`
  split into source + sourceVersion / target + targetVersion; element.target.relationship
  becomes `equivalence` (equivalent, related-to -> relatedto, source-is-narrower-than-target ->
  wider, source-is-broader-than-target -> narrower, not-related-to -> disjoint; relatedto when
  absent); element.noMap becomes a target with equivalence `unmatched`; dependsOn/product
  attribute + value[x] become property + system/value/display; unmapped.mode use-source-code ->
  provided and otherMap -> url. R5-only elements with no R4 home are dropped as the converter
  drops them: ConceptMap.property, additionalAttribute, element/target/unmapped.valueSet,
  target.property and unmapped.relationship.

Responses, R4 -> R5 (`to_r5`):
- the two expansion extensions become `property` again, and the filter-op extension `op`.
- An R4 answer that carries the R5 `property` elements directly is not valid R4 (the Java R4
  parser rejects it), so it is reported as a problem rather than silently accepted.

Left alone, as by the Java runner:
- Parameters are copied parameter by parameter: an R4 $translate answers `equivalence` where
  R5 answers `relationship`, and the templates mark each with `$optional$: "version:5"` /
  `"version:4"`; request parameter names (R5 $translate `sourceCode`, `targetSystem`…) are not
  renamed either.
- CodeSystem, OperationOutcome, CapabilityStatement and TerminologyCapabilities: nothing the
  suites use differs between R4 and R5.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator

EXT_FILTER_OP = (
    "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.compose.include.filter.op"
)
EXT_EXPANSION_PROPERTY = (
    "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.property"
)
EXT_CONTAINS_PROPERTY = (
    "http://hl7.org/fhir/5.0/StructureDefinition/extension-ValueSet.expansion.contains.property"
)
EXT_OLD_EQUIVALENCE = (
    "http://hl7.org/fhir/1.0/StructureDefinition/extension-ConceptMap.element.target.equivalence"
)

R5_ONLY_FILTER_OPS = frozenset({"child-of", "descendent-leaf"})
RELATIONSHIP_TO_EQUIVALENCE = {
    "equivalent": "equivalent",
    "related-to": "relatedto",
    "source-is-narrower-than-target": "wider",
    "source-is-broader-than-target": "narrower",
    "not-related-to": "disjoint",
}
UNMAPPED_MODE_TO_R4 = {"use-source-code": "provided"}


def is_r4(fhir_version: str) -> bool:
    return fhir_version.startswith("4.")


def to_r4(resource: dict) -> dict:
    """An R4 copy of an R5 resource (a request and everything in it)."""
    converted = copy.deepcopy(resource)
    for each in _resources(converted):
        converter = _TO_R4.get(each.get("resourceType", ""))
        if converter:
            converter(each)
    return converted


def to_r5(resource: dict) -> tuple[dict, list[str]]:
    """An R5 copy of an R4 answer, and what in it is not valid R4."""
    converted = copy.deepcopy(resource)
    problems: list[str] = []
    for each in _resources(converted):
        if each.get("resourceType") == "ValueSet":
            problems.extend(_value_set_to_r5(each))
    return converted, problems


def _resources(resource: dict) -> Iterator[dict]:
    """The resource, its contained resources and those in its parameters, depth first."""
    yield resource
    for contained in resource.get("contained", []):
        yield from _resources(contained)
    if resource.get("resourceType") == "Parameters":
        for parameter in _parameters(resource.get("parameter", [])):
            if isinstance(parameter.get("resource"), dict):
                yield from _resources(parameter["resource"])


def _parameters(parameters: list[dict]) -> Iterator[dict]:
    for parameter in parameters:
        yield parameter
        yield from _parameters(parameter.get("part", []))


# ValueSet


def _value_set_to_r4(value_set: dict) -> None:
    for concept_set in _concept_sets(value_set):
        for value_filter in concept_set.get("filter", []):
            if value_filter.get("op") in R5_ONLY_FILTER_OPS:
                op = value_filter.pop("op")
                element = value_filter.setdefault("_op", {})
                _add_extension(element, {"url": EXT_FILTER_OP, "valueCode": op})
    expansion = value_set.get("expansion")
    if not isinstance(expansion, dict):
        return
    for prop in expansion.pop("property", []):
        parts = _parts(prop, ("code", "code", "valueCode"), ("uri", "uri", "valueUri"))
        _add_extension(expansion, {"url": EXT_EXPANSION_PROPERTY, "extension": parts})
    for contains in _contains(expansion):
        for prop in contains.pop("property", []):
            value_key = _value_key(prop)
            parts = _parts(prop, ("code", "code", "valueCode"), ("value", value_key, value_key))
            _add_extension(contains, {"url": EXT_CONTAINS_PROPERTY, "extension": parts})


def _value_set_to_r5(value_set: dict) -> list[str]:
    problems = []
    for concept_set in _concept_sets(value_set):
        for value_filter in concept_set.get("filter", []):
            element = value_filter.get("_op", {})
            for extension in _take_extensions(element, EXT_FILTER_OP):
                value_filter["op"] = extension.get("valueCode")
            if "_op" in value_filter and not element:
                del value_filter["_op"]
    expansion = value_set.get("expansion")
    if not isinstance(expansion, dict):
        return problems
    if "property" in expansion:
        problems.append(_r5_element_problem("ValueSet.expansion.property", EXT_EXPANSION_PROPERTY))
    for extension in _take_extensions(expansion, EXT_EXPANSION_PROPERTY):
        parts = _sub_extensions(extension)
        prop = _from_parts(parts, ("code", "code"), ("uri", "uri"))
        expansion.setdefault("property", []).append(prop)
    for contains in _contains(expansion):
        if "property" in contains:
            problems.append(
                _r5_element_problem("ValueSet.expansion.contains.property", EXT_CONTAINS_PROPERTY)
            )
        for extension in _take_extensions(contains, EXT_CONTAINS_PROPERTY):
            parts = _sub_extensions(extension)
            # the converter reads the value from "value", or from "value[x]" as some servers name it
            value = parts.get("value") or parts.get("value[x]") or {}
            prop = _from_parts(parts, ("code", "code"))
            value_key = _value_key(value)
            if value_key:
                prop[value_key] = value[value_key]
            contains.setdefault("property", []).append(prop)
    return sorted(set(problems))


def _concept_sets(value_set: dict) -> Iterator[dict]:
    compose = value_set.get("compose")
    if isinstance(compose, dict):
        yield from compose.get("include", [])
        yield from compose.get("exclude", [])


def _contains(node: dict) -> Iterator[dict]:
    """Every expansion.contains entry, nested ones included."""
    for entry in node.get("contains", []):
        yield entry
        yield from _contains(entry)


def _r5_element_problem(element: str, extension: str) -> str:
    return f"{element} is R5 only: an R4 server returns it as the extension {extension}"


# ConceptMap


def _concept_map_to_r4(concept_map: dict) -> None:
    for scope in ("source", "target"):
        for kind in ("Uri", "Canonical"):
            if f"{scope}Scope{kind}" in concept_map:
                concept_map[f"{scope}{kind}"] = concept_map.pop(f"{scope}Scope{kind}")
    identifiers = concept_map.pop("identifier", [])
    if identifiers:
        concept_map["identifier"] = identifiers[0]
    attributes = {a.get("code"): a.get("uri") for a in concept_map.pop("additionalAttribute", [])}
    concept_map.pop("property", None)
    for group in concept_map.get("group", []):
        for side in ("source", "target"):
            if "|" in group.get(side, ""):
                group[side], group[f"{side}Version"] = group[side].split("|", 1)
        for element in group.get("element", []):
            _element_to_r4(element, attributes)
        if isinstance(group.get("unmapped"), dict):
            _unmapped_to_r4(group["unmapped"])


def _element_to_r4(element: dict, attributes: dict) -> None:
    element.pop("valueSet", None)
    if element.pop("noMap", False):
        element["target"] = [{"equivalence": "unmatched"}]
        return
    for target in element.get("target", []):
        old = _take_extensions(target, EXT_OLD_EQUIVALENCE)
        relationship = target.pop("relationship", None)
        if old:
            target["equivalence"] = old[0].get("valueCode")
        else:
            target["equivalence"] = RELATIONSHIP_TO_EQUIVALENCE.get(relationship, "relatedto")
        target.pop("valueSet", None)
        target.pop("property", None)
        for other in target.get("dependsOn", []) + target.get("product", []):
            _other_element_to_r4(other, attributes)


def _other_element_to_r4(other: dict, attributes: dict) -> None:
    """R5 attribute + value[x] -> R4 property (a URI) + system/value/display."""
    if "attribute" in other:
        other["property"] = attributes.get(other.pop("attribute"))
    value_key = _value_key(other)
    if value_key == "valueCoding":
        coding = other.pop(value_key)
        other.update({k: coding[k] for k in ("system", "display") if k in coding})
        other["value"] = coding.get("code")
    elif value_key:
        value = other.pop(value_key)  # R4 keeps the primitive's text: true, 12, code…
        other["value"] = value if isinstance(value, str) else json.dumps(value)


def _unmapped_to_r4(unmapped: dict) -> None:
    mode = unmapped.get("mode")
    unmapped["mode"] = UNMAPPED_MODE_TO_R4.get(mode, mode)
    if "otherMap" in unmapped:
        unmapped["url"] = unmapped.pop("otherMap")
    unmapped.pop("relationship", None)
    unmapped.pop("valueSet", None)


# shared


def _value_key(element: dict) -> str | None:
    """The value[x] key of an element (valueCode, valueString…), if any."""
    return next((k for k in element if _is_value_x(k)), None)


def _is_value_x(key: str) -> bool:
    # ConceptMap's valueSet is a canonical element, not a choice of value[x]
    return key.startswith("value") and key[5:6].isupper() and key != "valueSet"


def _parts(element: dict, *fields: tuple[str, str | None, str | None]) -> list[dict]:
    """Sub-extensions (url, element name, value key) for the fields present in an R5 element."""
    return [
        {"url": url, value_key: element[name]}
        for url, name, value_key in fields
        if name and value_key and name in element
    ]


def _from_parts(parts: dict[str, dict], *fields: tuple[str, str]) -> dict:
    """An R5 element from the sub-extensions (url -> element name) that are present."""
    element = {}
    for url, name in fields:
        value_key = _value_key(parts.get(url, {}))
        if value_key:
            element[name] = parts[url][value_key]
    return element


def _add_extension(element: dict, extension: dict) -> None:
    element.setdefault("extension", []).append(extension)


def _take_extensions(element: dict, url: str) -> list[dict]:
    """Remove and return the element's extensions with this URL."""
    extensions = element.get("extension", [])
    taken = [e for e in extensions if e.get("url") == url]
    if taken:
        kept = [e for e in extensions if e.get("url") != url]
        if kept:
            element["extension"] = kept
        else:
            del element["extension"]
    return taken


def _sub_extensions(extension: dict) -> dict[str, dict]:
    return {part.get("url"): part for part in extension.get("extension", [])}


_TO_R4: dict[str, Callable[[dict], None]] = {
    "ValueSet": _value_set_to_r4,
    "ConceptMap": _concept_map_to_r4,
}
