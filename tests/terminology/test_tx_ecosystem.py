"""Terminology test cases in the HL7 tx-ecosystem format, against our application over HTTP,
on real PostgreSQL.

One test per selected case of:
- the suites copied to ../shared/data/terminology/tx-ecosystem-tests (metadata, simple-cases,
  deprecated, inactive, translate, search, case) in `general` mode, plus the three paging cases
  of simple-cases that the suite reserves to tx.fhir.org's own QA (we pass them too);
- our own NOS suite, tests/fixtures/tx-nos (dateFin lifecycle, French filter, designations, a
  JDV over a TRE named by OID).
A case the runner cannot run (a response file not in the tests folder) is skipped with its
reason; the others must match their template as the Java runner would judge them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from terminology.conformance.cases import TxCase, load_cases, resolve_modes
from terminology.conformance.runner import run_case, serve_in_background
from tests.conftest import FIXTURES, SHARED_DATA

FOLDER = SHARED_DATA / "terminology" / "tx-ecosystem-tests"
SUITES = ("metadata", "simple-cases", "deprecated", "inactive", "translate", "search", "case")
SHARED_PRESENT = (FOLDER / "test-cases.json").is_file()

CASES = load_cases(FIXTURES / "tx-nos") + (
    load_cases(FOLDER, modes=resolve_modes(["tx.fhir.org"]), suites=SUITES)
    if SHARED_PRESENT
    else []
)


@pytest.fixture
def fhir_base(app) -> Iterator[str]:  # noqa: ANN001
    with serve_in_background(app) as root:
        yield f"{root}/fhir"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_tx_ecosystem_case(case: TxCase, fhir_base: str) -> None:
    result = run_case(fhir_base, case)
    if result.skip_reason:
        pytest.skip(result.skip_reason)
    if result.differences:
        differences = "\n".join(f"  {d}" for d in result.differences)
        pytest.fail(f"{case.id} ({case.operation}): {case.description}\n{differences}", False)


@pytest.mark.skipif(not SHARED_PRESENT, reason=f"../shared/data not present ({FOLDER})")
def test_a_response_missing_upstream_is_a_skip_with_its_reason() -> None:
    # search-all-yes names a `response:flat` file that the upstream suite does not have
    flat = {case.id: case for case in load_cases(FOLDER, modes=resolve_modes(["flat"]))}
    assert flat["search/search-all-yes[flat]"].skip_reason == (
        "response file not in the tests folder: search/search-expand-all-yes-flat-response.json"
    )


@pytest.mark.skipif(not SHARED_PRESENT, reason=f"../shared/data not present ({FOLDER})")
def test_every_copied_suite_is_run() -> None:
    assert {case.suite for case in CASES} == {*SUITES, "nos"}
    assert sum(case.suite != "nos" for case in CASES) == 57  # 55 cases + the 2 metadata ones
