"""ValueSet/$expand."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import islice

from terminology import r5
from terminology.codesystem import Concept, Matches
from terminology.context import Context
from terminology.displays import display_for, language_matches
from terminology.lifecycle import property_value
from terminology.outcomes import invalid
from terminology.parameters import OperationInput
from terminology.valuesets import Composer, Composition, Entry

# Request parameters repeated in `expansion.parameter`, as the specification asks.
ECHOED = (
    "activeOnly",
    "check-system-version",
    "count",
    "displayLanguage",
    "excludeNested",
    "filter",
    "force-system-version",
    "includeDefinition",
    "includeDesignations",
    "offset",
    "property",
    "system-version",
)
# What of the value set an expansion repeats: its identity and metadata, not its definition.
HEADER = (
    "resourceType", "id", "language", "url", "identifier", "version", "name", "title", "status",
    "experimental", "date", "publisher",
)  # fmt: skip
STATUS_URI = "http://hl7.org/fhir/concept-properties#status"
MAX_EXPANSION = 10_000
FEW_MATCHES = 2_000  # below, sorting the matches beats scanning the pre-sorted terminology  # without `count`, larger expansions are refused as too costly


def expand(value_set: dict, inputs: OperationInput, context: Context, language: str | None) -> dict:
    composer = Composer(context, active_only=inputs.flag("activeOnly"))
    offset = inputs.integer("offset") or 0
    count = inputs.integer("count")
    paged = count is not None or offset > 0
    selected = _whole_system(value_set, composer, inputs.text("filter"), offset, count)
    if selected is None:
        composition = composer.compose(value_set, exclude_nested=inputs.flag("excludeNested"))
        entries = _filtered(composition, inputs.text("filter"))
        total = len(entries)
        _check_size(total, count)
        window = entries[offset : offset + count if count is not None else None]
    else:
        composition, total, window = selected
    builder = _ContainsBuilder(inputs, language or inputs.text("displayLanguage"))
    if composition.hierarchical and not paged:
        contains = builder.nested(window)
    else:
        contains = [builder.element(entry) for entry in window]
    expansion: dict = {
        "identifier": f"urn:uuid:{uuid.uuid4()}",
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "total": total,
        "offset": offset,
        "parameter": _parameters(inputs, composition),
    }
    declared = builder.declared()
    if declared:
        expansion["extension"] = declared
    if contains:
        expansion["contains"] = contains
    header = {k: v for k, v in value_set.items() if k in HEADER}
    header.setdefault("status", "active")
    return {**header, "expansion": expansion}


def _check_size(total: int, count: int | None) -> None:
    if count is None and total > MAX_EXPANSION:
        raise invalid(
            f"the expansion has {total:,} codes; ask for pages with count and offset "
            f"(at most {MAX_EXPANSION:,} codes without count)",
            message_id="VALUESET_TOO_COSTLY",
        )


def _whole_system(
    value_set: dict, composer: Composer, text: str | None, offset: int, count: int | None
) -> tuple[Composition, int, list[Entry]] | None:
    """A value set of all the codes of one system (the SMT's `<url>?vs`, most pick-lists over
    a terminology), expanded without visiting every concept: the filter's matches come from
    the word index, and the page is read off the concepts pre-sorted by label length, so a
    filtered expansion over 40,000 concepts costs about its page. None for other value sets."""
    compose = value_set.get("compose", {})
    includes = compose.get("include", ())
    if len(includes) != 1 or compose.get("exclude") or set(includes[0]) - {"system", "version"}:
        return None
    cs = composer.code_system(includes[0].get("system", ""), includes[0].get("version"))
    composition = composer.start(value_set)
    composition.note_codesystem(cs)
    members = cs.matching(text) if text else None
    if compose.get("inactive") is False or composer.active_only:
        active = cs.active_numbers()
        members = active if members is None else Matches(members.mask & active.mask)
    total = len(cs.codes) if members is None else len(members)
    _check_size(total, count)
    # Either sort the matches, or walk the pre-sorted concepts until the page is full:
    # whichever visits fewer items (the walk's length grows as the matches get sparser).
    wanted = offset + count if count is not None else total
    walk = wanted * len(cs.codes) / max(total, 1)
    if members is not None and walk > 3 * total:
        order: Iterable[int] = sorted(members.numbers(), key=cs.label_order)
        members = None  # the order holds exactly the members
    else:
        order = cs.by_label_length if text else range(len(cs.codes))
    selected = (n for n in order if members is None or n in members)
    stop = offset + count if count is not None else None
    window = [cs.concepts[cs.codes[n]] for n in islice(selected, offset, stop)]
    entries = [Entry(cs.url, c.code, c.display, c, cs) for c in window]
    return composition, total, entries


def _filtered(composition: Composition, text: str | None) -> list[Entry]:
    entries = list(composition.entries.values())
    if not text:
        return entries
    matching_by_system: dict[int, Matches | None] = {}  # per code system: matching concepts
    kept = []
    for entry in entries:
        cs = entry.codesystem
        if cs is None or entry.concept is None:
            continue
        if id(cs) not in matching_by_system:
            matching_by_system[id(cs)] = cs.matching(text)
        matching = matching_by_system[id(cs)]
        if matching is None or entry.concept.position in matching:
            kept.append(entry)
    # Shortest labels first, as users of type-ahead expect (Snowstorm does the same).
    kept.sort(key=lambda e: e.codesystem.label_order(e.concept.position))
    return kept


def _parameters(inputs: OperationInput, composition: Composition) -> list[dict]:
    echoed = [p.element for p in inputs.items if p.name in ECHOED]
    used = [
        {"name": "used-codesystem", "valueUri": cs.canonical} for cs in composition.used_codesystems
    ]
    used += [{"name": "used-valueset", "valueUri": vs} for vs in composition.used_valuesets]
    warnings = [{"name": name, "valueUri": canonical} for name, canonical in composition.warnings]
    return echoed + used + warnings


class _ContainsBuilder:
    def __init__(self, inputs: OperationInput, language: str | None) -> None:
        self.language = language
        self.designations = inputs.flag("includeDesignations")
        self.definitions = inputs.flag("includeDefinition")
        self.properties = [str(p.value) for p in inputs.all("property")]
        self.used_properties: dict[str, str | None] = {}

    def element(self, entry: Entry) -> dict:
        concept = entry.concept
        item: dict = {}
        if entry.extensions:
            item["extension"] = list(entry.extensions)
        item["system"] = entry.system
        if concept is not None and concept.not_selectable:
            item["abstract"] = True
        if concept is not None and concept.inactive:
            item["inactive"] = True
        item["code"] = entry.code
        display = entry.display
        if concept is not None and entry.codesystem is not None:
            language = entry.codesystem.resource.get("language")
            display = display_for(concept, self.language, entry.display, language)
        if display:
            item["display"] = display
        if concept is not None:
            self._describe(item, entry, concept)
        return item

    def _describe(self, item: dict, entry: Entry, concept: Concept) -> None:
        if self.designations and concept.designations:
            chosen = [
                d
                for d in concept.designations
                if not self.language or language_matches(d.get("language"), self.language)
            ]
            if chosen:
                item["designation"] = chosen
        extensions = item.setdefault("extension", [])
        if concept.inactive:
            extensions.append(r5.contains_property("status", concept.status_code))
            self.used_properties["status"] = STATUS_URI
        for code in self.properties:
            if code == "status" and concept.inactive:
                continue
            if code == "definition" and concept.definition:
                extensions.append(r5.contains_property(code, concept.definition, "valueString"))
                self.used_properties.setdefault(code, None)
                continue
            for prop in concept.properties:
                if prop.get("code") == code:
                    extensions.append(r5.contains_property(code, property_value(prop)))
                    uri = entry.codesystem.property_uri(code) if entry.codesystem else None
                    self.used_properties.setdefault(code, uri)
        if self.definitions and concept.definition:
            extensions.append(
                {
                    "url": "http://hl7.org/fhir/StructureDefinition/valueset-concept-definition",
                    "valueString": concept.definition,
                }
            )
        if not extensions:
            del item["extension"]

    def declared(self) -> list[dict]:
        return [r5.expansion_property(code, uri) for code, uri in self.used_properties.items()]

    def nested(self, entries: list[Entry]) -> list[dict]:
        """Entries under their nearest ancestor that is also in the expansion."""
        present = {e.key for e in entries}
        elements = {e.key: self.element(e) for e in entries}
        roots: list[dict] = []
        for entry in entries:
            parent = None
            if entry.concept is not None and entry.codesystem is not None:
                parent = _nearest_present_parent(entry, present)
            if parent is None:
                roots.append(elements[entry.key])
            else:
                elements[parent].setdefault("contains", []).append(elements[entry.key])
        return roots


def _nearest_present_parent(entry: Entry, present: set[tuple[str, str]]) -> tuple[str, str] | None:
    cs = entry.codesystem
    frontier = list(entry.concept.parents)
    seen: set[str] = set()
    while frontier:
        code = frontier.pop(0)
        if code in seen:
            continue
        seen.add(code)
        if (entry.system, code) in present:
            return (entry.system, code)
        frontier.extend(cs.concepts[code].parents)
    return None
