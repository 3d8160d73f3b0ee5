"""ConceptMap/$translate, over R4 maps (`equivalence`) and R5 maps (`relationship`)."""

from __future__ import annotations

from terminology.outcomes import invalid
from terminology.parameters import OperationInput

# R5 relationship → R4 equivalence (the R4 answer this server gives).
R5_TO_R4 = {
    "related-to": "relatedto",
    "equivalent": "equivalent",
    "source-is-narrower-than-target": "wider",
    "source-is-broader-than-target": "narrower",
    "not-related-to": "disjoint",
}


def _equivalence(target: dict) -> str:
    if "equivalence" in target:
        return target["equivalence"]
    return R5_TO_R4.get(target.get("relationship", ""), "relatedto")


def _canonical(concept_map: dict) -> str:
    url, version = concept_map.get("url", ""), concept_map.get("version")
    return f"{url}|{version}" if version else url


def translate(inputs: OperationInput, maps: list[dict]) -> dict:
    coding = inputs.get("coding") or inputs.get("sourceCoding")
    source_system = inputs.text("sourceSystem") or inputs.text("system")
    source_code = inputs.text("sourceCode") or inputs.text("code")
    if isinstance(coding, dict):
        source_system, source_code = coding.get("system"), coding.get("code")
    target_system = inputs.text("targetSystem") or inputs.text("targetsystem")
    target_code = inputs.text("targetCode")
    reverse = target_code is not None or inputs.flag("reverse")
    if reverse and target_code is None:
        target_code, source_code = source_code, None
        target_system, source_system = source_system, target_system
    if not (source_code or target_code):
        raise invalid("give sourceCode (with sourceSystem), a coding, or targetCode")
    wanted_url = inputs.text("url")
    matches: list[dict] = []
    for concept_map in maps:
        if wanted_url and concept_map.get("url") != wanted_url:
            continue
        for group in concept_map.get("group", ()):
            source, target = group.get("source"), group.get("target")
            if source_system and source != source_system:
                continue
            if target_system and target != target_system:
                continue
            for element in group.get("element", ()):
                for mapped in element.get("target", ()):
                    if reverse and mapped.get("code") != target_code:
                        continue
                    if not reverse and element.get("code") != source_code:
                        continue
                    parts = [
                        {"name": "equivalence", "valueCode": _equivalence(mapped)},
                        {
                            "name": "concept",
                            "valueCoding": {"system": target, "code": mapped.get("code")},
                        },
                        {"name": "originMap", "valueCanonical": _canonical(concept_map)},
                    ]
                    if reverse:
                        parts.append(
                            {
                                "name": "source",
                                "valueCoding": {"system": source, "code": element.get("code")},
                            }
                        )
                    matches.append({"name": "match", "part": parts})
    parameters = [{"name": "result", "valueBoolean": bool(matches)}]
    if not matches:
        parameters.append({"name": "message", "valueString": "No mapping found"})
    return {"resourceType": "Parameters", "parameter": parameters + matches}
