"""The synthetic terminologies, independent of the formats they are written in.

A NOS is drawn once as a `Tre`, `Jdv` or `Ass`; its SVS XML, .tabs and FHIR JSON are three
renderings of that one object, so they describe the same codes, labels and dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from loaders.synthetic.terminology_words import kebab

MOS = "https://mos.esante.gouv.fr/NOS/"
SMT = "https://smt.esante.gouv.fr/fhir/"
IG_PAGES = "https://ansforge.github.io/IG-terminologie-de-sante/ig/main/"
LETTERS = {"TRE": "R", "JDV": "J", "ASS": "A"}
RESOURCE_TYPES = {"TRE": "CodeSystem", "JDV": "ValueSet", "ASS": "ConceptMap"}


class Shape(Enum):
    """The generation of ANS export a NOS's FHIR JSON is written like."""

    SMT = "smt"  # the SMT today: declared properties with uris, status/deprecationDate
    SMT_2024 = "smt-2024"  # dateValid/dateMaj/dateFin only: a closed code has just dateFin
    LEGACY = "legacy"  # IG-NOS export 2020–2023: no identifier system, LibelleCourt uses


def stamp(moment: datetime | None) -> str:
    """The NOS 14-digit local time; "" when there is none, as in the SVS and .tabs."""
    return f"{moment:%Y%m%d%H%M%S}" if moment else ""


def fhir_datetime(moment: datetime) -> str:
    # ANS writes every NOS timestamp with +01:00, summer or winter.
    return f"{moment:%Y-%m-%dT%H:%M:%S}+01:00"


@dataclass(frozen=True)
class Concept:
    code: str
    display: str  # libellé adapté, at most 150 characters
    short: str | None  # libellé court (≤ 30) when it differs from display
    long: str | None  # libellé long (31–80) when it differs from display
    valid: datetime
    updated: datetime
    ended: datetime | None = None  # closed (dateFin); deprecated in the SMT shape
    definition: str | None = None
    flagged: bool = False  # value of the code system's boolean property, when it has one
    children: tuple[Concept, ...] = ()

    @property
    def short_label(self) -> str:
        """The SVS shortDesignation and .tabs "Libellé court": the display when none."""
        return self.short or self.display

    @property
    def long_label(self) -> str:
        return self.long or self.display


def walk(concepts: Iterable[Concept], level: int = 1) -> Iterator[tuple[Concept, int]]:
    """Concepts and their level (1 = top), parents before children: the SVS order."""
    for concept in concepts:
        yield concept, level
        yield from walk(concept.children, level + 1)


@dataclass(frozen=True)
class Nos:
    """What every NOS has, whatever its family: identity, dates and export shape."""

    family: str  # TRE | JDV | ASS
    number: int
    name: str  # UpperCamel, JDVs with a context suffix: ClasseAge-ROR
    description: str
    oid: str
    created: datetime  # effectivePeriod.start, SVS dateValid
    updated: datetime  # date and version, SVS dateMaj
    shape: Shape
    smt_url: bool  # canonical on smt.esante.gouv.fr/fhir rather than mos.esante.gouv.fr/NOS

    @property
    def code(self) -> str:
        return f"{LETTERS[self.family]}{self.number}"

    @property
    def folder(self) -> str:
        """TRE_R38-SpecialiteOrdinale: the ZIP folder and the base of the file names."""
        return f"{self.family}_{self.code}-{self.name}"

    @property
    def fhir_folder(self) -> str:
        return f"{self.family}-{self.code}-{self.name}"

    @property
    def resource_type(self) -> str:
        return RESOURCE_TYPES[self.family]

    @property
    def fhir_id(self) -> str:
        if self.smt_url:
            return f"{self.family.lower()}-{self.code.lower()}-{kebab(self.name)}"
        return self.fhir_folder

    @property
    def url(self) -> str:
        if self.smt_url:
            return f"{SMT}{self.resource_type}/{self.fhir_id}"
        return f"{MOS}{self.folder}/FHIR/{self.fhir_id}"

    @property
    def file_url(self) -> str:
        """The SVS urlFichier, where the NOS's files are published."""
        return f"{MOS}{self.folder}"

    @property
    def page_url(self) -> str:
        """The IG page the ZIP's .url shortcut opens."""
        return f"{IG_PAGES}{self.resource_type}-{self.fhir_id}.html"

    @property
    def version(self) -> str:
        return stamp(self.updated)

    def file_header(self) -> dict[str, str]:
        """The SVS ValueSet attributes, in the order of the first .tabs line."""
        return {
            "id": self.oid,
            "typeFichier": self.family,
            "displayName": f"{self.folder}.tabs",
            "description": self.description,
            "urlFichier": self.file_url,
            "dateValid": stamp(self.created),
            "dateFin": "",
            "dateMaj": stamp(self.updated),
        }


@dataclass(frozen=True)
class Tre:
    """A terminologie de référence: a FHIR CodeSystem."""

    nos: Nos
    concepts: tuple[Concept, ...]  # nested when hierarchical
    hierarchical: bool
    flag: str | None  # name of the boolean property intensional JDVs filter on

    def flat(self) -> list[Concept]:
        return [concept for concept, _ in walk(self.concepts)]


@dataclass(frozen=True)
class Filter:
    property: str
    op: str  # "=" | "is-a"
    value: str


@dataclass(frozen=True)
class Include:
    """The codes a JDV takes from one TRE; `filter` is the rule they are the expansion of."""

    tre: Tre
    concepts: tuple[Concept, ...]
    filter: Filter | None = None


@dataclass(frozen=True)
class Jdv:
    """A jeu de valeurs: a FHIR ValueSet over one or several TREs."""

    nos: Nos
    includes: tuple[Include, ...]


@dataclass(frozen=True)
class Mapping:
    source: Concept
    target: Concept
    equivalence: str  # FHIR R4 ConceptMap equivalence


@dataclass(frozen=True)
class Ass:
    """A table d'association: a FHIR ConceptMap from one TRE to another."""

    nos: Nos
    source: Tre
    target: Tre
    mappings: tuple[Mapping, ...]  # by source code order; a source code may map twice

    @property
    def bidirectional(self) -> bool:
        return all(mapping.equivalence == "equivalent" for mapping in self.mappings)


Entry = Tre | Jdv | Ass
