"""FHIR R4 JSON of the synthetic NOS, in the shapes ANS has exported over the years.

- `Shape.SMT`, the SMT today (ig-terminlogie-de-sante FSH, 2026): meta.profile, language,
  identifier with its system, declared properties with uris, `status` on every concept and
  `deprecated` + `deprecationDate` + `dateFin` on closed ones, designations with language.
- `Shape.SMT_2024` (CodeSystem-TRE-R249-Sexe.json): only dateValid/dateMaj/dateFin declared,
  a closed code carries only `dateFin`.
- `Shape.LEGACY` (IG-NOS allNos2 exports): identifier without system, the misspelt
  `ressource-effectivePeriod`, `LibelleCourt`/`LibelleAdapte` designations, undeclared
  properties, JDV concepts carrying their TRE's OID as a pseudo-designation.
"""

from __future__ import annotations

from dataclasses import dataclass

from loaders.synthetic.terminology_model import (
    Ass,
    Concept,
    Entry,
    Jdv,
    Nos,
    Shape,
    Tre,
    fhir_datetime,
)

PUBLISHER = "Agence du Numérique en Santé (ANS) - 2-10 Rue d'Oradour-sur-Glane, 75015 Paris"
SYNONYM = {"system": "http://snomed.info/sct", "code": "900000000000013009"}
ANS_PROPERTIES = "https://smt.esante.gouv.fr/fhir/concept-properties#"
HL7_PROPERTIES = "http://hl7.org/fhir/concept-properties#"
EFFECTIVE_PERIOD = "http://hl7.org/fhir/StructureDefinition/resource-effectivePeriod"
LEGACY_EFFECTIVE_PERIOD = "http://hl7.org/fhir/StructureDefinition/ressource-effectivePeriod"
BIDIRECTIONAL = "http://hl7.org/fhir/StructureDefinition/concept-bidirectional"
JURISDICTION = [{"coding": [{"system": "urn:iso:std:iso:3166", "code": "FRA"}]}]
DATE_PROPERTIES = (
    ("dateValid", "date de validité d'un code concept"),
    ("dateMaj", "Date de mise à jour d'un code concept"),
    ("dateFin", "Date de fin d'exploitation d'un code concept"),
)
LIFECYCLE_PROPERTIES = (
    ("deprecationDate", "Date Concept was deprecated", "dateTime"),
    ("status", "A property that indicates the status of the concept.", "code"),
    ("retirementDate", "Date Concept was retired", "dateTime"),
)


@dataclass(frozen=True)
class ConceptStyle:
    """How the concepts of one code system are written."""

    shape: Shape
    levels: bool = False  # a `niveau` property (hierarchical TREs)
    flag: str | None = None  # a boolean property intensional JDVs filter on


def style_of(tre: Tre) -> ConceptStyle:
    return ConceptStyle(tre.nos.shape, levels=tre.hierarchical, flag=tre.flag)


def property_declarations(style: ConceptStyle) -> list[dict]:
    """CodeSystem.property; the legacy export declares none."""
    if style.shape is Shape.LEGACY:
        return []
    smt = style.shape is Shape.SMT
    declared = []
    if style.levels:
        declared.append(
            _declared("niveau", "Permet d'indiquer le niveau hiérarchique du code", "integer")
        )
    if style.flag:
        described = f"Permet de définir les codes concepts utilisés par {style.flag.upper()}"
        declared.append(_declared(style.flag, described, "boolean"))
    for code, description in DATE_PROPERTIES:
        declared.append(_declared(code, description, "dateTime", ANS_PROPERTIES if smt else None))
    if smt:
        declared += [_declared(c, d, t, HL7_PROPERTIES) for c, d, t in LIFECYCLE_PROPERTIES]
    return declared


def _declared(code: str, description: str, kind: str, base: str | None = ANS_PROPERTIES) -> dict:
    uri = {"uri": base + code} if base else {}
    return {"code": code, **uri, "description": description, "type": kind}


def _designations(concept: Concept, shape: Shape) -> list[dict]:
    if shape is Shape.LEGACY:
        return [
            {"use": {"code": "LibelleCourt"}, "value": concept.short_label},
            {"use": {"code": "LibelleAdapte"}, "value": concept.display},
        ]
    language = {"language": "fr-FR"} if shape is Shape.SMT else {}
    return [
        {**language, "use": SYNONYM, "value": label}
        for label in (concept.short, concept.long)
        if label
    ]


def _properties(concept: Concept, style: ConceptStyle, level: int) -> list[dict]:
    dates = [("dateValid", concept.valid), ("dateMaj", concept.updated)]
    if concept.ended:
        dates.append(("dateFin", concept.ended))
        if style.shape is Shape.SMT:
            dates.append(("deprecationDate", concept.ended))
    properties = [{"code": code, "valueDateTime": fhir_datetime(m)} for code, m in dates]
    if style.shape is Shape.SMT:
        status = "deprecated" if concept.ended else "active"
        properties.append({"code": "status", "valueCode": status})
    if style.levels:
        properties.append({"code": "niveau", "valueInteger": level})
    if style.flag:
        properties.append({"code": style.flag, "valueBoolean": concept.flagged})
    return properties


