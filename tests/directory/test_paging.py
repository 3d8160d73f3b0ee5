"""The Bundle total of a search: counted only when asked, free when the first page says it."""

from __future__ import annotations

from directory.search.paging import Cursor, page_total


def counter(matches: int, calls: list):  # noqa: ANN201
    def count() -> int:
        calls.append("count")
        return matches

    return count


def test_a_first_page_holding_every_match_is_its_own_total() -> None:
    calls: list = []
    assert page_total("free", None, 7, 50, counter(7, calls)) == 7
    assert page_total("accurate", None, 7, 50, counter(7, calls)) == 7
    assert calls == []


def test_by_default_a_larger_total_is_left_out_rather_than_counted() -> None:
    calls: list = []
    assert page_total("free", None, 51, 50, counter(30_000, calls)) is None
    assert calls == []


def test_accurate_counts_and_none_never_does() -> None:
    calls: list = []
    assert page_total("accurate", None, 51, 50, counter(30_000, calls)) == 30_000
    assert page_total("none", None, 7, 50, counter(7, calls)) is None
    assert calls == ["count"]


def test_estimate_uses_the_planner_when_given() -> None:
    assert page_total("estimate", None, 51, 50, counter(30_000, []), lambda: 29_000) == 29_000


def test_later_pages_reuse_the_total_of_the_cursor() -> None:
    calls: list = []
    assert page_total("accurate", Cursor(("x",), 1234, "f"), 51, 50, counter(9, calls)) == 1234
    assert calls == []


def test_summary_count_pages_of_size_zero_still_count() -> None:
    assert page_total("accurate", None, 0, 0, counter(12, [])) == 12
