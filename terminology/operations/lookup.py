"""CodeSystem/$lookup and CodeSystem/$subsumes."""

from __future__ import annotations

from terminology.codesystem import CodeSystemIndex, Concept
from terminology.lifecycle import property_value
from terminology.outcomes import invalid, not_found
from terminology.parameters import OperationInput
from terminology.r5 import value_key

DEFAULT_PROPERTIES = {"parent", "child", "inactive"}


def _require(cs: CodeSystemIndex, code: str) -> Concept:
    concept, _ = cs.find(code)
    if concept is None:
        version = f" version '{cs.version}'" if cs.version else ""
        raise not_found(
            f"Unknown code '{code}' in the CodeSystem '{cs.url}'{version}",
            tx_type="invalid-code",
            message_id="Unknown_Code_in_Version",
        )
    return concept


def _property(
    code: str, value: object, description: str | None = None, value_type: str | None = None
) -> dict:
    parts = [
        {"name": "code", "valueCode": code},
        {"name": "value", value_type or value_key(value): value},
    ]
    if description:
        parts.insert(1, {"name": "description", "valueString": description})
    return {"name": "property", "part": parts}


def lookup(cs: CodeSystemIndex, code: str, inputs: OperationInput) -> dict:
    concept = _require(cs, code)
    wanted = {str(p.value) for p in inputs.all("property")}
    every = "*" in wanted

    def asked(name: str) -> bool:
        return every or name in wanted or (not wanted and name in DEFAULT_PROPERTIES)

    params: list[dict] = [
        {"name": "code", "valueCode": concept.code},
        {"name": "system", "valueUri": cs.url},
    ]
    if cs.resource.get("name"):
        params.append({"name": "name", "valueString": cs.resource["name"]})
    if cs.version:
        params.append({"name": "version", "valueString": cs.version})
    if concept.display:
        params.append({"name": "display", "valueString": concept.display})
    if concept.definition:
        params.append({"name": "definition", "valueString": concept.definition})
    params.append({"name": "abstract", "valueBoolean": concept.not_selectable})
    for designation in concept.designations:
        parts = []
        if designation.get("language"):
            parts.append({"name": "language", "valueCode": designation["language"]})
        if designation.get("use"):
            parts.append({"name": "use", "valueCoding": designation["use"]})
        parts.append({"name": "value", "valueString": designation.get("value", "")})
        params.append({"name": "designation", "part": parts})
    if asked("inactive"):
        params.append(_property("inactive", concept.inactive))
    for prop in concept.properties:
        name = prop.get("code", "")
        if name not in {"parent", "child"} and asked(name):
            value_type = next((k for k in prop if k.startswith("value")), None)
            params.append(_property(name, property_value(prop), value_type=value_type))
    for relation, codes in (("parent", concept.parents), ("child", concept.children)):
        if asked(relation):
            for related in codes:
                params.append(_property(relation, related, cs.concepts[related].display))
    return {"resourceType": "Parameters", "parameter": params}


def subsumes(cs: CodeSystemIndex, code_a: str, code_b: str) -> dict:
    a, b = _require(cs, code_a).code, _require(cs, code_b).code
    if a == b:
        outcome = "equivalent"
    elif cs.subsumes(a, b):
        outcome = "subsumes"
    elif cs.subsumes(b, a):
        outcome = "subsumed-by"
    else:
        outcome = "not-subsumed"
    return {"resourceType": "Parameters", "parameter": [{"name": "outcome", "valueCode": outcome}]}


def coded_pair(inputs: OperationInput) -> tuple[str | None, str, str]:
    """(system, codeA, codeB) from codeA/codeB + system or codingA/codingB."""
    coding_a, coding_b = inputs.get("codingA"), inputs.get("codingB")
    if isinstance(coding_a, dict) and isinstance(coding_b, dict):
        if coding_a.get("system") != coding_b.get("system"):
            raise invalid("codingA and codingB must be from the same code system")
        return coding_a.get("system"), coding_a.get("code", ""), coding_b.get("code", "")
    code_a, code_b = inputs.text("codeA"), inputs.text("codeB")
    if not code_a or not code_b:
        raise invalid("give codeA and codeB (with system), or codingA and codingB")
    return inputs.text("system"), code_a, code_b
