"""Run tx-ecosystem test cases against a FHIR server over HTTP, as the Java runner does.

For each test: convert the request to R4 when the server speaks R4, POST it to the operation
(GET for the metadata tests), convert the answer back to R5, scrub it and compare it with the
template; check the HTTP status against `http-code` (2xx by default). An error answer is
compared as the OperationOutcome it carries, as TxTester does. The metadata tests are compared
in pattern mode: the server may say more than the template.

The server's FHIR version is read from its CapabilityStatement (`fhirVersion`); when that fails
the runner assumes R4, like the Java runner (which asks `$versions` first). The suite's setup is
always sent inline as tx-resources (the Java runner can also preload it with $cache-control).
`batch` tests, a Bundle posted to the base, are reported as skipped: not supported here.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from terminology.conformance.cases import (
    METADATA_OPERATIONS,
    R4_VERSION,
    TxCase,
    load_cases,
    resolve_modes,
)
from terminology.conformance.convert import is_r4, to_r4, to_r5
from terminology.conformance.matcher import compare, scrub

FHIR_JSON = "application/fhir+json"
# operation -> (HTTP method, path under the FHIR base)
OPERATIONS = {
    "expand": ("POST", "ValueSet/$expand"),
    "validate-code": ("POST", "ValueSet/$validate-code"),
    "cs-validate-code": ("POST", "CodeSystem/$validate-code"),
    "lookup": ("POST", "CodeSystem/$lookup"),
    "translate": ("POST", "ConceptMap/$translate"),
    "subsumes": ("POST", "CodeSystem/$subsumes"),
    "batch-validate": ("POST", "ValueSet/$batch-validate-code"),
    "compare": ("POST", "ValueSet/$compare"),
    "metadata": ("GET", "metadata"),
    "term-caps": ("GET", "metadata?mode=terminology"),
}
TIMEOUT = 60.0  # seconds per request


@dataclass
class TxResult:
    case: TxCase
    differences: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    actual: dict | None = None  # the answer as compared: converted to R5 and scrubbed
    status: int | None = None
    skip_reason: str | None = None

    @property
    def suite(self) -> str:
        return self.case.suite

    @property
    def name(self) -> str:
        return self.case.name

    @property
    def passed(self) -> bool:
        return self.skip_reason is None and not self.differences


def run_case(
    base_url: str,
    case: TxCase,
    *,
    fhir_version: str = R4_VERSION,
    externals: Mapping[str, Mapping[str, str]] | None = None,
    timeout: float = TIMEOUT,
) -> TxResult:
    """Run one test against the FHIR base URL; never raises for what the server answers."""
    if case.skip_reason:
        return TxResult(case, skip_reason=case.skip_reason)
    if case.operation not in OPERATIONS:
        return TxResult(case, skip_reason=f"operation {case.operation!r} is not supported here")
    method, path = OPERATIONS[case.operation]
    body = to_r4(case.request) if case.request is not None and is_r4(fhir_version) else case.request
    try:
        status, raw = _exchange(method, f"{base_url.rstrip('/')}/{path}", body, case, timeout)
    except OSError as exc:
        return TxResult(case, differences=[f"{method} {path} failed: {exc}"])
    result = TxResult(case, status=status)
    if not _status_ok(case.http_code, status):
        result.differences.append(f"HTTP status {status}, expected {case.http_code}")
    _check_answer(result, raw, fhir_version, (externals or {}).get(case.response_file or "", {}))
    return result


def _check_answer(
    result: TxResult, raw: bytes, fhir_version: str, externals: Mapping[str, str]
) -> None:
    """Convert the answer to R5, scrub it and compare it with the template, into `result`."""
    case = result.case
    answer = _parse(raw)
    if answer is None:
        snippet = raw[:200].decode("utf-8", "replace")
        result.differences.append(f"the answer is not a FHIR JSON resource: {snippet!r}")
        return
    if is_r4(fhir_version):
        answer, problems = to_r5(answer)
        result.differences += problems
    result.actual = scrub(answer)
    wanted = (case.expected or {}).get("resourceType")
    if answer["resourceType"] != wanted:
        # one line says more than the cascade of differences between two kinds of resource
        result.differences.append(_wrong_type(wanted, answer))
        return
    comparison = compare(
        case.expected,
        result.actual,
        modes=case.modes,
        fhir_version=fhir_version,
        externals=externals,
        pattern=case.operation in METADATA_OPERATIONS,
    )
    result.differences += comparison.differences
    result.warnings += comparison.warnings


def run_cases(
    base_url: str,
    cases: Sequence[TxCase],
    *,
    fhir_version: str = R4_VERSION,
    externals: Mapping[str, Mapping[str, str]] | None = None,
    output: Path | None = None,
    report: Callable[[TxResult], None] = lambda _result: None,
) -> list[TxResult]:
    """Run the tests in order; `report` sees each result as it comes; failures go to `output`."""
    results = []
    for case in cases:
        result = run_case(base_url, case, fhir_version=fhir_version, externals=externals)
        if output is not None and result.differences and result.actual is not None:
            write_pair(output, result)
        report(result)
        results.append(result)
    return results


def run_folder(
    folder: Path,
    base_url: str,
    *,
    suites: Sequence[str] = (),
    name_filter: str | None = None,
    modes: Sequence[str] = (),
    externals_file: Path | None = None,
    output: Path | None = None,
    echo: Callable[[str], None] = print,
) -> int:
    """Select, run and report the tests of a folder: one line per test, then a summary.

    Returns the exit code: 0 when every test that ran passed, 1 otherwise (skipped tests, such
    as those whose response file is not in the tests folder, do not count as failures).
    """
    enabled = resolve_modes(modes)
    version = server_fhir_version(base_url)
    externals = json.loads(externals_file.read_text(encoding="utf-8")) if externals_file else None
    cases = load_cases(
        folder, modes=enabled, suites=suites, name_filter=name_filter, fhir_version=version
    )
    results = run_cases(
        base_url,
        cases,
        fhir_version=version,
        externals=externals,
        output=output,
        report=lambda result: echo(describe(result)),
    )
    echo(summary(results, base_url, enabled, version))
    return 0 if all(r.passed or r.skip_reason for r in results) and results else 1


def describe(result: TxResult, shown: int = 3) -> str:
    """A report line (PASS/FAIL/SKIP and the test), with the first differences under it."""
    if result.skip_reason:
        return f"SKIP {result.case.id}: {result.skip_reason}"
    if result.passed:
        warned = f" (warnings: {'; '.join(result.warnings)})" if result.warnings else ""
        return f"PASS {result.case.id}{warned}"
    lines = [f"FAIL {result.case.id}", *(f"    {d}" for d in result.differences[:shown])]
    if len(result.differences) > shown:
        lines.append(f"    … and {len(result.differences) - shown} more")
    return "\n".join(lines)


def summary(results: Sequence[TxResult], base_url: str, modes: Sequence[str], version: str) -> str:
    passed = sum(r.passed for r in results)
    skipped = sum(bool(r.skip_reason) for r in results)
    failed = len(results) - passed - skipped
    return (
        f"{passed} passed, {failed} failed, {skipped} skipped of {len(results)} tests "
        f"(server {base_url}, FHIR {version}, modes {'+'.join(modes) or 'none'})"
    )


def write_pair(output: Path, result: TxResult) -> None:
    """The template and the answer of a failing test, under expected/ and actual/ (as TxTester)."""
    name = result.case.response_file or f"{result.case.suite}/{result.case.name}.json"
    for side, content in (("expected", result.case.expected), ("actual", result.actual)):
        path = output / side / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def server_fhir_version(base_url: str, timeout: float = TIMEOUT) -> str:
    """The server's FHIR version from its CapabilityStatement, R4 when it cannot be read."""
    try:
        request = urllib.request.Request(f"{base_url.rstrip('/')}/metadata")
        request.add_header("Accept", FHIR_JSON)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            version = json.loads(response.read()).get("fhirVersion")
    except (OSError, ValueError, AttributeError):
        return R4_VERSION
    return version if isinstance(version, str) and version else R4_VERSION


