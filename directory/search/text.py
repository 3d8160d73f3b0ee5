"""Text normalisation shared by stored search columns and search terms, so both always agree."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import ColumnElement, func, literal_column

_NOT_WORD = re.compile(r"[^0-9a-z]+")
# Ligatures that NFKD does not split.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})


def normalize(text: str | None) -> str:
    """Lower case, accents and punctuation removed, words separated by one space."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_LIGATURES))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    return _NOT_WORD.sub(" ", ascii_text).strip()


def normalized_sql(column: ColumnElement[str | None]) -> ColumnElement[str]:
    """`normalize()` computed by PostgreSQL, for the few columns without a stored normalised copy.

    Lower case comes last, once only ASCII is left, so that it does not depend on the collation.
    """
    text = column
    for ligature, letters in (("œ", "oe"), ("Œ", "OE"), ("æ", "ae"), ("Æ", "AE"), ("ß", "ss")):
        text = func.replace(text, ligature, letters)
    ascii_text = func.regexp_replace(
        func.normalize(text, literal_column("NFKD")), r"[^\x01-\x7f]", "", "g"
    )
    return func.btrim(func.regexp_replace(func.lower(ascii_text), "[^0-9a-z]+", " ", "g"))


def words(text: str | None) -> list[str]:
    return normalize(text).split()


def prefix_tsquery(text: str) -> str | None:
    """A `to_tsquery('simple', …)` text matching every word of `text` as a word prefix."""
    terms = words(text)
    if not terms:
        return None
    return " & ".join(f"{term}:*" for term in terms)
