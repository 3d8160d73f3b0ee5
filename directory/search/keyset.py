"""One page of a search over a resource table, in id or last-updated order, by keyset.

Shared by the tables whose search needs no distance order (practitioners, roles): the caller
gives the filters, this picks the page on narrow columns, then reads only the page's stored
JSON, and counts when the total mode asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any, Literal

from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    Row,
    Select,
    Text,
    bindparam,
    cast,
    func,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY

from directory.search.paging import (
    Cursor,
    Page,
    TotalMode,
    decode_cursor,
    encode_cursor,
    page_total,
)
from directory.search.tokens import names_records

KeysetSort = Literal["id", "last_updated"]
Representation = Literal["resource", "document"]


@dataclass(frozen=True)
class Hit:
    id: str
    payload: str  # the stored JSON text of the representation
    links: tuple[Any, ...] = ()  # the values of the `linked` columns, for _include


@dataclass(frozen=True)
class PageRequest:
    sort: KeysetSort
    count: int
    total: TotalMode
    representation: Representation
    fingerprint: str  # of the query, so that a cursor only resumes its own search


def _sort_columns(model: Any, sort: KeysetSort) -> list[ColumnElement]:
    return [model.last_updated, model.id] if sort == "last_updated" else [model.id]


def keyset_page(
    conn: Connection,
    model: Any,
    filters: list[ColumnElement],
    request: PageRequest,
    cursor_token: str | None,
    linked: tuple[ColumnElement, ...] = (),
    few: bool = False,
) -> Page:
    """The page of `model` rows matching every filter, after the cursor's row.

    `few` says that the filters match a few rows, which the planner may not know: they are
    then gathered first and sorted, rather than found by walking the table in page order
    (which PostgreSQL prefers when it expects thousands of matches, and which reads the
    whole table when there is one: seconds for an RPPS number among 1.9 M practitioners)."""
    cursor = decode_cursor(cursor_token, request.fingerprint) if cursor_token else None
    sort_columns = _sort_columns(model, request.sort)
    keys = select(model.id, model.last_updated, *linked).where(*filters)
    if cursor:
        after = list(cursor.after)
        if request.sort == "last_updated":
            after[0] = datetime.fromisoformat(after[0])
        keys = keys.where(tuple_(*sort_columns) > tuple_(*after))
    if few:
        matched = gathered(keys)
        keys, sort_columns = select(matched), [matched.c[c.key] for c in sort_columns]
    page = keys.order_by(*sort_columns).limit(request.count + 1).subquery()
    payload = model.resource if request.representation == "resource" else model.document
    statement = (
        select(page, cast(payload, Text).label("payload"))
        .join(model, model.id == page.c.id)
        .order_by(*(page.c[c.key] for c in sort_columns))
    )
    rows = conn.execute(statement).all() if request.count else []
    total = page_total(
        request.total,
        cursor,
        len(rows),
        request.count,
        lambda: conn.scalar(select(func.count()).select_from(model).where(*filters)) or 0,
    )
    return _page(rows, total, request, linked)


def _page(rows: list[Row], total: int | None, request: PageRequest, linked: tuple) -> Page:
    next_token = None
    if len(rows) > request.count:
        rows = rows[: request.count]
        last = rows[-1]
        after = (
            (last.last_updated.isoformat(), last.id)
            if request.sort == "last_updated"
            else (last.id,)
        )
        next_token = encode_cursor(Cursor(after, total, request.fingerprint))
    hits = [Hit(r.id, r.payload, tuple(r._mapping[c.key] for c in linked)) for r in rows]
    return Page(rows=hits, next_cursor=next_token, total=total)


def identifier_lookup(query: Any, cursor_token: str | None) -> tuple[str, ...] | None:
    """The identifier values of a search that asks for nothing else, first page: the
    commonest search of referral software (a professional by RPPS number, a structure by
    FINESS number), answered by `identifier_page`. `query` is a search dataclass with
    `identifiers`, `count`, `total` and `representation` fields, compared with its defaults."""
    if cursor_token or len(query.identifiers) != 1 or not names_records(query.identifiers):
        return None
    default = type(query)()
    bare = replace(
        query,
        identifiers=(),
        count=default.count,
        total=default.total,
        representation=default.representation,
    )
    return query.identifiers[0] if bare == default else None


def identifier_page(
    conn: Connection,
    model: Any,
    tokens: tuple[str, ...],
    request: PageRequest,
    linked: tuple[ColumnElement, ...] = (),
) -> Page | None:
    """The whole answer of a search by identifier values alone (see `identifier_lookup`), in
    id order, from statements built once: building a statement cost twice as much as running
    it, and kept this search at a third of the throughput of a read by id. None when the
    matches do not fit in one page: the general search then pages them."""
    statement = _identifier_statement(model, request.representation, linked)
    rows = conn.execute(statement, {"tokens": list(tokens), "limit": request.count + 1}).all()
    if len(rows) > request.count:
        return None
    total = None if request.total == "none" else len(rows)
    return _page(rows, total, request, linked)


@cache
def _identifier_statement(
    model: Any, representation: Representation, linked: tuple[ColumnElement, ...]
) -> Select:
    # A few rows match: each is read once, with its payload, then sorted.
    matches = model.identifier_tokens.op("&&")(bindparam("tokens", type_=ARRAY(Text)))
    payload = model.resource if representation == "resource" else model.document
    keys = select(model.id, model.last_updated, *linked, cast(payload, Text).label("payload"))
    matched = gathered(keys.where(matches))
    return select(matched).order_by(matched.c.id).limit(bindparam("limit"))


def planned_rows(conn: Connection, statement: Select) -> int:
    """The planner's estimate of the rows `statement` returns: instant, and close on filters
    its statistics know (words, codes; not identifiers, see tokens.names_records)."""
    compiled = statement.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    explained = conn.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params)
    return int(explained.scalar_one()[0]["Plan"]["Plan Rows"])


def gathered(keys: Select) -> CTE:
    """`keys` (a SELECT of the matching rows' keys) computed whole before anything orders
    them: for searches known to match a few rows (see keyset_page's `few`)."""
    return keys.cte("matched").prefix_with("MATERIALIZED")


def payloads(
    conn: Connection, model: Any, condition: ColumnElement, linked: tuple[ColumnElement, ...] = ()
) -> list[Hit]:
    """The stored FHIR resources of the rows meeting `condition`, by id (for _include)."""
    rows = conn.execute(
        select(model.id, cast(model.resource, Text).label("payload"), *linked)
        .where(condition)
        .order_by(model.id)
    ).all()
    return [Hit(r.id, r.payload, tuple(r._mapping[c.key] for c in linked)) for r in rows]
