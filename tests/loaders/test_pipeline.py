"""The shared load pipeline through the FINESS source: diff, tombstones, guard, bad files, lock."""

from __future__ import annotations

import gzip
import json
import threading
from datetime import UTC
from pathlib import Path

import psycopg
import pytest

from loaders.base import BadFile
from loaders.pipeline import LOAD_LOCK, LoadBusy, LoadRefused, _text_array
from tests.conftest import FIXTURES

SMALL = FIXTURES / "api" / "finess-structures-small.json"


def fetch(url: str, sql: str, *params: object) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def without_establishment(tmp_path: Path, finess: str) -> Path:
    data = json.loads(SMALL.read_text())
    for pm in data["pmej"]:
        pm["ege"] = [
            e for e in pm["ege"] if e["informationsGeneralesEGE"]["numFinessEge"] != finess
        ]
    path = tmp_path / "finess-structures-next.json"
    path.write_text(json.dumps(data, ensure_ascii=False))
    return path


def test_first_load_counts_and_run_record(load, clean_db: str) -> None:  # noqa: ANN001
    result = load(SMALL)
    assert (result.counts.new, result.counts.changed, result.counts.rejected) == (12, 0, 0)
    (row,) = fetch(clean_db, "SELECT status, new, sha256, finished_at IS NOT NULL FROM load_run")
    assert row[0] == "succeeded" and row[1] == 12 and len(row[2]) == 64 and row[3]
    assert fetch(clean_db, "SELECT count(*) FROM organization")[0][0] == 11
    assert fetch(clean_db, "SELECT id, member_ids FROM finess_group") == [("GCC-7", ["pm:10"])]


def indexes(url: str, table: str) -> list[tuple]:
    return fetch(url, "SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1", table)


def stored_rows(url: str) -> list[dict]:
    """Every organization column but the load times."""
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT * FROM organization ORDER BY id")
        names = [c.name for c in rows.description]
        found = []
        for row in rows:
            values = dict(zip(names, row, strict=True))
            del values["last_updated"]
            del values["resource"]["meta"]["lastUpdated"]
            found.append(values)
        return found


def test_first_load_copies_into_the_table_as_the_swap_would(load, clean_db: str) -> None:  # noqa: ANN001
    before = indexes(clean_db, "organization")
    load(SMALL)  # empty table: copied straight into it
    assert indexes(clean_db, "organization") == before
    assert_stamped(clean_db)
    copied = stored_rows(clean_db)
    # The same file through staging: one stale row left, so the table is not empty.
    with psycopg.connect(clean_db) as conn:
        conn.execute("DELETE FROM organization WHERE id <> '010002137'")
        conn.execute("UPDATE organization SET content_hash = 'stale'")
    result = load(SMALL)
    assert (result.counts.new, result.counts.changed) == (10, 1)
    assert stored_rows(clean_db) == copied
    assert_stamped(clean_db)  # by the swap, this time


def assert_stamped(url: str) -> None:
    """Every resource's meta.lastUpdated is its row's load time, all of one load."""
    ((text, stamp),) = fetch(
        url, "SELECT DISTINCT resource->'meta'->>'lastUpdated', last_updated FROM organization"
    )
    assert text == stamp.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def test_failed_first_load_leaves_an_empty_table(load, clean_db, tmp_path) -> None:  # noqa: ANN001
    before = indexes(clean_db, "organization")
    text = SMALL.read_text()
    broken = tmp_path / "finess-structures-broken.json"
    broken.write_text(text[: text.rindex('"informationsGeneralesPMEJ"')])  # ends mid-pmej
    with pytest.raises(BadFile):
        load(broken)
    assert fetch(clean_db, "SELECT count(*) FROM organization") == [(0,)]
    assert indexes(clean_db, "organization") == before
    assert load(SMALL).counts.new == 12


def test_text_arrays_survive_copy(clean_db: str) -> None:
    arrays = [[], ["plain", "two words"], ['quote"', "back\\slash", None, "NULL", "", "{}", ","]]
    with psycopg.connect(clean_db) as conn:
        conn.execute("CREATE TEMP TABLE arrays (n integer, a text[])")
        with conn.cursor().copy("COPY arrays FROM STDIN") as copy:
            for n, values in enumerate(arrays):
                copy.write_row((n, _text_array(values)))
        assert [a for (a,) in conn.execute("SELECT a FROM arrays ORDER BY n")] == arrays


def test_same_file_twice_changes_nothing(load, clean_db: str) -> None:  # noqa: ANN001
    load(SMALL)
    before = fetch(clean_db, "SELECT id, last_updated, resource FROM organization ORDER BY id")
    result = load(SMALL)
    assert (result.counts.new, result.counts.changed, result.counts.deactivated) == (0, 0, 0)
    assert result.counts.unchanged == 12
    assert (
        fetch(clean_db, "SELECT id, last_updated, resource FROM organization ORDER BY id") == before
    )