def concept_json(concept: Concept, style: ConceptStyle, level: int = 1) -> dict:
    """CodeSystem.concept, with its children nested."""
    written: dict = {"code": concept.code, "display": concept.display}
    if concept.definition:
        written["definition"] = concept.definition
    if designations := _designations(concept, style.shape):
        written["designation"] = designations
    written["property"] = _properties(concept, style, level)
    if concept.children:
        written["concept"] = [concept_json(c, style, level + 1) for c in concept.children]
    return written


def _header(nos: Nos) -> dict:
    """The elements every NOS resource starts with, in the order ANS writes them."""
    legacy = nos.shape is Shape.LEGACY
    identifier: dict = {"value": f"urn:oid:{nos.oid}"}
    if not legacy:
        identifier = {"system": "urn:ietf:rfc:3986", **identifier}
    header: dict = {"resourceType": nos.resource_type, "id": nos.fhir_id}
    if not legacy:
        profile = f"http://hl7.org/fhir/StructureDefinition/shareable{nos.resource_type.lower()}"
        header["meta"] = {"profile": [profile]}
    if nos.shape is Shape.SMT:
        header["language"] = "fr-FR"
    period = {"start": fhir_datetime(nos.created)}
    header["extension"] = [
        {"url": LEGACY_EFFECTIVE_PERIOD if legacy else EFFECTIVE_PERIOD, "valuePeriod": period}
    ]
    header["url"] = nos.url
    # R4 ConceptMap.identifier is a single Identifier; the legacy export wrote a list anyway.
    single = nos.resource_type == "ConceptMap" and not legacy
    header["identifier"] = identifier if single else [identifier]
    header["version"] = nos.version
    header["name"] = _name(nos)
    if nos.shape is Shape.SMT:
        header["title"] = f"{nos.family.title()} {nos.code} {nos.description}"
    header["status"] = "active"
    if not legacy:
        header["experimental"] = False
    header["date"] = fhir_datetime(nos.updated)
    if not legacy:
        header["publisher"] = PUBLISHER
    header["description"] = nos.description
    if not legacy:
        header["jurisdiction"] = JURISDICTION
    return header


def _name(nos: Nos) -> str:
    """TRE_R10-SexeAdministratif (legacy), TRE_R249_Sexe (SMT, mos canonical) or
    TreR401ActiviteSocialeRegulee (SMT canonical)."""
    if nos.shape is Shape.LEGACY:
        return nos.folder
    if nos.smt_url:
        return f"{nos.family.title()}{nos.code}{nos.name.replace('-', '')}"
    return nos.folder.replace("-", "_")


def code_system(tre: Tre) -> dict:
    style = style_of(tre)
    resource = _header(tre.nos)
    resource["caseSensitive"] = False
    if tre.hierarchical:
        resource["hierarchyMeaning"] = "is-a"
    resource["content"] = "complete"
    if tre.nos.shape is Shape.SMT:
        resource["count"] = len(tre.flat())
    if declarations := property_declarations(style):
        resource["property"] = declarations
    resource["concept"] = [concept_json(concept, style) for concept in tre.concepts]
    return resource


def value_set(jdv: Jdv) -> dict:
    resource = _header(jdv.nos)
    includes = []
    for include in jdv.includes:
        written: dict = {"system": include.tre.nos.url}
        if include.filter:
            rule = include.filter
            written["filter"] = [{"property": rule.property, "op": rule.op, "value": rule.value}]
        else:
            written["concept"] = [_member(c, include.tre, jdv.nos.shape) for c in include.concepts]
        includes.append(written)
    resource["compose"] = {"include": includes}
    return resource


def _member(concept: Concept, tre: Tre, shape: Shape) -> dict:
    member: dict = {"code": concept.code, "display": concept.display}
    if shape is Shape.LEGACY:
        oid = {"use": {"code": "OID"}, "value": f"urn:oid:{tre.nos.oid}"}
        member["designation"] = [oid]
    return member


def concept_map(ass: Ass) -> dict:
    resource = _header(ass.nos)
    resource["extension"].append({"url": BIDIRECTIONAL, "valueBoolean": ass.bidirectional})
    smt = ass.nos.shape is Shape.SMT
    if smt:
        resource["sourceUri"] = f"{ass.source.nos.url}?vs"
        resource["targetUri"] = f"{ass.target.nos.url}?vs"
    elements: dict[str, dict] = {}
    for mapping in ass.mappings:
        element = elements.get(mapping.source.code)
        if element is None:
            element = elements[mapping.source.code] = {**_coded(mapping.source, smt), "target": []}
        target = {**_coded(mapping.target, smt), "equivalence": mapping.equivalence}
        element["target"].append(target)
    group = {"source": ass.source.nos.url, "target": ass.target.nos.url}
    resource["group"] = [{**group, "element": list(elements.values())}]
    return resource


def _coded(concept: Concept, with_display: bool) -> dict:
    """A code of a ConceptMap element or target; the legacy export gives no display."""
    return (
        {"code": concept.code, "display": concept.display}
        if with_display
        else {"code": concept.code}
    )


def resource(entry: Entry) -> dict:
    if isinstance(entry, Tre):
        return code_system(entry)
    if isinstance(entry, Jdv):
        return value_set(entry)
    return concept_map(entry)
