"""A code system in memory, indexed for the terminology operations.

Built once from a FHIR CodeSystem (stored or sent inline as `tx-resource`) and then shared by
every request: code lookup (case-insensitive when the system says so), the is-a hierarchy from
nesting and `parent`/`child` properties, and a word-prefix index over displays and designations
for `$expand?filter=`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from directory.search.text import words
from terminology.lifecycle import ConceptState, concept_state, property_value

STANDARDS_STATUS = "http://hl7.org/fhir/StructureDefinition/structuredefinition-standards-status"


@dataclass
class Concept:
    code: str
    display: str | None
    definition: str | None
    designations: list[dict]
    properties: list[dict]
    state: ConceptState
    position: int
    extensions: list[dict] = field(default_factory=list)
    not_selectable: bool = False  # abstract: shown in hierarchies, not for use
    parents: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)

    @property
    def inactive(self) -> bool:
        return self.state.inactive()

    @property
    def status_code(self) -> str | None:
        """The status reported for an inactive concept: its own, else `inactive`."""
        if self.state.status:
            return self.state.status
        return "inactive" if self.inactive else None

    def property_values(self, code: str) -> list[object]:
        return [property_value(p) for p in self.properties if p.get("code") == code]


def standards_status(resource: dict) -> str | None:
    for extension in resource.get("extension", ()):
        if extension.get("url") == STANDARDS_STATUS:
            return extension.get("valueCode")
    return None


class CodeSystemIndex:
    def __init__(self, resource: dict) -> None:
        self.resource = {k: v for k, v in resource.items() if k != "concept"}
        self.url: str = resource.get("url", "")
        self.version: str | None = resource.get("version")
        self.case_sensitive = resource.get("caseSensitive", True) is not False
        self.concepts: dict[str, Concept] = {}
        self._flatten(resource.get("concept", []), None)
        self._link_properties()
        self.folded = (
            {code.lower(): code for code in self.concepts} if not self.case_sensitive else {}
        )
        self._active: Matches | None = None
        self._active_day: date | None = None

    @property
    def canonical(self) -> str:
        return f"{self.url}|{self.version}" if self.version else self.url

    @property
    def status(self) -> str | None:
        return self.resource.get("status")

    @property
    def experimental(self) -> bool:
        return self.resource.get("experimental") is True

    @property
    def standards_status(self) -> str | None:
        return standards_status(self.resource)

    def property_uri(self, code: str) -> str | None:
        for prop in self.resource.get("property", ()):
            if prop.get("code") == code:
                return prop.get("uri")
        return None

    def _flatten(self, elements: list[dict], parent: str | None) -> None:
        for element in elements:
            code = element.get("code")
            if not code:
                continue
            concept = self.concepts.get(code)
            if concept is None:
                concept = Concept(
                    code=code,
                    display=element.get("display"),
                    definition=element.get("definition"),
                    designations=list(element.get("designation", ())),
                    properties=list(element.get("property", ())),
                    state=concept_state(element),
                    position=len(self.concepts),
                    extensions=list(element.get("extension", ())),
                    not_selectable=any(
                        p.get("code") == "notSelectable" and property_value(p) in (True, "true")
                        for p in element.get("property", ())
                    ),
                )
                self.concepts[code] = concept
            if parent is not None:
                self._link(parent, code)
            self._flatten(element.get("concept", []), code)

    def _link(self, parent: str, child: str) -> None:
        if parent == child:
            return
        if child not in self.concepts[parent].children:
            self.concepts[parent].children.append(child)
        if parent not in self.concepts[child].parents:
            self.concepts[child].parents.append(parent)

    def _link_properties(self) -> None:
        """`parent` and `child` properties describe the same hierarchy as nesting."""
        for concept in list(self.concepts.values()):
            for parent in concept.property_values("parent"):
                if isinstance(parent, str) and parent in self.concepts:
                    self._link(parent, concept.code)
            for child in concept.property_values("child"):
                if isinstance(child, str) and child in self.concepts:
                    self._link(concept.code, child)

    # Concepts are numbered by position (file order); the bulk paths of $expand work on these
    # numbers and turn only the page they return into codes.

    @cached_property
    def codes(self) -> list[str]:
        return list(self.concepts)

    def label_order(self, number: int) -> tuple[int, int]:
        """The order of filtered expansions: shortest display first, then file order."""
        return (len(self.concepts[self.codes[number]].display or ""), number)

    @cached_property
    def by_label_length(self) -> list[int]:
        return sorted(range(len(self.codes)), key=self.label_order)

    def active_numbers(self) -> Matches:
        """Concepts active today; recomputed once a day, as `dateFin` dates pass."""
        today = date.today()
        if self._active_day != today:
            self._active = self._word_index.of(
                [n for n, code in enumerate(self.codes) if not self.concepts[code].inactive]
            )
            self._active_day = today
        return self._active

    def find(self, code: str) -> tuple[Concept | None, bool]:
        """The concept for `code`, and whether it only matched by ignoring case."""
        concept = self.concepts.get(code)
        if concept is not None:
            return concept, False
        if not self.case_sensitive:
            exact = self.folded.get(code.lower())
            if exact is not None:
                return self.concepts[exact], True
        return None, False

    def subsumes(self, ancestor: str, code: str) -> bool:
        return ancestor == code or ancestor in self.ancestors(code)

    def ancestors(self, code: str) -> set[str]:
        found: set[str] = set()
        stack = list(self.concepts[code].parents)
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(self.concepts[current].parents)
        return found

    @cached_property
    def _word_index(self) -> WordIndex:
        return WordIndex(
            [
                [concept.display, *(d.get("value") for d in concept.designations)]
                for concept in self.concepts.values()
            ]
        )

    def matching(self, text: str) -> Matches | None:
        """Concepts (by number) whose display or a designation has a word starting with each
        word of `text`, accents and case ignored; None when `text` has no words."""
        return self._word_index.matching(text)


class Matches:
    """A set of item numbers held as a bitmap (a Python int): unions and intersections of
    thousands of items are single C operations, and the count is a popcount."""

    def __init__(self, mask: int) -> None:
        self.mask = mask
        self._bytes: bytes | None = None

    def __len__(self) -> int:
        return self.mask.bit_count()

    def __contains__(self, number: int) -> bool:
        if self._bytes is None:
            self._bytes = self.mask.to_bytes((self.mask.bit_length() + 7) // 8 or 1, "little")
        byte = number >> 3
        return byte < len(self._bytes) and bool(self._bytes[byte] >> (number & 7) & 1)

    def numbers(self) -> list[int]:
        """The item numbers, ascending."""
        digits = bin(self.mask)[:1:-1]  # bit i is character i
        return [m.start() for m in _ONE.finditer(digits)]


_ONE = re.compile("1")


def _bitmap(numbers: list[int], size: int) -> int:
    raw = bytearray((size + 7) // 8)
    for number in numbers:
        raw[number >> 3] |= 1 << (number & 7)
    return int.from_bytes(raw, "little")


class WordIndex:
    """Word-prefix search over the labels of numbered items.

    The sorted vocabulary answers a prefix with one bisection; each word holds the bitmap of
    the items using it, so a prefix is the OR of its words' bitmaps and a query the AND of its
    prefixes, whatever their size (a 3-letter prefix can match half of a terminology).
    """

    def __init__(self, labels: list[list[str | None]]) -> None:
        postings: dict[str, list[int]] = {}
        for number, texts in enumerate(labels):
            for word in {word for text in texts for word in words(text)}:
                postings.setdefault(word, []).append(number)
        self.size = len(labels)
        self.vocabulary = sorted(postings)
        self.bitmaps = [_bitmap(postings[word], self.size) for word in self.vocabulary]

    def everything(self) -> Matches:
        return Matches((1 << self.size) - 1)

    def of(self, numbers: list[int]) -> Matches:
        return Matches(_bitmap(numbers, self.size))

    def matching(self, text: str) -> Matches | None:
        terms = set(words(text))
        if not terms:
            return None
        found = -1  # all bits set
        for term in terms:
            start = bisect.bisect_left(self.vocabulary, term)
            end = bisect.bisect_left(self.vocabulary, term + "\uffff", start)
            union = 0
            for position in range(start, end):
                union |= self.bitmaps[position]
            found &= union
            if not found:
                break
        return Matches(found)
