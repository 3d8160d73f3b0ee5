"""JSON written by SQL as text, by concatenation: what the RPPS mapping builds its resources with.

PostgreSQL's JSON builders cost too much for millions of documents: a mailbox contact point
takes 9 µs with `jsonb_build_object`, 8 µs with `json_build_object`, and 1.3 µs as one
`concat()` of constant text and `to_json(value)` (which only escapes a string). The builders
here write that concatenation: constant parts are folded into literals, and nested objects
into the one `concat()` of the document, so that a resource is a single function call.

Absent values (SQL NULL) are left out, as `json_strip_nulls` would: a member whose value is
absent is not written (an object that keeps nulls writes `null`), nor is an absent item of
an array.

A value is written for one of two kinds of input: any text, whose strings `to_json()`
escapes, or text known to hold nothing a JSON string escapes (no `"`, `\\` or control
character), whose strings are quoted as they are: a quarter less work for a resource.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

MAX_ARGUMENTS = 90  # PostgreSQL functions take up to 100


def quote(text: str) -> str:
    """An SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Text:
    """A JSON value written as SQL. Present: `pieces` concatenated are its text, each a
    literal (True, JSON text) or an expression (False, SQL never NULL). Optional:
    `optional` is the SQL of its text, NULL when it is absent."""

    pieces: tuple[tuple[bool, str], ...] = ()
    optional: str | None = None

    @property
    def sql(self) -> str:
        return self.optional if self.optional is not None else _concat(self.pieces)

    @property
    def constant(self) -> str | None:
        """Its text, when it depends on no row."""
        if self.optional is None and all(literal for literal, _ in self.pieces):
            return "".join(text for _, text in self.pieces)
        return None


# A JSON value, written for text that may need escaping (False) or that does not (True).
Json = Callable[[bool], Text]


def render(value: Json, plain: bool) -> str:
    """The SQL of `value`'s text; `plain` when its strings need no escaping."""
    return value(plain).sql


def _concat(pieces: tuple[tuple[bool, str], ...]) -> str:
    arguments: list[str] = []
    literal = ""
    for is_literal, text in pieces:
        if is_literal:
            literal += text
            continue
        if literal:
            arguments.append(quote(literal))
            literal = ""
        arguments.append(text)
    if literal:
        arguments.append(quote(literal))
    if all(is_literal for is_literal, _ in pieces):
        return arguments[0]
    while len(arguments) > MAX_ARGUMENTS:
        arguments = [f"concat({', '.join(arguments[:MAX_ARGUMENTS])})", *arguments[MAX_ARGUMENTS:]]
    return f"concat({', '.join(arguments)})"


def const(value: object) -> Json:
    """A value known in advance."""
    text = Text(((True, _dumps(value)),))
    return lambda plain: text


def string(expr: str, present: bool = False) -> Json:
    """The JSON string of a text expression: absent when it is NULL, unless `present` says it
    never is."""

    def text(plain: bool) -> Text:
        if plain and present:
            return Text(((True, '"'), (False, f"({expr})"), (True, '"')))
        sql = f"""('"' || ({expr}) || '"')""" if plain else f"to_json(({expr})::text)::text"
        return Text(((False, sql),)) if present else Text(optional=sql)

    return text


def when(condition: str, value: Json) -> Json:
    """`value` where `condition` holds, else absent."""
    return lambda plain: Text(optional=f"CASE WHEN {condition} THEN {value(plain).sql} END")


def _listed(
    opening: str, entries: list[tuple[str, Text]], closing: str
) -> tuple[tuple[bool, str], ...]:
    """Pieces of an object or array: each entry is its prefix (`"key":` or nothing) and its
    value. Commas go after the optional entries before the first present one, and before
    every entry after it; with no present entry, concat_ws places them."""
    anchor = next((i for i, (_, value) in enumerate(entries) if value.optional is None), None)
    if anchor is None:
        if not entries:
            return ((True, opening + closing),)
        arguments = ", ".join(f"{quote(prefix)} || {value.optional}" for prefix, value in entries)
        return (True, opening), (False, f"concat_ws(',', {arguments})"), (True, closing)
    pieces: list[tuple[bool, str]] = [(True, opening)]
    for i, (prefix, value) in enumerate(entries):
        if value.optional is not None:
            if i < anchor:
                pieces.append((False, f"{quote(prefix)} || {value.optional} || ','"))
            else:
                pieces.append((False, f"{quote(',' + prefix)} || {value.optional}"))
        else:
            pieces.append((True, prefix if i <= anchor else "," + prefix))
            pieces.extend(value.pieces)
    pieces.append((True, closing))
    return tuple(pieces)


def obj(*members: tuple[str, Json], keep_nulls: bool = False) -> Json:
    """An object of its members, those with an absent value left out (written as null when
    `keep_nulls`)."""

    def text(plain: bool) -> Text:
        entries = []
        for key, member in members:
            value = member(plain)
            if keep_nulls and value.optional is not None:
                value = Text(((False, f"coalesce({value.optional}, 'null')"),))
            elif not keep_nulls and value.constant == "null":
                continue
            entries.append((_dumps(key) + ":", value))
        return Text(_listed("{", entries, "}"))

    return text


def array(*items: Json) -> Json:
    """An array of the items present (possibly empty)."""

    def text(plain: bool) -> Text:
        values = [item(plain) for item in items]
        return Text(_listed("[", [("", v) for v in values if v.constant != "null"], "]"))

    return text


def items(item: Json, plain: bool, order: str, where: str | None = None) -> str:
    """Aggregate SQL of the comma-separated texts of `item` over a group's rows (`where` they
    match), in `order`: an array without its brackets, so that lists can be joined. NULL
    when no row has one."""
    matching = f" FILTER (WHERE {where})" if where else ""
    return f"string_agg({render(item, plain)}, ',' ORDER BY {order}){matching}"


def joined(*lists: str) -> Json:
    """The array of the items of several lists (SQL of `items` texts, NULL when empty)."""
    text = Text(((True, "["), (False, f"concat_ws(',', {', '.join(lists)})"), (True, "]")))
    return lambda plain: text


def listed(items_sql: str) -> Json:
    """The array of a list of `items`, absent when it has none."""
    text = Text(optional=f"('[' || {items_sql} || ']')")
    return lambda plain: text
