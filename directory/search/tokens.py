"""Token search over the text[] columns of the resource tables (identifiers, codes), where
each code is stored in its forms `code`, `system|code` and `system|`."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Text, cast
from sqlalchemy.dialects.postgresql import ARRAY, array


def text_array(values: Iterable[str]) -> ColumnElement:
    return cast(array(list(values)), ARRAY(Text))


def any_token(column: ColumnElement, values: Iterable[str]) -> ColumnElement:
    """The column holds one of `values` (one search parameter, its values OR-ed)."""
    return column.op("&&")(text_array(values))


def names_records(criteria: Iterable[Iterable[str]]) -> bool:
    """Whether one of the criteria (each a parameter's OR-ed tokens) asks for identifier
    values only, not a bare `system|`: then a few records match at most.

    PostgreSQL cannot tell: an identifier occurs once, so it has no statistics of frequent
    elements to compare with, and guesses 0.5 % of the table for any token. Searches use
    this to gather the matches before ordering them (keyset_page's `few`)."""
    return any(all(not value.endswith("|") for value in values) for values in criteria)
