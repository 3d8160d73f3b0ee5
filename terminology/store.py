"""Stored terminology resources: read back whole, and cached in memory per process.

Operations work on in-memory indexes (terminology/codesystem.py). Building one for a 40 k
concept system takes a moment, so each process keeps them until a load changes the tables;
one cheap query per request (the latest `last_updated`) tells whether that has happened.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

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
    """Process-wide cache of stored resources, dropped whenever a load changed them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._generation: object = None
        self._by_reference: dict[tuple[str, str], list[dict]] = {}
        self._indexes: dict[str, CodeSystemIndex] = {}

    def refresh(self, conn: Connection) -> None:
        generation = conn.execute(
            text("SELECT max(last_updated) FROM terminology_resource")
        ).scalar()
        if generation != self._generation:
            with self._lock:
                self._by_reference = {}
                self._indexes = {}
                self._generation = generation

    def candidates(self, conn: Connection, resource_type: str, reference: str) -> list[dict]:
        """Every stored version answering to a canonical URL, an alias or an `urn:oid:`."""
        key = (resource_type, reference)
        found = self._by_reference.get(key)
        if found is None:
            found = [
                {"id": row.id, "version": row.version, "resource": row.resource}
                for row in conn.execute(
                    text(
                        """SELECT id, version, resource FROM terminology_resource
                           WHERE resource_type = :type AND removed_at IS NULL
                             AND (url = :ref OR :ref = ANY(aliases) OR 'urn:oid:' || oid = :ref)"""
                    ),
                    {"type": resource_type, "ref": reference},
                )
            ]
            if len(self._by_reference) >= MAX_REFERENCES:  # unknown URLs must not grow it forever
                self._by_reference.clear()
            self._by_reference[key] = found
        return found

    def code_system(self, conn: Connection, stored: dict) -> CodeSystemIndex:
        index = self._indexes.get(stored["id"])
        if index is None:
            index = CodeSystemIndex(whole_resource(conn, stored["id"], stored["resource"]))
            self._indexes[stored["id"]] = index
        return index

    def concept_maps(self, conn: Connection) -> Iterator[dict]:
        for row in conn.execute(
            text(
                """SELECT resource FROM terminology_resource
                   WHERE resource_type = 'ConceptMap' AND removed_at IS NULL"""
            )
        ):
            yield row.resource
