"""The Bundle total of a search: counted only when needed, and bounded by default."""

from __future__ import annotations

from directory.search.paging import TOTAL_BOUND, Cursor, page_total


def counter(matches: int, calls: list):  # noqa: ANN201
    def count(limit: int | None) -> int:
        calls.append(limit)
        return matches if limit is None else min(matches, limit)

    return count


def test_a_first_page_holding_every_match_needs_no_count() -> None:
    calls: list = []
    assert page_total("accurate", None, 7, 50, counter(7, calls)) == 7
    assert calls == []


def test_bounded_counts_up_to_the_bound_and_leaves_out_larger_totals() -> None:
    calls: list = []
    assert page_total("bounded", None, 51, 50, counter(900, calls)) == 900
    assert page_total("bounded", None, 51, 50, counter(30_000, calls)) is None
    assert calls == [TOTAL_BOUND + 1, TOTAL_BOUND + 1]


def test_accurate_counts_everything_and_none_counts_nothing() -> None:
    calls: list = []
    assert page_total("accurate", None, 51, 50, counter(30_000, calls)) == 30_000
    assert page_total("none", None, 51, 50, counter(30_000, calls)) is None
    assert calls == [None]


def test_later_pages_reuse_the_total_of_the_cursor() -> None:
    calls: list = []
    assert page_total("accurate", Cursor(("x",), 1234, "f"), 51, 50, counter(9, calls)) == 1234
    assert calls == []


def test_summary_count_pages_of_size_zero_still_count() -> None:
    calls: list = []
    assert page_total("accurate", None, 0, 0, counter(12, calls)) == 12
