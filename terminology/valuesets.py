"""ValueSet composition: which codes a value set holds, for $expand and $validate-code."""

from __future__ import annotations

from dataclasses import dataclass, field

from terminology.codesystem import CodeSystemIndex, Concept, standards_status
from terminology.context import Context
from terminology.filters import all_of, operator_of
from terminology.outcomes import Issue, TerminologyError, not_found

DEPRECATED_IN_VS = "http://hl7.org/fhir/StructureDefinition/valueset-deprecated"
HIERARCHICAL_OPS = {"is-a", "descendent-of"}


@dataclass
class Entry:
    system: str
    code: str
    display: str | None
    concept: Concept | None
    codesystem: CodeSystemIndex | None
    extensions: list[dict] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.system, self.code)

    @property
    def deprecated_in_value_set(self) -> bool:
        for extension in self.extensions:
            if extension.get("url") == DEPRECATED_IN_VS and extension.get("valueCode") in (
                "true",
                True,
            ):
                return True
            if extension.get("valueCode") == "deprecated":
                return True
        return False


@dataclass
class Composition:
    """The members of a value set in order, and what was used to compute them."""

    entries: dict[tuple[str, str], Entry]
    used_codesystems: list[CodeSystemIndex] = field(default_factory=list)
    used_valuesets: list[str] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (parameter, canonical)
    excluded_inactive: set[tuple[str, str]] = field(default_factory=set)
    hierarchical: bool = False

    def note_codesystem(self, cs: CodeSystemIndex) -> None:
        if all(used is not cs for used in self.used_codesystems):
            self.used_codesystems.append(cs)
            for flag, on in (
                ("warning-deprecated", cs.standards_status == "deprecated"),
                ("warning-withdrawn", cs.standards_status == "withdrawn"),
                ("warning-experimental", cs.experimental),
                ("warning-draft", cs.status == "draft"),
            ):
                if on:
                    self.warning(flag, cs.canonical)

    def warning(self, name: str, canonical: str) -> None:
        if (name, canonical) not in self.warnings:
            self.warnings.append((name, canonical))


def canonical_of(value_set: dict) -> str:
    url, version = value_set.get("url", ""), value_set.get("version")
    return f"{url}|{version}" if version else url


def status_issues(composition: Composition) -> list[Issue]:
    """Information issues naming draft, experimental, deprecated or withdrawn resources used."""
    kinds = {
        "warning-deprecated": ("deprecated", "MSG_DEPRECATED"),
        "warning-withdrawn": ("withdrawn", "MSG_WITHDRAWN"),
        "warning-experimental": ("experimental", "MSG_EXPERIMENTAL"),
        "warning-draft": ("draft", "MSG_DRAFT"),
    }
    codesystems = {cs.canonical for cs in composition.used_codesystems}
    issues = []
    for name, canonical in composition.warnings:
        word, message_id = kinds[name]
        kind = "CodeSystem" if canonical in codesystems else "ValueSet"
        issues.append(
            Issue(
                "information",
                "business-rule",
                "status-check",
                f"Reference to {word} {kind} {canonical}",
                message_id,
            )
        )
    return issues


# Enumerated includes indexed by code, so that validating one code against a 2,000-code list
# is a lookup. Keyed by the list's id, with the list kept to check it is the same object (the
# cached value sets live as long as the process's resource cache).
_LISTED: dict[int, tuple[list, dict[str, dict]]] = {}
MAX_LISTED = 1000


def _listed_by_code(listed: list[dict]) -> dict[str, dict]:
    known = _LISTED.get(id(listed))
    if known is not None and known[0] is listed:
        return known[1]
    index: dict[str, dict] = {}
    for item in listed:
        index.setdefault(item.get("code", ""), item)
    if len(_LISTED) >= MAX_LISTED:
        _LISTED.clear()
    _LISTED[id(listed)] = (listed, index)
    return index


