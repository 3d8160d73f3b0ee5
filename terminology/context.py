"""Where an operation finds the resources it needs: those sent with the request
(`tx-resource`, an inline `valueSet`) first, then the stored ones."""

from __future__ import annotations

from collections.abc import Iterable

from terminology.canonical import oid_of
from terminology.codesystem import CodeSystemIndex
from terminology.store import StoredResources
from terminology.versions import preferred, split_canonical, version_matches


def _usable(resource: dict) -> bool:
    return resource.get("status") != "retired"


class Context:
    def __init__(self, stored: StoredResources | None, inline: list[dict]) -> None:
        self.stored = stored
        self.inline: dict[str, list[dict]] = {}
        for resource in inline:
            self.inline.setdefault(resource.get("resourceType", ""), []).append(resource)
        self._indexes: dict[int, CodeSystemIndex] = {}

    def _inline(self, resource_type: str, url: str) -> list[dict]:
        """Inline resources answering to `url`: their own, or their OID as `urn:oid:…`."""
        return [
            r
            for r in self.inline.get(resource_type, ())
            if r.get("url") == url or (url.startswith("urn:oid:") and oid_of(r) == url[8:])
        ]

    def _choose(self, resource_type: str, reference: str, version: str | None) -> object:
        url, pinned = split_canonical(reference)
        wanted = version or pinned
        inline = [
            r for r in self._inline(resource_type, url) if version_matches(wanted, r.get("version"))
        ]
        if inline:
            return ("inline", preferred(inline, lambda r: r.get("version"), _usable))
        if self.stored is None:
            return None
        stored = [
            s
            for s in self.stored.candidates(resource_type, url)
            if version_matches(wanted, s["version"])
        ]
        if stored:
            return (
                "stored",
                preferred(stored, lambda s: s["version"], lambda s: _usable(s["resource"])),
            )
        return None

    def displays(self, systems: Iterable[str]) -> dict[tuple[str, str], str]:
        """(system, code) → display, for every code of `systems` (those known)."""
        found: dict[tuple[str, str], str] = {}
        for system in systems:
            index = self.code_system(system)
            if index is not None:
                found.update(
                    ((system, code), concept.display)
                    for code, concept in index.concepts.items()
                    if concept.display
                )
        return found

    def code_system(self, reference: str, version: str | None = None) -> CodeSystemIndex | None:
        chosen = self._choose("CodeSystem", reference, version)
        if chosen is None:
            return None
        origin, item = chosen
        if origin == "stored":
            return self.stored.code_system(item)  # type: ignore[union-attr]
        index = self._indexes.get(id(item))
        if index is None:
            index = self._indexes[id(item)] = CodeSystemIndex(item)
        return index

    def value_set(self, reference: str, version: str | None = None) -> dict | None:
        chosen = self._choose("ValueSet", reference, version)
        if chosen is None:
            return self._implicit_value_set(reference)
        origin, item = chosen
        return item if origin == "inline" else item["resource"]

    def _implicit_value_set(self, reference: str) -> dict | None:
        """`<code system url>?vs`, the SMT's "all codes" value set of every terminology."""
        url, _ = split_canonical(reference)
        if not url.endswith("?vs"):
            return None
        cs = self.code_system(url[: -len("?vs")])
        if cs is None:
            return None
        return {
            "resourceType": "ValueSet",
            "url": url,
            "status": "active",
            "compose": {"include": [{"system": cs.url}]},
        }

    def concept_maps(self) -> list[dict]:
        maps = list(self.inline.get("ConceptMap", ()))
        if self.stored is not None:
            maps += self.stored.concept_maps()
        return maps
