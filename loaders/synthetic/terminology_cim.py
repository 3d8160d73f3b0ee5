"""A large synthetic classification in the mould of CIM-10, as the SMT serves it (FHIR CodeSystem
of an external terminology), and an extensional ValueSet of some of its codes.

Chapters (I–XXII) ⊃ blocks (A00-A09) ⊃ categories (A00) ⊃ subcategories (A00.1, or A00.12 in a
category of more than ten): 3 or 4 levels. At scale 1, 40,000 concepts, the size of CIM-11 MMS
or TRE_R13-CommuneOM. The code system is written streaming, chapter by chapter.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import permutations
from typing import BinaryIO

import orjson

from loaders.synthetic.terminology_fhir import (
    JURISDICTION,
    PUBLISHER,
    ConceptStyle,
    concept_json,
    property_declarations,
)
from loaders.synthetic.terminology_model import Concept, Shape, walk
from loaders.synthetic.terminology_words import (
    CIM_CHAPTERS,
    CIM_PRECISIONS,
    CIM_SITE_GROUPS,
    CIM_SITES,
    designations,
)

CONCEPTS_AT_SCALE_1 = 40_000
VALUE_SET_AT_SCALE_1 = 2_000
MINIMUM = 20
ID = "terminologie-cim-synthetique"
URL = f"https://smt.esante.gouv.fr/{ID}"
VERSION = "2026-01-01"
OID = "1.2.250.1.213.9.1"
STYLE = ConceptStyle(Shape.SMT)
RELEASES = tuple(datetime(year, 1, 1) for year in range(2000, 2027))  # yearly ATIH updates
CATEGORY_SLOTS = 26 * 100  # A00–Z99
BLOCKS_PER_CHAPTER = 12
MAX_SUBCATEGORIES = 99
LEAF_CATEGORIES = 0.15  # categories without subcategories (3-level branches)
DEPRECATED = 0.02  # leaves deprecated in an earlier release
CAPACITY = len(CIM_CHAPTERS) * (1 + BLOCKS_PER_CHAPTER) + CATEGORY_SLOTS * (1 + MAX_SUBCATEGORIES)
ROMAN = (("X", 10), ("IX", 9), ("V", 5), ("IV", 4), ("I", 1))


@dataclass(frozen=True)
class Cim:
    chapters: tuple[Concept, ...]

    def codes(self) -> list[Concept]:
        """Categories and subcategories: the codes a record would carry."""
        return [concept for concept, level in walk(self.chapters) if level >= 3]


def concept_count(scale: float) -> int:
    return min(CAPACITY, max(MINIMUM, round(CONCEPTS_AT_SCALE_1 * scale)))


def _roman(number: int) -> str:
    digits = ""
    for letters, value in ROMAN:
        count, number = divmod(number, value)
        digits += letters * count
    return digits


def _spread(rng: random.Random, total: int, bins: int, high: int, empty: float = 0) -> list[int]:
    """`total` split unevenly into `bins` counts of at most `high`: at least one each, or,
    with `empty`, that share of the bins gets nothing but overflow."""
    weights = [rng.expovariate(1) for _ in range(bins)]
    for index in rng.sample(range(bins), int(bins * empty)):
        weights[index] = 0
    low = 0 if empty else 1
    counts = [low] * bins
    for index in rng.choices(range(bins), weights, k=total - low * bins):
        counts[index] += 1
    overflow = sum(max(0, count - high) for count in counts)
    counts = [min(count, high) for count in counts]
    for index in rng.sample(range(bins), bins):
        added = min(high - counts[index], overflow)
        counts[index] += added
        overflow -= added
    return counts


class _Drawer:
    """Concepts with dates: valid no earlier than their parent, some leaves deprecated."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def valid(self, parent_valid: datetime) -> datetime:
        later = [release for release in RELEASES if release >= parent_valid]
        return parent_valid if self.rng.random() < 0.8 else self.rng.choice(later)

    def concept(
        self, code: str, display: str, valid: datetime, children: tuple[Concept, ...] = ()
    ) -> Concept:
        rng = self.rng
        after = [release for release in RELEASES if release > valid]
        updated = rng.choice(after) if after and rng.random() < 0.3 else valid
        ended = None
        if not children and after and rng.random() < DEPRECATED:
            ended = updated = rng.choice(after)
        short, long = designations(display)
        return Concept(code, display, short, long, valid, updated, ended, children=children)

    def subcategories(
        self, code: str, label: str, count: int, parent_valid: datetime
    ) -> tuple[Concept, ...]:
        if count > 10:
            precisions = [f"{a}, {b}" for a, b in permutations(CIM_PRECISIONS, 2)]
            codes = [f"{code}.{i:02d}" for i in range(count)]
        else:
            precisions, codes = list(CIM_PRECISIONS), [f"{code}.{i}" for i in range(count)]
        chosen = self.rng.sample(precisions, count)
        return tuple(
            self.concept(sub, f"{label}, {precision}", self.valid(parent_valid))
            for sub, precision in zip(codes, chosen, strict=True)
        )


