"""Read a tx-ecosystem tests folder and build each test's request the way the Java runner does.

The folder has the layout of HL7/fhir-tx-ecosystem-ig `tests/`: `test-cases.json` lists suites,
each with `setup` files (the CodeSystems, ValueSets and ConceptMaps the tests need) and `tests`.
As in TxTester.runTest, the request of a test is its request `Parameters`, then one
`tx-resource` parameter per setup resource of its suite, then the parameters of its `profile`
file (by default `parameters-default.json`). Everything here stays in R5, the version the files
are written in; `convert` turns a request into R4 when the server speaks R4.

Selection follows the runner and testcases.md:
- a suite or test with `mode`/`modes` runs only when one of its modes is enabled; `general` is
  enabled unless `!general` is given;
- `version` ("4.0", "!4.0") compares with the server's FHIR version;
- `disabled` tests are skipped;
- `request:{mode}` / `response:{mode}` replace `request` / `response` when that mode is enabled.
Suites that are not selected are left out; tests of a selected suite that cannot run carry a
`skip_reason`, so that a report can say why (a mode not enabled, a file not in the tests folder…).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

DEFAULT_MODES = ("general",)
R4_VERSION = "4.0.1"
DEFAULT_PROFILE = "parameters-default.json"
# Operations with no request: the runner reads the server's metadata instead.
METADATA_OPERATIONS = frozenset({"metadata", "term-caps"})


class FolderError(Exception):
    """The tests folder cannot be read: no test-cases.json, or a file that is not JSON."""


@dataclass(frozen=True)
class TxCase:
    """One test, ready to send: the request is complete and still in R5."""

    suite: str
    name: str
    operation: str
    modes: tuple[str, ...]  # the modes the test was selected with (the matcher needs them)
    description: str = ""
    request: dict | None = None
    expected: dict | None = None
    response_file: str | None = None  # as named in test-cases.json: the key of externals files
    http_code: str = "2xx"
    headers: dict[str, str] = field(default_factory=dict)
    variant: str | None = None  # the mode whose request:/response: alternative was chosen
    skip_reason: str | None = None

    @property
    def id(self) -> str:
        suffix = f"[{self.variant}]" if self.variant else ""
        return f"{self.suite}/{self.name}{suffix}"


def resolve_modes(given: Sequence[str] = ()) -> tuple[str, ...]:
    """The enabled modes: `general` first unless `!general` is given, then the others in order."""
    modes = [] if "!general" in given else ["general"]
    for mode in given:
        if not mode.startswith("!") and mode not in modes:
            modes.append(mode)
    return tuple(modes)


def load_cases(
    folder: Path,
    *,
    modes: Sequence[str] = DEFAULT_MODES,
    suites: Collection[str] = (),
    name_filter: str | None = None,
    fhir_version: str = R4_VERSION,
) -> list[TxCase]:
    """The tests of the selected suites, in file order; those that cannot run have a reason."""
    registry = _read_json(folder, "test-cases.json")
    if registry is None:
        raise FolderError(
            f"{folder}: no test-cases.json (expected the layout of tx-ecosystem tests/)"
        )
    return [
        case
        for suite in registry.get("suites", [])
        if (not suites or suite.get("name") in suites)
        and not suite.get("disabled")
        and _passes_modes(suite, modes)
        and _passes_version(suite, fhir_version)
        for case in _suite_cases(folder, suite, tuple(modes), name_filter, fhir_version)
    ]


def _suite_cases(
    folder: Path,
    suite: dict,
    modes: tuple[str, ...],
    name_filter: str | None,
    fhir_version: str,
) -> list[TxCase]:
    setup: list[dict] = []
    missing_setup = None
    for name in suite.get("setup", []):
        resource = _read_json(folder, name)
        if resource is None:
            missing_setup = missing_setup or f"setup file not in the tests folder: {name}"
        else:
            setup.append(resource)
    cases = []
    for test in suite.get("tests", []):
        if name_filter and name_filter not in test.get("name", ""):
            continue
        case = _case(folder, suite["name"], test, modes, setup, fhir_version)
        if missing_setup and not case.skip_reason:
            case = _skipped(case, missing_setup)
        cases.append(case)
    return cases


def _case(
    folder: Path,
    suite: str,
    test: dict,
    modes: tuple[str, ...],
    setup: list[dict],
    fhir_version: str,
) -> TxCase:
    request_file, request_variant = _choose(test, "request", modes)
    response_file, response_variant = _choose(test, "response", modes)
    case = TxCase(
        suite=suite,
        name=test["name"],
        operation=test.get("operation", ""),
        modes=modes,
        description=test.get("description") or test.get("explanation") or "",
        response_file=response_file,
        http_code=str(test.get("http-code", "2xx")),
        headers=_headers(test, modes),
        variant=response_variant or request_variant,
    )
    reason = _not_selected(test, modes, fhir_version)
    if reason:
        return _skipped(case, reason)
    if not response_file:
        return _skipped(case, "no response file in test-cases.json")
    expected = _read_json(folder, response_file)
    if expected is None:
        return _skipped(case, f"response file not in the tests folder: {response_file}")
    case = replace(case, expected=expected)
    if case.operation in METADATA_OPERATIONS:
        return case
    profile_file = test.get("profile", DEFAULT_PROFILE)
    profile = _read_json(folder, profile_file)
    if profile is None:
        return _skipped(case, f"profile file not in the tests folder: {profile_file}")
    if not request_file:
        return _skipped(case, "no request file in test-cases.json")
    request = _read_json(folder, request_file)
    if request is None:
        return _skipped(case, f"request file not in the tests folder: {request_file}")
    return replace(case, request=_full_request(request, setup, profile))


def _full_request(request: dict, setup: list[dict], profile: dict) -> dict:
    """The request, then a tx-resource per setup resource, then the profile (TxTester order)."""
    full = copy.deepcopy(request)
    parameters = full.setdefault("parameter", [])
    parameters.extend({"name": "tx-resource", "resource": copy.deepcopy(r)} for r in setup)
    parameters.extend(copy.deepcopy(profile.get("parameter", [])))
    return full


def _choose(test: dict, name: str, modes: Sequence[str]) -> tuple[str | None, str | None]:
    """The file for `name`, preferring the alternative of the first enabled mode that has one."""
    for mode in modes:
        if f"{name}:{mode}" in test:
            return test[f"{name}:{mode}"], mode
    return test.get(name), None


def _headers(test: dict, modes: Sequence[str]) -> dict[str, str]:
    headers = {}
    if test.get("Accept-Language"):
        headers["Accept-Language"] = test["Accept-Language"]
    header = test.get("header")
    if header and (not header.get("mode") or header["mode"] in modes):
        headers[header["name"]] = header["value"]
    return headers


def _not_selected(test: dict, modes: Sequence[str], fhir_version: str) -> str | None:
    if test.get("disabled"):
        return "disabled in test-cases.json"
    if not _passes_modes(test, modes):
        wanted = test.get("modes") or [test.get("mode")]
        return f"mode {'/'.join(wanted)} not enabled"
    if not _passes_version(test, fhir_version):
        return f"for FHIR version {test['version']}, the server is {fhir_version}"
    return None


def _passes_modes(item: dict, modes: Sequence[str]) -> bool:
    wanted = item.get("modes") or ([item["mode"]] if "mode" in item else [])
    return not wanted or any(mode in modes for mode in wanted)


def _passes_version(item: dict, fhir_version: str) -> bool:
    """`"4.0"` matches 4.0 and 4.0.x; `"!4.0"` matches every other version."""
    spec = item.get("version")
    if not spec:
        return True
    negated = spec.startswith("!")
    spec = spec.lstrip("!")
    matches = fhir_version == spec or fhir_version.startswith(spec + ".")
    return matches != negated


def _read_json(folder: Path, name: str) -> Any:
    """The parsed file, or None when it does not exist."""
    path = folder / name
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except ValueError as exc:
        raise FolderError(f"{path}: not valid JSON ({exc})") from exc


def _skipped(case: TxCase, reason: str) -> TxCase:
    return replace(case, skip_reason=reason)