@contextmanager
def serve_in_background(app: Callable[..., Any], host: str = "127.0.0.1") -> Iterator[str]:
    """Serve a WSGI app (our Flask app) on an ephemeral port in a thread; yields its root URL."""
    server = make_server(host, 0, app, request_handler=_QuietHandler)
    # a short poll interval, so that shutting down does not wait half a second per server
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class _QuietHandler(WSGIRequestHandler):
    """No access log: the report lines are the output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def _exchange(
    method: str, url: str, body: dict | None, case: TxCase, timeout: float
) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", FHIR_JSON)
    if data is not None:
        request.add_header("Content-Type", FHIR_JSON)
    for name, value in case.headers.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:  # a 4xx/5xx still carries an answer to compare
        with error:
            return error.code, error.read()


def _wrong_type(wanted: str | None, answer: dict) -> str:
    """The mismatch, with what an OperationOutcome says (diagnostics included: it is unscrubbed)."""
    texts = [
        issue.get("details", {}).get("text") or issue.get("diagnostics")
        for issue in answer.get("issue", [])
    ]
    said = " | ".join(t for t in texts if t)
    return f"expected a {wanted}, got a {answer['resourceType']}" + (f": {said}" if said else "")


def _parse(raw: bytes) -> dict | None:
    try:
        answer = json.loads(raw)
    except ValueError:
        return None
    return answer if isinstance(answer, dict) and "resourceType" in answer else None


def _status_ok(expected: str, status: int) -> bool:
    """`http-code` is a class (2xx, 4xx…) or an exact status (422)."""
    if len(expected) == 3 and expected.endswith("xx"):
        return str(status).startswith(expected[0])
    return str(status) == expected
