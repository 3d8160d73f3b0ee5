"""The terminology source: `annuaire load terminology PATH`.

Accepts, plain or gzipped: IHE SVS XML and .tabs NOS files, FHIR JSON (a CodeSystem, ValueSet
or ConceptMap, a Bundle of them, or NDJSON), the ANS whole-NOS ZIP and FHIR package .tgz files.
Every format is normalised to one FHIR shape (loaders/terminology_shape.py).

A file replaces the resource versions it holds ("type|url|version") and nothing else: the
resource scope is the set of its versions, the concept scope the set of its code systems, so a
concept missing from a new copy of the same version is tombstoned, and other resources and
versions are left alone.
"""

from __future__ import annotations

import hashlib
import inspect
import sys
from functools import partial
from pathlib import Path

import orjson

from loaders import (
    terminology_archive,
    terminology_fhir,
    terminology_items,
    terminology_normalise,
    terminology_nos,
    terminology_shape,
    terminology_svs,
    terminology_tabs,
)
from loaders.base import Rejected
from loaders.pipeline import SourceFile
from loaders.target import Candidate, Target
from loaders.terminology_items import ConceptItem, Item, ResourceItem
from terminology import canonical, lifecycle, rows
from terminology.rows import (
    CONCEPT_COLUMNS,
    RESOURCE_COLUMNS,
    concept_key,
    concept_row,
    resource_key,
    resource_row,
)

RESOURCES = Target(
    table="terminology_resource",
    columns=RESOURCE_COLUMNS,
    json_columns=frozenset({"resource"}),
    array_columns=frozenset({"aliases", "identifiers"}),
    scope_column="id",
)
CONCEPTS = Target(
    table="terminology_concept",
    columns=CONCEPT_COLUMNS,
    json_columns=frozenset({"concept"}),
    scope_column="resource_id",
)
# Part of every content hash: when the code that maps records to rows changes, every record
# counts as changed on the next load and gets its row rebuilt.
MAPPING_VERSION = hashlib.sha1(
    "".join(
        inspect.getsource(module)
        for module in (canonical, lifecycle, rows, terminology_fhir, terminology_items,
                       terminology_nos, terminology_normalise, terminology_shape, terminology_svs,
                       terminology_tabs, sys.modules[__name__])
    ).encode()
).digest()  # fmt: skip


def _content_hash(record: object) -> str:
    return hashlib.sha1(
        MAPPING_VERSION + orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    ).hexdigest()


def _routed(item: Item) -> tuple[Target, Candidate | Rejected]:
    """An item → a candidate for its table, with its key and content hash."""
    if isinstance(item, ConceptItem):
        head, element = item.head, item.element
        record = (head.key, head.url, head.version, item.position, element, item.parent_code)
        build = partial(concept_row, *record)
        key = concept_key(head.key, element["code"])
        return CONCEPTS, Candidate(item.line, key, _content_hash(record), build)
    if isinstance(item, ResourceItem):
        resource = item.resource
        key = resource_key(resource["resourceType"], resource["url"], resource.get("version"))
        record = (resource, item.concept_count)
        build = partial(resource_row, *record)
        return RESOURCES, Candidate(item.line, key, _content_hash(record), build)
    return RESOURCES, item


def open_terminology(path: Path) -> SourceFile:
    """Recognise a terminology file by its content, and scope it to the versions it holds;
    BadFile when it is none of the formats read."""
    contents = terminology_archive.read_contents(path)
    return SourceFile(
        contents.description,
        {
            RESOURCES: frozenset(head.key for head in contents.heads),
            CONCEPTS: frozenset(head.key for head in contents.heads if head.has_concepts),
        },
        map(_routed, contents.items),
    )
