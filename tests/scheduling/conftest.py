"""A real HTTP server on loopback serving source files, and runs set up against it."""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import pytest

from loaders.scheduling.config import SourceConfig
from loaders.scheduling.run import RunContext
from tests.conftest import FIXTURES

STRUCTURES = FIXTURES / "finess" / "finess-structures-journalier-20261102.json"
STRUCTURES_NAME = STRUCTURES.name


@dataclass
class Route:
    """What the server answers on one path; it changes as a test goes on."""

    body: bytes
    etag: str | None = '"v1"'
    rotate_etag: bool = False  # a new ETag on every answer, content unchanged
    last_modified: str | None = "Mon, 02 Nov 2026 04:12:09 GMT"
    delay: float = 0.0  # seconds of silence before answering
    fail_first: int = 0  # answers 500 to this many first requests
    cut_first: int = 0  # sends half the body then closes, on this many first requests
    ranges: bool = True
    file_name: str | None = None  # sent in Content-Disposition
    hits: int = 0

    def current_etag(self) -> str | None:
        return f'"v{self.hits}"' if self.rotate_etag else self.etag


@dataclass
class FileServer:
    url: str
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def serve(self, path: str, body: bytes, **options: object) -> str:
        self.routes[path] = Route(body, **options)  # type: ignore[arg-type]
        return self.url + path

    def headers_of(self, path: str) -> list[dict[str, str]]:
        return [headers for requested, headers in self.requests if requested == path]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:  # noqa: N802
        files = self.server.files
        files.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        route = files.routes.get(self.path)
        if route is None:
            self._answer(404, b"not found")
            return
        route.hits += 1
        if route.delay:
            time.sleep(route.delay)
        if route.hits <= route.fail_first:
            self._answer(500, b"try again")
            return
        etag = route.current_etag()
        if etag and self.headers.get("If-None-Match") == etag:
            self._answer(304, b"", {"ETag": etag})
            return
        start = self._range_start(route, etag)
        body = route.body[start:]
        headers = {k: v for k, v in (("ETag", etag), ("Last-Modified", route.last_modified)) if v}
        if route.ranges:
            headers["Accept-Ranges"] = "bytes"
        if route.file_name:
            headers["Content-Disposition"] = f'attachment; filename="{route.file_name}"'
        if start:
            headers["Content-Range"] = f"bytes {start}-{len(route.body) - 1}/{len(route.body)}"
        if route.hits <= route.cut_first:
            self._answer(206 if start else 200, body[: len(body) // 2], headers, len(body))
            self.close_connection = True
            return
        self._answer(206 if start else 200, body, headers)

    def _range_start(self, route: Route, etag: str | None) -> int:
        requested = self.headers.get("Range")
        if not requested or not route.ranges:
            return 0
        if_range = self.headers.get("If-Range")
        if if_range and if_range not in (etag, route.last_modified):
            return 0
        return int(requested.removeprefix("bytes=").split("-")[0])

    def _answer(
        self, status: int, body: bytes, headers: dict | None = None, length: int | None = None
    ) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        try:
            self.wfile.write(body)
            self.wfile.flush()
        except OSError:  # the client gave up (timeout tests)
            self.close_connection = True

    def log_message(self, *_args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a slow answer may still be sleeping when a test ends
    files: FileServer


@pytest.fixture
def http() -> Iterator[FileServer]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.files = FileServer(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server.files
    server.shutdown()
    server.server_close()


@pytest.fixture
def context(clean_db: str, tmp_path: Path) -> RunContext:
    """Runs on the test database, downloading under tmp_path, with short waits."""
    return RunContext(
        database_url=clean_db, home=tmp_path / "home", backoff=0.01, lock_poll=0.05, lock_wait=30
    )


def source(url: str | None = None, **options: object) -> SourceConfig:
    values: dict = {"name": "structures", "kind": "finess", "schedule": "0 5 * * *"}
    values.update(timezone="UTC", timeout=5.0, retries=2)
    if url is not None:
        values["url"] = url
    values.update(options)
    return SourceConfig(**values)


def structures(drop: tuple[str, ...] = ()) -> bytes:
    """The FINESS+ fixture, without the establishments numbered in `drop`."""
    if not drop:
        return STRUCTURES.read_bytes()
    data = json.loads(STRUCTURES.read_text())
    for pm in data["pmej"]:
        pm["ege"] = [
            e for e in pm["ege"] if e["informationsGeneralesEGE"]["numFinessEge"] not in drop
        ]
    return json.dumps(data, ensure_ascii=False).encode()


def gzipped(body: bytes) -> bytes:
    return gzip.compress(body, mtime=0)


def first_establishment() -> str:
    data = json.loads(STRUCTURES.read_text())
    return data["pmej"][0]["ege"][0]["informationsGeneralesEGE"]["numFinessEge"]


def query(url: str, sql: str, *params: object) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def organizations(url: str) -> list[tuple]:
    """Every organization with its state and content: what a run must leave intact."""
    return query(url, "SELECT id, active, content_hash FROM organization ORDER BY id")


def run_row(url: str, run_id: int) -> dict:
    with psycopg.connect(url) as conn:
        cur = conn.execute("SELECT * FROM load_run WHERE id = %s", (run_id,))
        row = cur.fetchone()
        assert row is not None
        return dict(zip([d.name for d in cur.description or ()], row, strict=True))


def wait_for(check: Callable[[], object], seconds: float = 30.0) -> object:
    """Poll `check` until it returns something true (a background run to finish)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.05)
    raise AssertionError("the awaited condition never came true")