def test_structure_missing_from_next_snapshot_becomes_tombstone(load, clean_db, tmp_path) -> None:  # noqa: ANN001
    load(SMALL)
    result = load(without_establishment(tmp_path, "010002137"), threshold=0.5)
    assert result.counts.deactivated == 1 and result.counts.unchanged == 11
    ((active, removed_at, resource),) = fetch(
        clean_db, "SELECT active, removed_at, resource FROM organization WHERE id = '010002137'"
    )
    assert active is False and removed_at is not None
    assert resource["active"] is False and resource["name"] == "SMUR FERMÉ"
    assert set(resource) == {"resourceType", "id", "meta", "identifier", "active", "name"}
    # It comes back when a later snapshot has it again.
    assert load(SMALL).counts.changed == 1
    assert fetch(clean_db, "SELECT removed_at FROM organization WHERE id = '010002137'") == [
        (None,)
    ]


def test_a_reload_leaves_no_pending_gin_entries(load, clean_db, tmp_path) -> None:  # noqa: ANN001
    # Searches read through a GIN index's pending list until it is merged.
    load(SMALL)
    load(without_establishment(tmp_path, "010002137"), threshold=0.5)
    merged = fetch(
        clean_db,
        """SELECT i.relname, gin_clean_pending_list(x.indexrelid) FROM pg_index x
           JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = i.relam
           WHERE x.indrelid = 'organization'::regclass AND am.amname = 'gin'""",
    )
    assert merged and all(pages == 0 for _, pages in merged), merged


def test_removal_guard_refuses_then_force_loads(load, clean_db, tmp_path) -> None:  # noqa: ANN001
    load(SMALL)
    smaller = without_establishment(tmp_path, "010002137")  # 1 of 11 = 9 % > 5 %
    with pytest.raises(LoadRefused, match="9.1%"):
        load(smaller)
    assert fetch(clean_db, "SELECT count(*) FROM organization WHERE removed_at IS NOT NULL") == [
        (0,)
    ]
    assert fetch(clean_db, "SELECT status FROM load_run ORDER BY id DESC LIMIT 1") == [("refused",)]
    assert load(smaller, force=True).counts.deactivated == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"hello;world\n", "not a FINESS file"),
        (b'{"schemaVersion": "v1", "pmej": [', "invalid JSON"),
    ],
)
def test_bad_file_aborts_and_keeps_data(load, clean_db, tmp_path, content, message) -> None:  # noqa: ANN001
    load(SMALL)
    before = fetch(clean_db, "SELECT id, last_updated FROM organization ORDER BY id")
    bad = tmp_path / "finess-structures-bad.json"
    bad.write_bytes(content)
    with pytest.raises(BadFile, match=message):
        load(bad)
    assert fetch(clean_db, "SELECT id, last_updated FROM organization ORDER BY id") == before
    ((status, error),) = fetch(
        clean_db, "SELECT status, message FROM load_run ORDER BY id DESC LIMIT 1"
    )
    assert status == "failed" and error and "\n" not in error


def test_truncated_gzip_aborts(load, clean_db, tmp_path) -> None:  # noqa: ANN001
    load(SMALL)
    packed = gzip.compress(SMALL.read_bytes())
    truncated = tmp_path / "finess-structures-truncated.json.gz"
    truncated.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(BadFile):
        load(truncated)
    assert fetch(clean_db, "SELECT count(*) FROM organization WHERE removed_at IS NULL") == [(11,)]


def test_second_load_waits_for_none_and_says_so(load, clean_db: str) -> None:  # noqa: ANN001
    holding = threading.Event()
    release = threading.Event()

    def hold_lock() -> None:
        with psycopg.connect(clean_db, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (LOAD_LOCK,))
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold_lock)
    thread.start()
    holding.wait(10)
    try:
        with pytest.raises(LoadBusy, match="another load is running"):
            load(SMALL)
    finally:
        release.set()
        thread.join()
    assert load(SMALL).counts.new == 12


def test_duplicate_numbers_are_rejected_with_their_lines(load, clean_db, tmp_path) -> None:  # noqa: ANN001
    data = json.loads(SMALL.read_text())
    data["pmej"][2]["ege"].append(data["pmej"][2]["ege"][0])  # 750100042 twice
    path = tmp_path / "finess-structures-duplicate.json"
    path.write_text(json.dumps(data, ensure_ascii=False))
    result = load(path)
    assert result.counts.rejected == 1 and result.counts.new == 12
    ((line, reason),) = fetch(clean_db, "SELECT line, reason FROM load_rejection")
    assert "duplicate id 750100042" in reason and line > 0
