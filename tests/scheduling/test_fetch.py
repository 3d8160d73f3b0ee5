"""Fetching a source over HTTP, through a whole run: conditional requests, content digest,
timeouts, retries, resume, integrity and checksum checks, local folders."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest

from loaders.scheduling.fetch import FetchError, FetchPolicy, download
from loaders.scheduling.run import Outcome, RunContext, run_source
from tests.scheduling.conftest import (
    STRUCTURES,
    STRUCTURES_NAME,
    FileServer,
    first_establishment,
    gzipped,
    organizations,
    query,
    run_row,
    source,
    structures,
)


def loaded_first(context: RunContext, http: FileServer, path: str = "/s.json", **options) -> str:
    url = http.serve(path, structures(), **options)
    outcome = run_source(context, source(url), "manual")
    assert outcome.outcome is Outcome.LOADED, outcome.message
    return url


def test_a_run_downloads_verifies_loads_and_records(context: RunContext, http: FileServer) -> None:
    url = http.serve("/finess/latest.json.gz", gzipped(structures()), file_name=STRUCTURES_NAME)
    outcome = run_source(context, source(url), "manual")
    assert outcome.outcome is Outcome.LOADED, outcome.message
    assert outcome.counts and outcome.counts.new > 0
    run = run_row(context.database_url, outcome.run_id)
    assert run["status"] == "succeeded" and run["trigger"] == "manual"
    assert (run["source"], run["kind"], run["location"]) == ("structures", "finess", url)
    assert run["fetched"] is True and run["file_name"] == STRUCTURES_NAME
    assert run["sha256"] == hashlib.sha256(gzipped(structures())).hexdigest()
    assert run["bytes"] == len(gzipped(structures())) and run["etag"] == '"v1"'
    assert run["file_path"] is None  # the download is deleted once loaded
    assert not any((context.downloads("structures")).iterdir())


def test_an_unchanged_etag_gets_304_and_nothing_is_loaded(
    context: RunContext, http: FileServer
) -> None:
    url = loaded_first(context, http)
    before = organizations(context.database_url)
    outcome = run_source(context, source(url), "scheduled")
    assert outcome.outcome is Outcome.UNCHANGED
    assert http.headers_of("/s.json")[-1]["if-none-match"] == '"v1"'
    run = run_row(context.database_url, outcome.run_id)
    assert run["status"] == "unchanged" and run["fetched"] is False
    assert organizations(context.database_url) == before


def test_a_new_etag_on_the_same_content_is_unchanged_by_digest(
    context: RunContext, http: FileServer
) -> None:
    url = loaded_first(context, http, rotate_etag=True)
    outcome = run_source(context, source(url), "scheduled")
    assert outcome.outcome is Outcome.UNCHANGED
    assert "same content as run" in outcome.message
    run = run_row(context.database_url, outcome.run_id)
    assert run["fetched"] is True and run["etag"] == '"v2"'  # sent back next time
    run_source(context, source(url), "scheduled")
    assert http.headers_of("/s.json")[-1]["if-none-match"] == '"v2"'


def test_changed_content_is_loaded(context: RunContext, http: FileServer) -> None:
    url = loaded_first(context, http)
    http.serve("/s.json", structures(drop=(first_establishment(),)), etag='"v2"')
    outcome = run_source(context, source(url, removal_threshold=0.5), "scheduled")
    assert outcome.outcome is Outcome.LOADED
    assert outcome.counts and outcome.counts.deactivated == 1


def test_a_slow_server_times_out_and_the_data_stays(context: RunContext, http: FileServer) -> None:
    url = loaded_first(context, http)
    before = organizations(context.database_url)
    http.serve("/s.json", structures(drop=(first_establishment(),)), etag='"v2"', delay=3)
    outcome = run_source(context, source(url, timeout=0.2, retries=1), "scheduled")
    assert outcome.outcome is Outcome.FAILED
    assert "timed out" in outcome.message and "after 2 attempts" in outcome.message
    assert run_row(context.database_url, outcome.run_id)["status"] == "failed"
    assert organizations(context.database_url) == before


def test_a_truncated_gzip_is_refused_before_loading(context: RunContext, http: FileServer) -> None:
    url = loaded_first(context, http)
    before = organizations(context.database_url)
    whole = gzipped(structures(drop=(first_establishment(),)))
    http.serve("/s.json", whole[: len(whole) // 2], etag='"v2"')  # Content-Length agrees
    outcome = run_source(context, source(url), "scheduled")
    assert outcome.outcome is Outcome.FAILED
    assert "truncated or corrupt gzip" in outcome.message
    run = run_row(context.database_url, outcome.run_id)
    assert run["status"] == "failed" and run["new"] == 0 and run["file_path"] is None
    assert organizations(context.database_url) == before
    assert not any(context.downloads("structures").iterdir())


def zipped(body: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(STRUCTURES_NAME, body)
    return buffer.getvalue()


def test_a_zip_is_checked_whole_before_loading(context: RunContext, http: FileServer) -> None:
    good = zipped(structures())
    url = http.serve("/s.zip", good)
    assert run_source(context, source(url), "manual").outcome is Outcome.LOADED
    before = organizations(context.database_url)
    other = zipped(structures(drop=(first_establishment(),)))
    start = other.index(b"PK\x01\x02")  # the central directory: damage the data before it
    damaged = other[: start // 2] + bytes(64) + other[start // 2 + 64 :]
    http.serve("/s.zip", damaged, etag='"v2"')
    outcome = run_source(context, source(url), "scheduled")
    assert outcome.outcome is Outcome.FAILED
    assert "corrupt zip" in outcome.message
    assert organizations(context.database_url) == before


def test_a_server_error_is_retried(context: RunContext, http: FileServer) -> None:
    url = http.serve("/s.json", structures(), fail_first=1)
    outcome = run_source(context, source(url), "scheduled")
    assert outcome.outcome is Outcome.LOADED, outcome.message
    assert http.routes["/s.json"].hits == 2


def test_errors_that_outlast_the_retries_fail_the_run(
    context: RunContext, http: FileServer
) -> None:
    url = http.serve("/s.json", structures(), fail_first=10)
    outcome = run_source(context, source(url, retries=2), "scheduled")
    assert outcome.outcome is Outcome.FAILED
    assert "HTTP 500" in outcome.message and http.routes["/s.json"].hits == 3


def test_a_missing_file_is_not_retried(context: RunContext, http: FileServer) -> None:
    outcome = run_source(context, source(http.url + "/nothing.json"), "scheduled")
    assert outcome.outcome is Outcome.FAILED and "HTTP 404" in outcome.message
    assert len(http.headers_of("/nothing.json")) == 1


def test_a_cut_download_resumes_where_it_stopped(context: RunContext, http: FileServer) -> None:
    url = http.serve("/s.json", structures(), cut_first=1)
    outcome = run_source(context, source(url), "scheduled")
    assert outcome.outcome is Outcome.LOADED, outcome.message
    first, second = http.headers_of("/s.json")
    assert "range" not in first
    assert second["range"] == f"bytes={len(structures()) // 2}-"
    assert second["if-range"] == '"v1"'
    run = run_row(context.database_url, outcome.run_id)
    assert run["sha256"] == hashlib.sha256(structures()).hexdigest()


def test_a_cut_download_restarts_when_the_server_has_no_ranges(
    context: RunContext, http: FileServer
) -> None:
    url = http.serve("/s.json", structures(), cut_first=1, ranges=False)
    outcome = run_source(context, source(url), "scheduled")
    assert outcome.outcome is Outcome.LOADED, outcome.message
    assert run_row(context.database_url, outcome.run_id)["bytes"] == len(structures())


def test_a_partial_download_survives_to_the_next_run(tmp_path: Path, http: FileServer) -> None:
    url = http.serve("/s.json", structures(), cut_first=1)
    with pytest.raises(FetchError, match=r"after 1 attempts"):
        download(url, tmp_path, policy=FetchPolicy(timeout=5, retries=0, backoff=0))
    assert (tmp_path / "download.part").stat().st_size == len(structures()) // 2
    got = download(url, tmp_path, into=tmp_path / "2", policy=FetchPolicy(timeout=5, retries=0))
    assert got is not None and got.path == tmp_path / "2" / "s.json"
    assert got.path.read_bytes() == structures()
    assert http.headers_of("/s.json")[-1]["range"] == f"bytes={len(structures()) // 2}-"


def test_a_published_checksum_is_checked(context: RunContext, http: FileServer) -> None:
    body = structures()
    url = http.serve("/s.json", body, file_name=STRUCTURES_NAME)
    good = http.serve(
        "/good.sha256", f"{hashlib.sha256(body).hexdigest()}  {STRUCTURES_NAME}\n".encode()
    )
    bad = http.serve("/bad.sha256", f"{hashlib.md5(b'other').hexdigest()}\n".encode())
    outcome = run_source(context, source(url, checksum_url=bad), "manual")
    assert outcome.outcome is Outcome.FAILED and "published checksum" in outcome.message
    assert query(context.database_url, "SELECT count(*) FROM organization") == [(0,)]
    outcome = run_source(context, source(url, checksum_url=good), "manual")
    assert outcome.outcome is Outcome.LOADED, outcome.message


def test_a_folder_gives_its_newest_file_by_name(context: RunContext, tmp_path: Path) -> None:
    folder = tmp_path / "incoming"
    folder.mkdir()
    older = folder / "finess-structures-journalier-20261101.json"
    older.write_bytes(b"not json at all")
    newer = folder / "finess-structures-journalier-20261102-0412.json.gz"
    newer.write_bytes(gzipped(structures()))
    os.utime(older, (2e9, 2e9))  # newest by time, oldest by name: the name wins
    local = source(glob=str(folder / "finess-structures-*"))
    outcome = run_source(context, local, "scheduled")
    assert outcome.outcome is Outcome.LOADED, outcome.message
    run = run_row(context.database_url, outcome.run_id)
    assert run["file_name"] == newer.name and run["file_path"] is None
    assert newer.exists()  # a local file is never deleted
    assert run_source(context, local, "scheduled").outcome is Outcome.UNCHANGED


def test_an_empty_folder_fails_the_run(context: RunContext, tmp_path: Path) -> None:
    outcome = run_source(context, source(glob=str(tmp_path / "*.json")), "scheduled")
    assert outcome.outcome is Outcome.FAILED and "no file matches" in outcome.message


def test_a_local_path_is_loaded_where_it_is(context: RunContext) -> None:
    outcome = run_source(context, source(path=STRUCTURES), "manual")
    assert outcome.outcome is Outcome.LOADED, outcome.message
    assert STRUCTURES.exists()
