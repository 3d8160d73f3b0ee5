"""The flat NOS formats (SVS XML and .tabs) mapped to the normalised shape.

Both carry the same file header (OID, type TRE | JDV | ASS, file name, description, URL of the
NOS folder, dateValid, dateFin, dateMaj as YYYYMMDDhhmmss) and the same concept columns, so one
mapping serves both: a TRE is a CodeSystem, a JDV a ValueSet with one `compose.include` per
source code system (`urn:oid:…`, resolved to canonicals by the server at query time), an ASS a
ConceptMap. The canonical url is the NOS folder URL + "/FHIR/" + the id, as the FHIR exports
name it, and the version is dateMaj, as on the SMT.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from loaders.base import Rejected
from loaders.terminology_items import Head, Item, ResourceItem, head_of
from loaders.terminology_normalise import ResourceAssembler
from loaders.terminology_shape import (
    NOS_DATES,
    declaration,
    effective_period,
    fhir_datetime,
    oid_identifier,
    synonyms,
    system_uri,
)
from terminology import canonical

RESOURCE_TYPES = {"TRE": "CodeSystem", "JDV": "ValueSet", "ASS": "ConceptMap"}
_FAMILY = re.compile(r"^(TRE|JDV|ASS)[_-]", re.IGNORECASE)
_FILE_SUFFIX = re.compile(r"\.(tabs|xml)$", re.IGNORECASE)


@dataclass(frozen=True)
class NosHeader:
    """The file header of an SVS ValueSet element or of a .tabs file; blanks are None."""

    oid: str | None
    kind: str | None  # typeFichier
    file_name: str | None
    description: str | None
    url: str | None  # urlFichier, the NOS folder
    date_valid: str | None
    date_fin: str | None
    date_maj: str | None


@dataclass(frozen=True)
class Coded:
    """A code of an SVS or .tabs row: its code system (OID or URL), code and label."""

    system: str | None
    code: str | None
    display: str | None = None


def nos_resource(header: NosHeader) -> dict:
    """The resource a NOS file header describes, without content; ValueError if unusable."""
    folder = _folder(header)
    resource_type = _resource_type(header.kind, folder)
    fhir_id = folder.replace("_", "-")
    url = (
        f"{header.url.rstrip('/')}/FHIR/{fhir_id}" if header.url else canonical.legacy_url(fhir_id)
    )
    if not url:
        raise ValueError(f"no urlFichier, and {folder!r} is not a NOS name")
    start, end, updated = (
        fhir_datetime(value) if value else None
        for value in (header.date_valid, header.date_fin, header.date_maj)
    )
    identifier = oid_identifier(header.oid) if header.oid else None
    resource = {
        "resourceType": resource_type,
        "id": fhir_id,
        "extension": [effective_period(start, end)] if start or end else None,
        "url": url,
        # ConceptMap.identifier is a single Identifier in R4.
        "identifier": identifier
        if resource_type == "ConceptMap" or not identifier
        else [identifier],
        "version": header.date_maj,
        "name": folder,
        "title": header.description,
        "status": "active",
        "experimental": False,
        "date": updated,
        "description": header.description,
    }
    if resource_type == "CodeSystem":
        resource |= {
            "caseSensitive": False,
            "content": "complete",
            "property": [declaration(code, "valueDateTime") for code in NOS_DATES],
        }
    return {key: value for key, value in resource.items() if value is not None}


def _folder(header: NosHeader) -> str:
    """The NOS name, e.g. TRE_R38-SpecialiteOrdinale: the folder of urlFichier, else the file."""
    if header.url:
        return header.url.rstrip("/").rsplit("/", 1)[-1]
    if header.file_name:
        return _FILE_SUFFIX.sub("", header.file_name)
    raise ValueError("neither urlFichier nor a file name")


def _resource_type(kind: str | None, folder: str) -> str:
    family = (kind or "").upper()
    if family not in RESOURCE_TYPES and (match := _FAMILY.match(folder)):
        family = match[1].upper()
    if family not in RESOURCE_TYPES:
        raise ValueError(f"typeFichier {kind!r} is none of TRE, JDV, ASS")
    return RESOURCE_TYPES[family]


class NosAssembler:
    """One NOS resource of an SVS or .tabs file, fed row by row. TRE concepts are streamed;
    JDV and ASS rows (small) are gathered into their ValueSet or ConceptMap."""

    def __init__(self, header: NosHeader) -> None:
        self.resource = nos_resource(header)
        head = head_of(self.resource)
        assert isinstance(head, Head)  # nos_resource always gives a type and a url
        self.resource_type = head.resource_type
        self.concepts = ResourceAssembler(head)
        self.includes: dict[str, list[dict]] = {}
        self.groups: dict[tuple[str, str], dict[str, dict]] = {}

    def tre_concept(
        self,
        line: int,
        concept: Coded,
        short: str | None,
        long: str | None,
        definition: str | None,
        dates: tuple[str | None, str | None, str | None],  # dateValid, dateMaj, dateFin
    ) -> Iterator[Item]:
        element = {
            "code": concept.code,
            "display": concept.display,
            "definition": definition,
            "designation": synonyms(concept.display, (short, long)),
            # Stamps as found: the concept normalisation converts and checks them.
            "property": [
                {"code": code, "valueDateTime": value}
                for code, value in zip(NOS_DATES, dates, strict=True)
                if value
            ],
        }
        return self.concepts.concepts({k: v for k, v in element.items() if v}, line)

    def jdv_concept(self, line: int, concept: Coded) -> Rejected | None:
        if problem := _missing(concept):
            return Rejected(line, f"{self.concepts.name}: {problem}")
        self.includes.setdefault(system_uri(concept.system), []).append(_coding(concept))
        return None

    def ass_mapping(self, line: int, source: Coded, target: Coded) -> Rejected | None:
        if problem := _missing(source) or _missing(target):
            return Rejected(line, f"{self.concepts.name}: mapping with a {problem}")
        systems = (system_uri(source.system), system_uri(target.system))
        element = self.groups.setdefault(systems, {}).setdefault(
            source.code, {**_coding(source), "target": []}
        )
        element["target"].append({**_coding(target), "equivalence": "equivalent"})
        return None

    def finish(self, line: int) -> ResourceItem:
        header = dict(self.resource)
        if self.resource_type == "ValueSet":
            header["compose"] = {
                "include": [{"system": s, "concept": c} for s, c in self.includes.items()]
            }
        elif self.resource_type == "ConceptMap":
            header["group"] = [
                {"source": source, "target": target, "element": list(elements.values())}
                for (source, target), elements in self.groups.items()
            ]
        return self.concepts.finish(header, line)


def _missing(concept: Coded) -> str | None:
    if not concept.code:
        return "concept without code"
    if not concept.system:
        return f"concept {concept.code} without code system"
    return None


def _coding(concept: Coded) -> dict:
    return {"code": concept.code, **({"display": concept.display} if concept.display else {})}
