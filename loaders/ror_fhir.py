"""Reading ROR resources: codes and their token forms, identifiers, the region tag, and the
repair of code systems written the wrong way (a value set URL, a trailing '/'), counted in the
run's notes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from directory.offers.systems import (
    ACTIVITY_FIELD,
    CARE_MODE,
    DIMENSIONS,
    LOCATION_FUNCTION,
    OFFER_TYPE,
    OPERATIONAL_ACTIVITY,
    PUBLIC,
    REGION,
    SOURCE_TYPE,
)
from directory.organizations.rows import token_forms
from directory.practitioners.systems import nos
from loaders.base import Rejected

SAMPLES_PER_KIND = 100  # lines recorded for each kind of repair; the message counts them all


def _value_set(number: int, name: str) -> str:
    return nos(f"JDV_J{number}", f"{name}-ROR")


# The code system behind each value set instance data sometimes name instead (domain notes
# §1.3: "Store and index the TRE system").
TRE_OF_VALUE_SET = {
    _value_set(17, "ActiviteOperationnelle"): OPERATIONAL_ACTIVITY,
    _value_set(19, "ModePriseEnCharge"): CARE_MODE,
    _value_set(20, "ChampActivite"): ACTIVITY_FIELD,
    _value_set(238, "TypeOffre"): OFFER_TYPE,
    _value_set(29, "PublicPrisEnCharge"): PUBLIC,
    _value_set(198, "FonctionLieu"): LOCATION_FUNCTION,
    _value_set(237, "RegionOM"): REGION,
    **{d.value_set: d.system for d in (*DIMENSIONS, SOURCE_TYPE)},
}


class Notes:
    """What a load mended (`repaired`) or could not link (`noted`): counted by kind, the first
    lines of each kind kept as `repaired: …` / `noted: …` entries of the run's rejection list
    (they are not counted as rejected: the resource was loaded)."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()
        self.samples: list[Rejected] = []

    def add(self, part: str, line: int, what: str, label: str = "repaired") -> None:
        self.counts[label, what] += 1
        if self.counts[label, what] <= SAMPLES_PER_KIND:
            self.samples.append(Rejected(line, f"{label}: {part}: {what}"))

    def summary(self) -> str:
        """One line for the run's message: "repaired: 3 × …, 1 × …; noted: 2 × …"."""
        labels = sorted({label for label, _ in self.counts})
        return "; ".join(
            f"{label}: "
            + ", ".join(
                f"{n:,} × {what}" for (lab, what), n in sorted(self.counts.items()) if lab == label
            )
            for label in labels
        )


def repair_systems(node: object, found: list[str]) -> None:
    """Mend in place every `system` of `node` that names a value set or ends with '/',
    appending what was done to `found`."""
    if isinstance(node, dict):
        system = node.get("system")
        if isinstance(system, str):
            if system.endswith("/"):
                system = system.rstrip("/")
                found.append("a system ending with '/'")
            if system in TRE_OF_VALUE_SET:
                system = TRE_OF_VALUE_SET[system]
                found.append("a value set (JDV) URL as system, replaced by its code system")
            node["system"] = system
        for value in node.values():
            if isinstance(value, dict | list):
                repair_systems(value, found)
    elif isinstance(node, list):
        for value in node:
            if isinstance(value, dict | list):
                repair_systems(value, found)


def needs_repair(data: bytes) -> bool:
    """Whether a serialised resource may hold a system to mend (cheap test on its bytes)."""
    return b"/JDV" in data or b'/"' in data


def codings(concepts: object) -> Iterable[dict]:
    """The codings of a CodeableConcept or a list of them."""
    for concept in concepts if isinstance(concepts, list) else (concepts,):
        if isinstance(concept, dict):
            for coding in concept.get("coding") or ():
                if isinstance(coding, dict) and isinstance(coding.get("code"), str):
                    yield coding


def first_code(concepts: object) -> str | None:
    return next((c["code"] for c in codings(concepts)), None)


def concept_tokens(*concepts: object) -> list[str]:
    """Token forms (`code`, `system|code`, `system|`) of every coding, without repeats."""
    tokens: dict[str, None] = {}
    for concept in concepts:
        for coding in codings(concept):
            system = coding.get("system")
            forms = token_forms(system, coding["code"]) if system else [coding["code"]]
            tokens.update(dict.fromkeys(forms))
    return list(tokens)


def identifier_tokens(identifiers: object) -> list[str]:
    """Token forms of identifiers; one without a system (ROR functional ids) by value alone."""
    tokens: dict[str, None] = {}
    for identifier in identifiers if isinstance(identifiers, list) else ():
        if not isinstance(identifier, dict) or not isinstance(identifier.get("value"), str):
            continue
        system = identifier.get("system")
        value = identifier["value"]
        tokens.update(dict.fromkeys(token_forms(system, value) if system else [value]))
    return list(tokens)


def tags(resource: dict) -> list[dict]:
    meta = resource.get("meta")
    return (
        [t for t in (meta.get("tag") or ()) if isinstance(t, dict)]
        if isinstance(meta, dict)
        else []
    )


def tag_tokens(resource: dict) -> list[str]:
    return concept_tokens({"coding": tags(resource)})


def region(resource: dict) -> str | None:
    """The source regional ROR (meta.tag of the RegionOM system)."""
    return next(
        (
            t["code"]
            for t in tags(resource)
            if t.get("system") == REGION and isinstance(t.get("code"), str)
        ),
        None,
    )


def extensions(resource: dict, url: str) -> list[dict]:
    return [
        e for e in resource.get("extension") or () if isinstance(e, dict) and e.get("url") == url
    ]


def point_to(resource: dict, element: str, resource_type: str, our_id: str | None) -> None:
    """Rewrite the reference in `element` to our id of what it points at, when known."""
    reference = resource.get(element)
    if our_id is not None and isinstance(reference, dict):
        resource[element] = {**reference, "reference": f"{resource_type}/{our_id}"}
