"""Stored terminology resources: read back whole, and cached in memory per process.

Operations work on in-memory indexes (terminology/codesystem.py). Building one for a 40 k
concept system takes a moment, so each process keeps them until a load changes the tables;
one cheap query per request (the latest `last_updated`) tells whether that has happened.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, text

from terminology.codesystem import CodeSystemIndex

MAX_REFERENCES = 20_000


def nest_concepts(rows: list[tuple[str, str | None, dict]]) -> list[dict]:
    """Concept elements (code, nesting parent, element), in file order, nested as loaded."""
    by_code: dict[str, dict] = {}
    roots: list[dict] = []
    for code, _parent, element in rows:
        by_code[code] = dict(element)
    for code, parent, _element in rows:
        node = by_code[code]
        if parent is not None and parent in by_code and parent != code:
            by_code[parent].setdefault("concept", []).append(node)
        else:
            roots.append(node)
    return roots


def concept_rows(conn: Connection, resource_id: str) -> list[tuple[str, str | None, dict]]:
    return [
        tuple(row)
        for row in conn.execute(
            text(
                """SELECT code, parent_code, concept FROM terminology_concept
                   WHERE resource_id = :id AND removed_at IS NULL ORDER BY position"""
            ),
            {"id": resource_id},
        )
    ]


def whole_resource(conn: Connection, resource_id: str, resource: dict) -> dict:
    """A stored resource with its concepts put back, for a CodeSystem."""
    if resource.get("resourceType") != "CodeSystem":
        return resource
    concepts = nest_concepts(concept_rows(conn, resource_id))
    return {**resource, "concept": concepts} if concepts else resource


class StoredResources:
    """Process-wide cache of stored resources, dropped whenever a load changed them.

    It opens a database connection only when it must read: a lookup in a code system already
    in memory costs no round trip.
    """

    def __init__(self, engine: Engine, refresh_seconds: float = 1.0) -> None:
        self.engine = engine
        self.refresh_seconds = refresh_seconds
        self._checked = float("-inf")
        self._lock = threading.Lock()
        self._generation: object = None
        self._by_reference: dict[tuple[str, str], list[dict]] = {}
        self._indexes: dict[str, CodeSystemIndex] = {}
        self._concept_maps: list[dict] | None = None
        self._derived: dict[str, Any] = {}

    def refresh(self) -> None:
        """Drop what a load has changed since; checked at most every `refresh_seconds`."""
        now = time.monotonic()
        if now - self._checked < self.refresh_seconds:
            return
        self._checked = now
        with self.engine.connect() as conn:
            generation = conn.execute(
                text("SELECT max(last_updated) FROM terminology_resource")
            ).scalar()
        if generation != self._generation:
            with self._lock:
                self._by_reference = {}
                self._indexes = {}
                self._concept_maps = None
                self._derived = {}
                self._generation = generation

    def derived(self, name: str, build: Callable[[StoredResources], Any]) -> Any:
        """A value computed from the stored resources (`build(self)`), kept under `name`
        until a load changes them (checked first, as `refresh` does)."""
        self.refresh()
        found = self._derived.get(name)
        if found is None:
            found = self._derived[name] = build(self)
        return found

    def candidates(self, resource_type: str, reference: str) -> list[dict]:
        """Every stored version answering to a canonical URL, an alias or an `urn:oid:`."""
        key = (resource_type, reference)
        found = self._by_reference.get(key)
        if found is None:
            with self.engine.connect() as conn:
                found = [
                    {"id": row.id, "version": row.version, "resource": row.resource}
                    for row in conn.execute(
                        text(
                            """SELECT id, version, resource FROM terminology_resource
                               WHERE resource_type = :type AND removed_at IS NULL
                                 AND (url = :ref OR :ref = ANY(aliases)
                                      OR 'urn:oid:' || oid = :ref)"""
                        ),
                        {"type": resource_type, "ref": reference},
                    )
                ]
            if len(self._by_reference) >= MAX_REFERENCES:  # unknown URLs must not grow it forever
                self._by_reference.clear()
            self._by_reference[key] = found
        return found

    def by_id(self, resource_type: str, fhir_id: str) -> tuple[str, str] | None:
        """(url, version) of the resource read at `{resource_type}/{fhir_id}`."""
        with self.engine.connect() as conn:
            row = conn.execute(
                text(
                    """SELECT url, version FROM terminology_resource
                       WHERE resource_type = :type AND fhir_id = :id AND removed_at IS NULL"""
                ),
                {"type": resource_type, "id": fhir_id},
            ).first()
        return (row.url, row.version) if row else None

    def code_system(self, stored: dict) -> CodeSystemIndex:
        index = self._indexes.get(stored["id"])
        if index is None:
            with self.engine.connect() as conn:
                whole = whole_resource(conn, stored["id"], stored["resource"])
            index = self._indexes[stored["id"]] = CodeSystemIndex(whole)
        return index

    def warm(self) -> int:
        """Build every stored code system's indexes now (the server does it before forking its
        workers, so that no first request pays for a 40,000-concept index); returns how many."""
        self.refresh()
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    text(
                        """SELECT id, version, resource FROM terminology_resource
                       WHERE resource_type = 'CodeSystem' AND removed_at IS NULL"""
                    )
                )
                .mappings()
                .all()
            )
        for row in rows:
            index = self.code_system(dict(row))
            index.by_label_length  # noqa: B018  (cached on first use)
            index.matching("warm")
        return len(rows)

    def concept_maps(self) -> list[dict]:
        if self._concept_maps is None:
            with self.engine.connect() as conn:
                self._concept_maps = [
                    row.resource
                    for row in conn.execute(
                        text(
                            """SELECT resource FROM terminology_resource
                               WHERE resource_type = 'ConceptMap' AND removed_at IS NULL"""
                        )
                    )
                ]
        return self._concept_maps
