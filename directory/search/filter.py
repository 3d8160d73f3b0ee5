"""FHIR `_filter` (http://hl7.org/fhir/R4/search_filter.html), the part the ROR serves:
comparisons `parameter operator value` joined by `and`, `or`, `not` and parentheses.

Each comparison is the resource's own search parameter applied to an empty query, so that it
means exactly what `parameter=value` means; the search turns each of these leaf queries into
its SQL conditions, and `condition` joins them with AND, OR and NOT.

    filter     = or-expr
    or-expr    = and-expr *("or" (and-expr / value))  ; a bare value repeats the comparison before it
    and-expr   = unary *("and" unary)
    unary      = "not" unary / "(" or-expr ")" / comparison
    comparison = parameter operator value
    value      = word / "double-quoted string"        ; \\" and \\\\ escaped inside

`not` binds tighter than `and`, and `and` than `or`; keywords and operators in any case.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal

from sqlalchemy import ColumnElement, and_, or_, true

from directory.errors import DirectoryError, InvalidParameter, NotSupported
from directory.search.params import Query, SearchParam, append, apply_param, lookup_param

# Number, quantity and date parameters take the operator as their value's prefix.
PREFIXED_TYPES = ("number", "quantity", "date")
PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le")
# ne: the complement of eq; sw: the string parameter as given (a prefix match); co: :contains.
STRING_OPERATORS = ("eq", "ne", "sw", "co")
OTHER_OPERATORS = ("eq", "ne")
ALL_OPERATORS = (*PREFIXES, "sw", "co")
MAX_DEPTH = 32  # of parentheses and `not`: deeper is no real filter, and would exhaust the stack
TOKEN = re.compile(r'(?P<paren>[()])|"(?P<string>(?:[^"\\]|\\.)*)"|(?P<word>[^\s()"]+)')
SPACES = re.compile(r"\s*")


@dataclass(frozen=True)
class Match(Generic[Query]):
    """A comparison: the search's query narrowed by that one parameter."""

    query: Query


@dataclass(frozen=True)
class AllOf:
    items: tuple[Expression, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Expression, ...]


@dataclass(frozen=True)
class Negation:
    item: Expression


Expression = Match | AllOf | AnyOf | Negation


@dataclass(frozen=True)
class Token:
    kind: Literal["(", ")", "word", "string"]
    text: str
    position: int  # 0-based offset in the filter


def _tokens(text: str) -> list[Token]:
    tokens = []
    at = SPACES.match(text).end()  # type: ignore[union-attr]
    while at < len(text):
        found = TOKEN.match(text, at)
        if found is None:  # only an unclosed quote stops the pattern
            raise InvalidParameter(f"_filter, position {at + 1}: unclosed double quote")
        if found["paren"]:
            tokens.append(Token(found["paren"], found["paren"], at))  # type: ignore[arg-type]
        elif found["word"]:
            tokens.append(Token("word", found["word"], at))
        else:
            tokens.append(Token("string", re.sub(r"\\(.)", r"\1", found["string"]), at))
        at = SPACES.match(text, found.end()).end()  # type: ignore[union-attr]
    return tokens


def _operators(param_type: str) -> tuple[str, ...]:
    if param_type in PREFIXED_TYPES:
        return PREFIXES
    return STRING_OPERATORS if param_type == "string" else OTHER_OPERATORS


def comparison(
    params: dict[str, SearchParam[Query]], empty: Query, name: str, operator: str, value: str
) -> Expression:
    """`name operator value` as an expression over the parameter's own meaning."""
    param = lookup_param(params, name)
    allowed = _operators(param.type)
    if operator not in allowed:
        raise NotSupported(
            f"{name} is a {param.type} parameter: {operator} does not apply ({', '.join(allowed)})"
        )
    one = value.replace(",", "\\,")  # a comma is no OR in a filter value
    if param.type in PREFIXED_TYPES:
        return Match(apply_param(params, empty, name, operator + one))
    if operator == "co":
        return Match(apply_param(params, empty, f"{name}:contains", one))
    matched = Match(apply_param(params, empty, name, one))
    return Negation(matched) if operator == "ne" else matched