class Composer:
    def __init__(self, context: Context, *, active_only: bool = False) -> None:
        self.context = context
        self.active_only = active_only
        self._stack: list[str] = []

    def code_system(self, system: str, version: str | None) -> CodeSystemIndex:
        cs = self.context.code_system(system, version)
        if cs is None:
            shown = f"{system}|{version}" if version else system
            raise not_found(
                f"A definition for CodeSystem '{shown}' could not be found, so the value set "
                "cannot be expanded",
                message_id="UNKNOWN_CODESYSTEM",
            )
        return cs

    def resolve_value_set(self, reference: str, container: dict | None) -> dict:
        if reference.startswith("#") and container is not None:
            for contained in container.get("contained", ()):
                if contained.get("id") == reference[1:]:
                    return contained
        found = self.context.value_set(reference)
        if found is None:
            raise not_found(
                f"A definition for the value set '{reference}' could not be found",
                message_id="Unable_to_resolve_value_Set_",
            )
        return found

    def compose(
        self,
        value_set: dict,
        *,
        exclude_nested: bool = True,
        only: str | None = None,
        only_system: str | None = None,
    ) -> Composition:
        """The value set's members; with `only` (a code of `only_system`), just whether that
        code is one: a validation must not enumerate a 40 k-code value set to check one code,
        nor fail because another of its code systems is not loaded."""
        canonical = canonical_of(value_set)
        if canonical in self._stack:
            raise TerminologyError(
                Issue("error", "processing", "vs-invalid", f"Cyclic reference to {canonical}")
            )
        self._stack.append(canonical)
        try:
            return self._compose(value_set, exclude_nested, only, only_system)
        finally:
            self._stack.pop()

    def start(self, value_set: dict) -> Composition:
        """An empty composition of `value_set`, with the warnings about the value set itself."""
        result = Composition(entries={})
        if standards_status(value_set) == "withdrawn":
            result.warning("warning-withdrawn", canonical_of(value_set))
        return result

    def _compose(
        self, value_set: dict, exclude_nested: bool, only: str | None, only_system: str | None
    ) -> Composition:
        compose = value_set.get("compose", {})
        result = self.start(value_set)
        include_inactive = compose.get("inactive", True) is not False and not self.active_only
        for include in compose.get("include", ()):
            for entry in self._evaluate(include, value_set, result, only, only_system):
                if entry.concept is not None and entry.concept.inactive and not include_inactive:
                    result.excluded_inactive.add(entry.key)
                    continue
                result.entries.setdefault(entry.key, entry)
        for exclude in compose.get("exclude", ()):
            for entry in self._evaluate(exclude, value_set, result, only, only_system):
                result.entries.pop(entry.key, None)
        includes = compose.get("include", ())
        result.hierarchical = (
            not exclude_nested
            and len(includes) == 1
            and not compose.get("exclude")
            and not includes[0].get("valueSet")
            and any(operator_of(f) in HIERARCHICAL_OPS for f in includes[0].get("filter", ()))
        )
        return result

    def _evaluate(
        self,
        rule: dict,
        owner: dict,
        result: Composition,
        only: str | None,
        only_system: str | None,
    ) -> list[Entry]:
        entries: list[Entry] | None = None
        system = rule.get("system")
        if system:
            found = self.context.code_system(system, rule.get("version"))
            if found is None and only is not None and system != only_system:
                return []  # the code validated is of another system, one that is known
            cs = found or self.code_system(system, rule.get("version"))  # raises: not found
            result.note_codesystem(cs)
            entries = list(self._from_system(cs, rule, only))
        for reference in rule.get("valueSet", ()):
            imported = self.resolve_value_set(reference, owner)
            if not reference.startswith("#"):
                name = canonical_of(imported)
                if name not in result.used_valuesets:
                    result.used_valuesets.append(name)
            inner = self.compose(imported, only=only, only_system=only_system)
            for cs in inner.used_codesystems:
                result.note_codesystem(cs)
            for name in inner.used_valuesets:
                if name not in result.used_valuesets:
                    result.used_valuesets.append(name)
            for warning in inner.warnings:
                result.warning(*warning)
            if entries is None:
                entries = list(inner.entries.values())
            else:
                entries = [e for e in entries if e.key in inner.entries]
        return entries or []

    def _from_system(self, cs: CodeSystemIndex, rule: dict, only: str | None):  # noqa: ANN202
        listed = rule.get("concept")
        if listed:
            if only is not None:
                item = _listed_by_code(listed).get(only)
                listed = [item] if item is not None else []
            for item in listed:
                concept, _ = cs.find(item.get("code", ""))
                if concept is None or concept.code != item.get("code"):
                    continue
                yield Entry(
                    cs.url,
                    concept.code,
                    item.get("display") or concept.display,
                    concept,
                    cs,
                    list(item.get("extension", ())),
                )
            return
        test = all_of(cs, rule.get("filter", []))
        candidates = cs.concepts.values()
        if only is not None:
            candidates = [cs.concepts[only]] if only in cs.concepts else []
        for concept in candidates:
            if test(concept):
                yield Entry(cs.url, concept.code, concept.display, concept, cs)
