"""What every terminology format reader produces, in two passes over its file.

The first pass (`scan`) is cheap and learns which resource versions the file holds, because the
pipeline must know a file's scope before it reads any row. The second pass (`items`) streams the
resources, and the concepts of code systems one by one, in the normalised shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from loaders.base import BadFile, Rejected
from terminology.rows import resource_key

TERMINOLOGY_TYPES = frozenset({"CodeSystem", "ValueSet", "ConceptMap"})


class Unreadable(BadFile):
    """This file (or archive member) is not in a terminology format, or is malformed."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))  # one line: parser messages span several


class NotTerminology(Unreadable):
    """A FHIR resource of another type: a package skips it, a single file is refused."""


@dataclass(frozen=True)
class Head:
    """A resource version as the first pass sees it."""

    resource_type: str
    url: str
    version: str
    has_concepts: bool  # a CodeSystem whose file carries its concepts (content ≠ not-present)

    @property
    def key(self) -> str:
        return resource_key(self.resource_type, self.url, self.version)


@dataclass(frozen=True)
class ResourceItem:
    """A resource in the normalised shape; a CodeSystem comes without its concepts."""

    line: int
    resource: dict
    concept_count: int | None


@dataclass(frozen=True)
class ConceptItem:
    """One concept of a code system, flattened: `parent_code` is the concept it was nested in."""

    line: int
    head: Head
    position: int
    element: dict
    parent_code: str | None


Item = ResourceItem | ConceptItem | Rejected


class Scanned(Protocol):
    """The first pass of a file: one head per resource, in file order; None for a resource the
    second pass rejects (no url, not a terminology resource…)."""

    heads: list[Head | None]


@dataclass(frozen=True)
class Scan:
    heads: list[Head | None]


@dataclass(frozen=True)
class Format:
    """A file format: its label for the load description and its two passes."""

    label: str
    scan: Callable[[BinaryIO], Scanned]
    items: Callable[[BinaryIO, Scanned], Iterator[Item]]


def head_of(fields: Mapping[str, object]) -> Head | str:
    """The head of a resource from its top-level fields, or why it cannot be loaded."""
    resource_type = fields.get("resourceType")
    if not resource_type:
        return "no resourceType: not a FHIR resource"
    if resource_type not in TERMINOLOGY_TYPES:
        return f"a {resource_type}, not a CodeSystem, ValueSet or ConceptMap"
    url = fields.get("url")
    if not isinstance(url, str) or not url.strip():
        return f"a {resource_type} without url"
    version = fields.get("version")
    return Head(
        resource_type=str(resource_type),
        url=url,
        version="" if version is None else str(version),
        has_concepts=resource_type == "CodeSystem" and fields.get("content") != "not-present",
    )
