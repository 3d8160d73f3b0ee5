"""HTTP(S) download of a source file: conditional, retried with backoff, resumed when possible.

The body is written as served (`Accept-Encoding: identity`, raw bytes), so its size can be
checked against Content-Length and a `.gz` stays a `.gz`. A partial download is kept beside
its validator (`download.part` + `download.part.json`), so that a retry, or the next run,
asks only for the rest (`Range` + `If-Range`) when the server allows it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
CHECKSUM_LIMIT = 1 << 20  # a checksum file is a few lines
USER_AGENT = "annuaire (scheduled ingestion)"
CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
DISPOSITION = re.compile(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", re.IGNORECASE)
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


class FetchError(Exception):
    """The file could not be fetched (after the retries, if the error was transient)."""


class _Retry(Exception):
    """A transient failure of one attempt."""


@dataclass(frozen=True)
class FetchPolicy:
    timeout: float = 60.0  # seconds to connect, and of silence while reading
    retries: int = 3  # attempts after the first one
    backoff: float = 2.0  # seconds before the first retry, doubled before each next one


@dataclass(frozen=True)
class Validators:
    """What the server said identifies its current version of the file."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Downloaded:
    path: Path
    file_name: str  # as the server names it
    size: int
    validators: Validators
    attempts: int


class _Partial:
    """A download in progress in `folder`, and what it was a part of."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "download.part"
        self.meta_path = folder / "download.part.json"

    def resume_from(self, url: str) -> tuple[int, str | None]:
        """(bytes already there, the validator they belong to) for `url`; (0, None) if none."""
        try:
            meta = json.loads(self.meta_path.read_text())
            size = self.path.stat().st_size
        except (OSError, ValueError):
            return 0, None
        if meta.get("url") != url or not meta.get("validator") or not size:
            return 0, None
        return size, meta["validator"]

    def begin(self, url: str, validator: str | None, append: bool) -> None:
        self.meta_path.write_text(json.dumps({"url": url, "validator": validator}))
        if not append:
            self.path.write_bytes(b"")

    def size(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
        self.meta_path.unlink(missing_ok=True)

    def complete(self, target: Path) -> None:
        self.path.replace(target)
        self.meta_path.unlink(missing_ok=True)


def _client(policy: FetchPolicy) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(policy.timeout),
        follow_redirects=True,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"},
    )


def _file_name(response: httpx.Response) -> str:
    match = DISPOSITION.search(response.headers.get("content-disposition", ""))
    raw = unquote(match[1]) if match else unquote(urlsplit(str(response.url)).path)
    name = SAFE_NAME.sub("_", Path(raw.strip()).name).strip("._")
    return name or "download"


def _resume_validator(response: httpx.Response) -> str | None:
    """What If-Range may carry: a strong ETag, else Last-Modified (RFC 9110 13.1.5)."""
    etag = response.headers.get("etag")
    if etag and not etag.startswith("W/"):
        return etag
    return response.headers.get("last-modified")


def _expected_size(response: httpx.Response, offset: int, partial: _Partial) -> int | None:
    """The size of the whole file, when the server says it."""
    if response.status_code == 206:
        match = CONTENT_RANGE.fullmatch(response.headers.get("content-range", "").strip())
        if not match or int(match[1]) != offset:
            partial.discard()  # the next attempt starts from the beginning
            raise _Retry("the server resumed the download at the wrong offset")
        return int(match[3]) if match[3] != "*" else None
    length = response.headers.get("content-length")
    return int(length) if length and length.isdigit() else None


def _attempt(
    client: httpx.Client, url: str, partial: _Partial, known: Validators, into: Path
) -> tuple[Path, str, Validators] | None:
    """One GET; None when the server says the file has not changed since `known`."""
    headers = {}
    if known.etag:
        headers["If-None-Match"] = known.etag
    if known.last_modified:
        headers["If-Modified-Since"] = known.last_modified
    offset, validator = partial.resume_from(url)
    if offset:
        headers["Range"] = f"bytes={offset}-"
        headers["If-Range"] = validator
    with client.stream("GET", url, headers=headers) as response:
        status = response.status_code
        if status == 304:
            partial.discard()
            return None
        if status in RETRYABLE_STATUS:
            raise _Retry(f"HTTP {status} {response.reason_phrase}")
        if status not in (200, 206):
            raise FetchError(f"HTTP {status} {response.reason_phrase} from {_shown(url)}")
        if status == 200:
            offset = 0  # the server ignored the range, or the file changed: start again
        expected = _expected_size(response, offset, partial)
        partial.begin(url, _resume_validator(response), append=status == 206)
        with partial.path.open("ab") as out:
            for chunk in response.iter_raw():
                out.write(chunk)
        size = partial.size()
        if expected is not None and size != expected:
            if size > expected:  # not a prefix of the file: resuming from it would corrupt it
                partial.discard()
            raise _Retry(f"received {size:,} of {expected:,} bytes")
        name = _file_name(response)
        into.mkdir(parents=True, exist_ok=True)
        final = into / name
        partial.complete(final)
        found = Validators(response.headers.get("etag"), response.headers.get("last-modified"))
        return final, name, found


def download(
    url: str,
    folder: Path,
    *,
    into: Path | None = None,
    known: Validators = Validators(),
    policy: FetchPolicy = FetchPolicy(),
    sleep: Callable[[float], None] = time.sleep,
) -> Downloaded | None:
    """Fetch `url` into the folder `into` (default `folder`) under the server's name for
    the file, the partial download staying in `folder` meanwhile; None when the server
    answers 304 Not Modified to the validators `known`. Raises FetchError."""
    folder.mkdir(parents=True, exist_ok=True)
    partial = _Partial(folder)
    last: Exception | None = None
    with _client(policy) as client:
        for attempt in range(policy.retries + 1):
            if attempt:
                sleep(policy.backoff * 2 ** (attempt - 1))
            try:
                got = _attempt(client, url, partial, known, into or folder)
            except (_Retry, httpx.TransportError) as exc:
                last = exc
                continue
            except httpx.HTTPError as exc:  # redirect loops, bad URLs: not worth retrying
                raise FetchError(f"{_shown(url)}: {_one_line(exc)}") from exc
            if got is None:
                return None
            path, name, validators = got
            return Downloaded(path, name, path.stat().st_size, validators, attempt + 1)
    raise FetchError(f"{_shown(url)}: {_one_line(last)} (after {policy.retries + 1} attempts)")


def fetch_text(url: str, policy: FetchPolicy, sleep: Callable[[float], None] = time.sleep) -> str:
    """A small text document (a checksum file), with the same retries."""
    last: Exception | None = None
    with _client(policy) as client:
        for attempt in range(policy.retries + 1):
            if attempt:
                sleep(policy.backoff * 2 ** (attempt - 1))
            try:
                response = client.get(url)
            except httpx.TransportError as exc:
                last = exc
                continue
            except httpx.HTTPError as exc:
                raise FetchError(f"{_shown(url)}: {_one_line(exc)}") from exc
            if response.status_code in RETRYABLE_STATUS:
                last = _Retry(f"HTTP {response.status_code} {response.reason_phrase}")
                continue
            if response.status_code != 200:
                raise FetchError(
                    f"HTTP {response.status_code} {response.reason_phrase} from {_shown(url)}"
                )
            return response.content[:CHECKSUM_LIMIT].decode("utf-8", "replace")
    raise FetchError(f"{_shown(url)}: {_one_line(last)} (after {policy.retries + 1} attempts)")


def _shown(url: str) -> str:
    """The URL without credentials, for messages and logs."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


def _one_line(exc: Exception | None) -> str:
    text = str(exc) if exc is not None else ""
    return " ".join(text.split()) or type(exc).__name__