class _Parser(Generic[Query]):
    """Recursive descent over the tokens of one filter, by the grammar of the module."""

    def __init__(self, text: str, params: dict[str, SearchParam[Query]], empty: Query) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0
        self.depth = 0
        self.params = params
        self.empty = empty
        # The parameter and operator of the comparison just read, while a bare value after
        # `or` may repeat it: none after a group, a `not` or an `and`.
        self.repeatable: tuple[Token, str] | None = None

    def parse(self) -> Expression:
        expression = self._or()
        if self.at < len(self.tokens):
            raise self._error(self.tokens[self.at], "expected and, or, or the end")
        return expression

    def _or(self) -> Expression:
        items = [self._and()]
        while self._keyword("or"):
            items.append(self._and(after_or=True))
        return items[0] if len(items) == 1 else AnyOf(tuple(items))

    def _and(self, after_or: bool = False) -> Expression:
        items = [self._repeated() if after_or and self._bare_value_next() else self._unary()]
        while self._keyword("and"):
            items.append(self._unary())
        if len(items) > 1:
            self.repeatable = None
        return items[0] if len(items) == 1 else AllOf(tuple(items))

    def _unary(self) -> Expression:
        token = self._take("a comparison, ( or not")
        if token.kind == "(" or (token.kind == "word" and token.text.lower() == "not"):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise self._error(token, f"more than {MAX_DEPTH} nested groups")
            expression = self._group() if token.kind == "(" else Negation(self._unary())
            self.depth -= 1
            self.repeatable = None
            return expression
        if token.kind != "word":
            raise self._error(token, "expected a search parameter")
        return self._comparison(token)

    def _group(self) -> Expression:
        expression = self._or()
        closing = self._take(")")
        if closing.kind != ")":
            raise self._error(closing, "expected )")
        return expression

    def _comparison(self, name: Token) -> Expression:
        operator = self._take("an operator")
        if operator.kind != "word" or operator.text.lower() not in ALL_OPERATORS:
            raise self._error(
                operator, f"expected an operator after {name.text} ({', '.join(ALL_OPERATORS)})"
            )
        value = self._take("a value")
        if value.kind not in ("word", "string"):
            raise self._error(value, "expected a value")
        self.repeatable = (name, operator.text.lower())
        return self._leaf(name, operator.text.lower(), value.text)

    def _repeated(self) -> Expression:
        value = self._take("a value")
        if self.repeatable is None:
            raise self._error(
                value, "a bare value after or repeats the comparison just before it: there is none"
            )
        name, operator = self.repeatable
        return self._leaf(name, operator, value.text)

    def _leaf(self, name: Token, operator: str, value: str) -> Expression:
        try:
            return comparison(self.params, self.empty, name.text, operator, value)
        except DirectoryError as error:  # the parameter's own 400, said where it stands
            raise type(error)(f"_filter, position {name.position + 1}: {error.message}") from error

    def _bare_value_next(self) -> bool:
        """A value after `or` that no operator follows: `(_id eq 140 or 141)`."""
        if self.at >= len(self.tokens):
            return False
        token = self.tokens[self.at]
        if token.kind not in ("word", "string") or token.text.lower() == "not":
            return False
        after = self.tokens[self.at + 1] if self.at + 1 < len(self.tokens) else None
        return after is None or after.kind != "word" or after.text.lower() not in ALL_OPERATORS

    def _keyword(self, word: str) -> bool:
        if self.at < len(self.tokens):
            token = self.tokens[self.at]
            if token.kind == "word" and token.text.lower() == word:
                self.at += 1
                return True
        return False

    def _take(self, expected: str) -> Token:
        if self.at >= len(self.tokens):
            raise self._error(None, f"expected {expected}, found the end")
        self.at += 1
        return self.tokens[self.at - 1]

    def _error(self, token: Token | None, reason: str) -> InvalidParameter:
        position = len(self.text) + 1 if token is None else token.position + 1
        found = "" if token is None else f" at {token.text!r}"
        return InvalidParameter(f"_filter, position {position}{found}: {reason}")


def parse_filter(text: str, params: dict[str, SearchParam[Query]], empty: Query) -> Expression:
    """A `_filter` value over the search parameters `params` (a 400 that says where and why)."""
    return _Parser(text, params, empty).parse()


def filter_param(params: dict[str, SearchParam[Query]], empty: Query) -> SearchParam[Query]:
    """The `_filter` parameter over `params`, kept in the query's `expressions`: repeated,
    or with other parameters, an AND."""
    return SearchParam(
        "_filter", "special",
        "FHIR _filter over this resource's other parameters (not _has): parameter operator "
        "value, joined by and, or, not and parentheses; eq, ne, gt, lt, ge, le on numbers, "
        "quantities and dates (as their prefix), eq, ne, sw (the parameter's prefix match) and "
        "co (:contains) on strings, eq and ne on the others; values bare or double-quoted; "
        "(_id eq 140 or 141) repeats the comparison",
        append("expressions", lambda value: parse_filter(value, params, empty)),
    )  # fmt: skip


def names_few(expression: Expression, few: Callable[[Any], bool]) -> bool:
    """Whether the expression matches a few rows at most, by what `few` says of each
    comparison's query: every alternative of an `or`, or one operand of an `and` (for
    keyset_page's `few`)."""
    if isinstance(expression, Match):
        return few(expression.query)
    if isinstance(expression, AnyOf):
        return all(names_few(item, few) for item in expression.items)
    if isinstance(expression, AllOf):
        return any(names_few(item, few) for item in expression.items)
    return False


def condition(
    expression: Expression, conditions: Callable[[Any], list[ColumnElement]]
) -> ColumnElement:
    """The expression in SQL, each comparison's conditions given by `conditions` (the
    search's own, so that a leaf means what its parameter means)."""
    if isinstance(expression, Match):
        return and_(true(), *conditions(expression.query))
    if isinstance(expression, Negation):
        # Every row the item does not match, those where it is unknown (NULL) included.
        return condition(expression.item, conditions).is_not(true())
    parts = [condition(item, conditions) for item in expression.items]
    return and_(*parts) if isinstance(expression, AllOf) else or_(*parts)
