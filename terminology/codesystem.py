"""A code system in memory, indexed for the terminology operations.

Built once from a FHIR CodeSystem (stored or sent inline as `tx-resource`) and then shared by
every request: code lookup (case-insensitive when the system says so), the is-a hierarchy from
nesting and `parent`/`child` properties, and a word-prefix index over displays and designations
for `$expand?filter=`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
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
    parents: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)

    @property
    def inactive(self) -> bool:
        return self.state.inactive()

    @property
    def not_selectable(self) -> bool:
        return any(
            p.get("code") == "notSelectable" and property_value(p) in (True, "true")
            for p in self.properties
        )

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
        self.content = resource.get("content", "complete")
        self.supplements = resource.get("supplements")
        self.concepts: dict[str, Concept] = {}
        self.roots: list[str] = []
        self._flatten(resource.get("concept", []), None)
        self._link_properties()
        self.folded = (
            {code.lower(): code for code in self.concepts} if not self.case_sensitive else {}
        )

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
                )
                self.concepts[code] = concept
            if parent is None:
                self.roots.append(code)
            else:
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
        self.roots = [code for code in self.concepts if not self.concepts[code].parents]

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

    def descendants(self, code: str) -> list[str]:
        """Codes below `code`, depth first, each once."""
        seen: set[str] = set()
        ordered: list[str] = []
        stack = list(reversed(self.concepts[code].children))
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            ordered.append(current)
            stack.extend(reversed(self.concepts[current].children))
        return ordered

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
    def _word_index(self) -> tuple[list[str], list[list[int]], list[str]]:
        """Sorted distinct words of displays and designations, with the concepts using each."""
        postings: dict[str, set[int]] = {}
        codes = list(self.concepts)
        for number, code in enumerate(codes):
            concept = self.concepts[code]
            texts = [concept.display, *(d.get("value") for d in concept.designations)]
            for text in texts:
                for word in words(text):
                    postings.setdefault(word, set()).add(number)
        ordered = sorted(postings)
        return ordered, [sorted(postings[w]) for w in ordered], codes

    def matching(self, text: str) -> set[str] | None:
        """Codes whose display or a designation has a word starting with each word of `text`
        (accents and case ignored); None when `text` has no words (no filtering)."""
        terms = words(text)
        if not terms:
            return None
        vocabulary, postings, codes = self._word_index
        found: set[int] | None = None
        for term in sorted(terms, key=len, reverse=True):
            hits: set[int] = set()
            position = bisect.bisect_left(vocabulary, term)
            while position < len(vocabulary) and vocabulary[position].startswith(term):
                hits.update(postings[position])
                position += 1
            found = hits if found is None else found & hits
            if not found:
                return set()
        return {codes[number] for number in found or ()}