def draw_cim(rng: random.Random, scale: float) -> Cim:
    total = concept_count(scale)
    chapters = min(len(CIM_CHAPTERS), max(2, total // 1800))
    blocks = min(chapters * BLOCKS_PER_CHAPTER, max(chapters, total // 160))
    categories = min(CATEGORY_SLOTS, max(blocks, total // 15))
    subcategories = total - chapters - blocks - categories
    per_chapter = _spread(rng, blocks, chapters, BLOCKS_PER_CHAPTER)
    per_block = iter(_spread(rng, categories, blocks, CATEGORY_SLOTS))
    per_category = iter(
        _spread(rng, subcategories, categories, MAX_SUBCATEGORIES, empty=LEAF_CATEGORIES)
    )
    slots = iter(sorted(rng.sample(range(CATEGORY_SLOTS), categories)))
    drawer = _Drawer(rng)
    first = RELEASES[0]
    drawn = []
    for number, ((title, heads), block_count) in enumerate(
        zip(CIM_CHAPTERS[:chapters], per_chapter, strict=True), 1
    ):
        labels = _category_labels(rng, heads)
        chapter_blocks = []
        for _ in range(block_count):
            block_valid = drawer.valid(first)
            block_categories = []
            for _ in range(next(per_block)):
                slot = next(slots)
                code, label = f"{chr(65 + slot // 100)}{slot % 100:02d}", next(labels)
                valid = drawer.valid(block_valid)
                subs = drawer.subcategories(code, label, next(per_category), valid)
                block_categories.append(drawer.concept(code, label, valid, subs))
            span = f"{block_categories[0].code}-{block_categories[-1].code}"
            label = f"{rng.choice(heads)} {rng.choice(CIM_SITE_GROUPS)}"
            chapter_blocks.append(drawer.concept(span, label, block_valid, tuple(block_categories)))
        drawn.append(drawer.concept(_roman(number), title, first, tuple(chapter_blocks)))
    return Cim(tuple(drawn))


def _category_labels(rng: random.Random, heads: tuple[str, ...]) -> Iterator[str]:
    """Distinct "<head> <site>" labels; a chapter of more categories than pairs numbers
    the later rounds."""
    pairs = [f"{head} {site}" for head in heads for site in CIM_SITES]
    rng.shuffle(pairs)
    round_number = 1
    while True:
        for pair in pairs:
            yield pair if round_number == 1 else f"{pair} (forme {round_number})"
        round_number += 1


def _code_system_header(count: int) -> dict:
    return {
        "resourceType": "CodeSystem",
        "id": ID,
        "meta": {"profile": ["http://hl7.org/fhir/StructureDefinition/shareablecodesystem"]},
        "language": "fr-FR",
        "url": URL,
        "identifier": [
            {"use": "usual", "system": "urn:ietf:rfc:3986", "value": f"urn:oid:{OID}"},
            {"use": "secondary", "system": "https://smt.esante.gouv.fr/", "value": ID},
        ],
        "version": VERSION,
        "name": "CIM_SYNTHETIQUE",
        "title": "CIM synthétique (données de test)",
        "status": "active",
        "experimental": False,
        "date": VERSION,
        "publisher": PUBLISHER,
        "description": "Classification synthétique sur le modèle de la CIM-10 FR à usage PMSI : "
        "libellés générés, codes sans valeur médicale.",
        "jurisdiction": JURISDICTION,
        "caseSensitive": False,
        "hierarchyMeaning": "is-a",
        "content": "complete",
        "count": count,
        "property": property_declarations(STYLE),
    }


def write_code_system(stream: BinaryIO, cim: Cim) -> None:
    """The CodeSystem, the same bytes as one indented dump of it, one chapter at a time."""
    count = sum(1 for _ in walk(cim.chapters))
    head = orjson.dumps(_code_system_header(count), option=orjson.OPT_INDENT_2)
    stream.write(head.removesuffix(b"\n}") + b',\n  "concept": [')
    for index, chapter in enumerate(cim.chapters):
        body = orjson.dumps(concept_json(chapter, STYLE), option=orjson.OPT_INDENT_2)
        stream.write((b",\n    " if index else b"\n    ") + body.replace(b"\n", b"\n    "))
    stream.write(b"\n  ]\n}\n")


def value_set(cim: Cim, rng: random.Random, scale: float) -> dict:
    """An extensional ValueSet of codes drawn from the code system, in its order."""
    pool = cim.codes()
    size = min(len(pool), max(1, round(VALUE_SET_AT_SCALE_1 * scale)))
    members = [pool[i] for i in sorted(rng.sample(range(len(pool)), size))]
    return {
        "resourceType": "ValueSet",
        "id": f"cim-synthetique-{size}",
        "language": "fr-FR",
        "url": f"https://smt.esante.gouv.fr/fhir/ValueSet/cim-synthetique-{size}",
        "version": VERSION,
        "name": f"CimSynthetique{size}",
        "title": f"CIM synthétique : {size} codes",
        "status": "active",
        "experimental": False,
        "date": VERSION,
        "publisher": PUBLISHER,
        "description": f"{size} codes tirés de la CIM synthétique, pour les mesures de performance.",
        "compose": {
            "include": [
                {
                    "system": URL,
                    "concept": [{"code": c.code, "display": c.display} for c in members],
                }
            ]
        },
    }
