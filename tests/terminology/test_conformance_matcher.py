"""The tx-ecosystem harness on small inline templates: matcher, scrubbing, R4/R5, cases, runner.

No database and no ../shared here: the runner is exercised against a stub WSGI server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from terminology.conformance.cases import TxCase, load_cases, resolve_modes
from terminology.conformance.convert import (
    EXT_CONTAINS_PROPERTY,
    EXT_EXPANSION_PROPERTY,
    EXT_FILTER_OP,
    to_r4,
    to_r5,
)
from terminology.conformance.matcher import compare, match, scrub
from terminology.conformance.runner import describe, run_case, run_folder, serve_in_background

SIMPLE = "http://hl7.org/fhir/test/CodeSystem/simple"
MESSAGE_ID = "http://hl7.org/fhir/StructureDefinition/operationoutcome-message-id"


# Placeholders


@pytest.mark.parametrize(
    ("template", "good", "bad"),
    [
        ("$$", "anything at all", None),
        ("$id$", "simple-all", "not an id!"),
        ("$uuid$", "urn:uuid:8acdbfdc-e9d2-11ed-a05b-0242ac120003", "8acdbfdc-e9d2-11ed"),
        ("$url$", "http://hl7.org/fhir/ValueSet/x", "not a url"),
        ("$token$", "active", "two words"),
        ("$string$", "Display 1", " padded "),
        ("$date$", "2023-04-01", "01/04/2023"),
        ("$instant$", "2026-08-07T11:41:10.123+10:00", "2026-08-07"),
        ("$semver$", "1.9.4", "1.9"),
        ("$version$", "4.0.1", "5.0.0"),
        ("$choice:active|retired$", "retired", "draft"),
        ("$fragments:Unknown|code1x$", "unknown code 'code1x' here", "Unknown code"),
        ("$external:1$", "any wording, without an externals file", None),
        ("$external:1:http://x/vs|code1$", "code1 is not in http://x/vs", "code1 is not in"),
        ("http://x/vs|$version$", "http://x/vs|4.0.1", "http://x/vs|$version$"),
    ],
)
def test_each_placeholder_accepts_its_kind_only(template: str, good: str, bad: str | None) -> None:
    assert match({"v": template}, {"v": good}) == []
    if bad is not None:
        assert match({"v": template}, {"v": bad}) != []


def test_external_uses_the_externals_text_when_given() -> None:
    template = {"v": "$external:2:code1$"}
    externals = {"2": "Unknown code 'code1'"}
    assert match(template, {"v": "Unknown code 'code1'"}, externals=externals) == []
    assert match(template, {"v": "The code1 is unknown"}, externals=externals) != []
    assert match(template, {"v": "The code1 is unknown"}) == []  # fragments without externals


def test_primitives_compare_by_type_and_value() -> None:
    assert match({"total": 7, "b": True}, {"total": 7, "b": True}) == []
    assert match({"b": True}, {"b": 1}) == ["$.b: expected true, got 1"]
    assert match({"total": 7}, {"total": "7"}) == ['$.total: expected 7, got "7"']


# Objects


def test_a_mismatch_is_reported_with_its_path() -> None:
    expected = {"expansion": {"contains": [{"code": "code1", "display": "Display 1"}]}}
    actual = {"expansion": {"contains": [{"code": "code1", "display": "Display one"}]}}
    differences = match(expected, actual)
    assert differences[0].startswith("$.expansion.contains: expected item [0] not found")
    assert (
        differences[1] == '$.expansion.contains[0].display: expected "Display 1", got "Display one"'
    )


def test_optional_properties_may_be_missing_but_not_different() -> None:
    expected = {"$optional-properties$": ["id", "date"], "id": "$id$", "date": "$date$", "v": 1}
    assert match(expected, {"v": 1}) == []
    assert match(expected, {"v": 1, "id": "x y"}) == [
        '$.id: expected $id$ (a value of that kind), got "x y"'
    ]
    assert match({"$optional-properties$": ["*"], "a": 1, "b": 2}, {}) == []


def test_missing_and_unexpected_properties_are_differences() -> None:
    assert match({"a": 1, "b": 2}, {"a": 1, "c": 3}) == [
        "$.c: unexpected property 3",
        "$.b: missing property, expected 2",
    ]
    # an optional property can still not be anything the template does not know
    assert match({"$optional-properties$": ["b"], "a": 1}, {"a": 1, "b": 2}) == []


def test_pattern_mode_ignores_what_the_template_does_not_name() -> None:
    expected = {"rest": [{"mode": "server"}]}
    actual = {"rest": [{"mode": "client"}, {"mode": "server", "resource": []}], "extra": 1}
    assert match(expected, actual, pattern=True) == []
    assert match(expected, actual) != []


def test_count_arrays_compares_lengths_only() -> None:
    expected = {"$count-arrays$": ["contains"], "contains": [{"code": "a"}, {"code": "b"}]}
    assert match(expected, {"contains": [{"code": "x"}, {"code": "y"}]}) == []
    assert match(expected, {"contains": [{"code": "a"}]}) == ["$.contains: expected 2 items, got 1"]


# Arrays


def test_array_order_does_not_matter() -> None:
    expected = {"parameter": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}
    assert match(expected, {"parameter": [{"name": "c"}, {"name": "a"}, {"name": "b"}]}) == []


def test_each_expected_item_needs_its_own_actual_item() -> None:
    assert match({"x": ["a", "a"]}, {"x": ["a"]}) != []
    # a loose expected item must not take the item a precise one needs
    expected = {"x": [{"code": "$$"}, {"code": "k"}]}
    assert match(expected, {"x": [{"code": "k"}, {"code": "z"}]}) == []


def test_an_unexpected_item_is_reported_with_its_index() -> None:
    differences = match({"x": [{"code": "a"}]}, {"x": [{"code": "a"}, {"code": "b"}]})
    assert differences == ['$.x[1]: unexpected item {"code":"b"}']


def test_optional_items_may_be_absent() -> None:
    expected = {"p": [{"name": "result"}, {"$optional$": True, "name": "display"}]}
    assert match(expected, {"p": [{"name": "result"}]}) == []
    assert match(expected, {"p": [{"name": "result"}, {"name": "display"}]}) == []
    assert match(expected, {"p": [{"name": "result"}, {"name": "other"}]}) != []
    # an array of optional items may be missing as a whole
    assert match({"extension": [{"$optional$": True, "url": "u"}]}, {}) == []


def test_optional_filters_follow_modes_and_version() -> None:
    expected = {"p": [{"name": "result"}, {"$optional$": "!tx.fhir.org", "name": "id"}]}
    actual = {"p": [{"name": "result"}]}
    assert match(expected, actual, modes=["general"]) == []
    assert match(expected, actual, modes=["general", "tx.fhir.org"]) != []
    versioned = {"p": [{"name": "result"}, {"$optional$": "version:4", "name": "relationship"}]}
    assert match(versioned, actual, fhir_version="4.0.1") == []
    assert match(versioned, actual, fhir_version="5.0.0") != []


def test_warning_optional_items_pass_with_a_warning() -> None:
    expected = {"p": [{"name": "result"}, {"$optional$": "warning:version", "name": "version"}]}
    comparison = compare(expected, {"p": [{"name": "result"}]})
    assert comparison.matches
    assert comparison.warnings == ['$.p: version: an optional item is missing {"name":"version"}']


def test_only_items_are_required_in_their_version_and_absent_elsewhere() -> None:
    expected = {"p": [{"name": "result"}, {"$only$": "version:4", "name": "equivalence"}]}
    both = {"p": [{"name": "result"}, {"name": "equivalence"}]}
    assert match(expected, both, fhir_version="4.0.1") == []
    assert match(expected, {"p": [{"name": "result"}]}, fhir_version="4.0.1") != []
    assert match(expected, {"p": [{"name": "result"}]}, fhir_version="5.0.0") == []
    assert match(expected, both, fhir_version="5.0.0") == [
        "$.p[1]: present, but the template limits it to version:4"
    ]


# Scrubbing


def test_scrub_removes_what_the_runner_does_not_control() -> None:
    value_set = {
        "resourceType": "ValueSet",
        "meta": {"lastUpdated": "2026-01-01T00:00:00Z"},
        "text": {"status": "generated", "div": "<div/>"},
        "extension": [{"url": "http://example.org/ours"}, {"url": "relative"}],
        "compose": {"include": [{"extension": [{"url": "http://example.org/kept"}]}]},
        "expansion": {
            "contains": [{"code": "a", "_display": {"extension": [{"url": "http://x"}]}}]
        },
    }
    assert scrub(value_set) == {
        "resourceType": "ValueSet",
        "extension": [{"url": "relative"}],
        "compose": {"include": [{"extension": [{"url": "http://example.org/kept"}]}]},
        "expansion": {"contains": [{"code": "a"}]},
    }


def test_scrub_parameters_and_their_outcome() -> None:
    parameters = {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "diagnostics", "valueString": "took 3 ms"},
            {"name": "message", "valueString": "b problem; a problem"},
            {
                "name": "issues",
                "resource": {
                    "resourceType": "OperationOutcome",
                    "issue": [
                        {"severity": "information", "diagnostics": "trace only"},
                        {
                            "severity": "error",
                            "extension": [{"url": MESSAGE_ID, "valueString": "X"}],
                            "details": {"text": "bad"},
                            "diagnostics": "stack",
                        },
                    ],
                },
            },
        ],
    }
    assert scrub(parameters)["parameter"] == [
        {"name": "message", "valueString": "a problem; b problem"},
        {
            "name": "issues",
            "resource": {
                "resourceType": "OperationOutcome",
                "issue": [
                    {
                        "severity": "error",
                        "extension": [{"url": MESSAGE_ID, "valueString": "X"}],
                        "details": {"text": "bad"},
                    }
                ],
            },
        },
    ]


# R5 <-> R4


def _value_set(op: str) -> dict:
    return {
        "resourceType": "ValueSet",
        "compose": {
            "include": [
                {"system": SIMPLE, "filter": [{"property": "concept", "op": op, "value": "code2"}]}
            ]
        },
    }


def test_child_of_travels_as_an_extension_in_r4() -> None:
    request = {
        "resourceType": "Parameters",
        "parameter": [{"name": "tx-resource", "resource": _value_set("child-of")}],
    }
    converted = to_r4(request)
    value_filter = converted["parameter"][0]["resource"]["compose"]["include"][0]["filter"][0]
    assert value_filter == {
        "property": "concept",
        "_op": {"extension": [{"url": EXT_FILTER_OP, "valueCode": "child-of"}]},
        "value": "code2",
    }
    assert request["parameter"][0]["resource"] == _value_set("child-of")  # input untouched
    assert to_r5(converted) == (request, [])
    assert to_r4(_value_set("is-a")) == _value_set("is-a")


def test_expansion_properties_are_extensions_in_r4() -> None:
    r5 = {
        "resourceType": "ValueSet",
        "expansion": {
            "property": [
                {"code": "status", "uri": "http://hl7.org/fhir/concept-properties#status"}
            ],
            "contains": [
                {
                    "code": "code2",
                    "property": [{"code": "status", "valueCode": "retired"}],
                    "contains": [
                        {"code": "code2a", "property": [{"code": "prop", "valueString": "x"}]}
                    ],
                }
            ],
        },
    }
    r4 = to_r4(r5)
    assert r4["expansion"]["extension"] == [
        {
            "url": EXT_EXPANSION_PROPERTY,
            "extension": [
                {"url": "code", "valueCode": "status"},
                {"url": "uri", "valueUri": "http://hl7.org/fhir/concept-properties#status"},
            ],
        }
    ]
    contains = r4["expansion"]["contains"][0]
    assert "property" not in contains
    assert contains["extension"] == [
        {
            "url": EXT_CONTAINS_PROPERTY,
            "extension": [
                {"url": "code", "valueCode": "status"},
                {"url": "value", "valueCode": "retired"},
            ],
        }
    ]
    assert to_r5(r4) == (r5, [])


def test_an_r4_answer_with_r5_properties_is_a_problem() -> None:
    answer = {
        "resourceType": "ValueSet",
        "expansion": {"contains": [{"code": "a", "property": []}]},
    }
    _, problems = to_r5(
        {"resourceType": "Parameters", "parameter": [{"name": "x", "resource": answer}]}
    )
    assert problems == [
        "ValueSet.expansion.contains.property is R5 only: an R4 server returns it as the extension "
        + EXT_CONTAINS_PROPERTY
    ]


def test_concept_map_relationships_become_equivalences() -> None:
    r5 = {
        "resourceType": "ConceptMap",
        "identifier": [{"value": "1"}, {"value": "2"}],
        "sourceScopeUri": "http://x/vs/source",
        "targetScopeCanonical": "http://x/vs/target",
        "group": [
            {
                "source": "http://x/cs/source|1.0",
                "target": "http://x/cs/target",
                "element": [
                    {"code": "a", "target": [{"code": "1", "relationship": "equivalent"}]},
                    {
                        "code": "b",
                        "target": [{"code": "2", "relationship": "source-is-broader-than-target"}],
                    },
                    {
                        "code": "c",
                        "target": [{"code": "3", "relationship": "source-is-narrower-than-target"}],
                    },
                    {"code": "d", "target": [{"code": "4", "relationship": "not-related-to"}]},
                    {"code": "e", "target": [{"code": "5"}]},
                    {"code": "f", "noMap": True},
                ],
                "unmapped": {"mode": "use-source-code", "relationship": "related-to"},
            }
        ],
    }
    r4 = to_r4(r5)
    assert r4["identifier"] == {"value": "1"}
    assert (r4["sourceUri"], r4["targetCanonical"]) == ("http://x/vs/source", "http://x/vs/target")
    group = r4["group"][0]
    assert (group["source"], group["sourceVersion"], group["target"]) == (
        "http://x/cs/source",
        "1.0",
        "http://x/cs/target",
    )
    equivalences = [e["target"][0]["equivalence"] for e in group["element"]]
    assert equivalences == ["equivalent", "narrower", "wider", "disjoint", "relatedto", "unmatched"]
    assert all("relationship" not in e["target"][0] for e in group["element"])
    assert group["unmapped"] == {"mode": "provided"}


# Test folders


def _write(folder: Path, name: str, content: dict) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content))


EXPECTED_VS = {"resourceType": "ValueSet", "expansion": {"contains": [{"code": "a"}]}}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A tests folder in the tx-ecosystem layout, with one file not in the tests folder."""
    test = {"operation": "expand", "request": "s/req.json", "response": "s/resp.json"}
    _write(
        tmp_path,
        "test-cases.json",
        {
            "suites": [
                {
                    "name": "s",
                    "mode": "general",
                    "setup": ["s/cs.json"],
                    "tests": [
                        {**test, "name": "plain", "Accept-Language": "fr"},
                        {**test, "name": "flat-too", "response:flat": "s/missing.json"},
                        {**test, "name": "internal", "mode": "tx.fhir.org"},
                        {**test, "name": "r5-only", "version": "!4.0"},
                        {**test, "name": "off", "disabled": True},
                    ],
                },
                {
                    "name": "other",
                    "mode": "snomed",
                    "setup": [],
                    "tests": [{**test, "name": "sct"}],
                },
            ]
        },
    )
    _write(tmp_path, "s/cs.json", {"resourceType": "CodeSystem", "url": SIMPLE})
    _write(
        tmp_path,
        "s/req.json",
        {"resourceType": "Parameters", "parameter": [{"name": "url", "valueUri": "u"}]},
    )
    _write(tmp_path, "s/resp.json", EXPECTED_VS)
    _write(
        tmp_path,
        "parameters-default.json",
        {"resourceType": "Parameters", "parameter": [{"name": "uuid", "valueUuid": "urn:uuid:1"}]},
    )
    return tmp_path


def test_load_cases_builds_requests_as_the_java_runner(folder: Path) -> None:
    cases = {case.name: case for case in load_cases(folder)}
    assert list(cases) == [
        "plain",
        "flat-too",
        "internal",
        "r5-only",
        "off",
    ]  # snomed suite left out
    plain = cases["plain"]
    assert plain.skip_reason is None
    assert plain.headers == {"Accept-Language": "fr"}
    assert plain.expected == EXPECTED_VS
    assert [p["name"] for p in plain.request["parameter"]] == ["url", "tx-resource", "uuid"]
    assert plain.request["parameter"][1]["resource"]["url"] == SIMPLE
    assert cases["internal"].skip_reason == "mode tx.fhir.org not enabled"
    assert cases["r5-only"].skip_reason == "for FHIR version !4.0, the server is 4.0.1"
    assert cases["off"].skip_reason == "disabled in test-cases.json"


def test_a_missing_response_file_is_a_skip_with_its_reason(folder: Path) -> None:
    flat = {c.name: c for c in load_cases(folder, modes=resolve_modes(["flat"]))}["flat-too"]
    assert flat.variant == "flat"
    assert flat.skip_reason == "response file not in the tests folder: s/missing.json"


def test_selection_by_suite_name_and_modes(folder: Path) -> None:
    assert [c.name for c in load_cases(folder, name_filter="lat")] == ["flat-too"]
    assert [c.name for c in load_cases(folder, suites=["other"], modes=["snomed"])] == ["sct"]
    assert resolve_modes(["flat", "!general"]) == ("flat",)
    assert resolve_modes(["flat"]) == ("general", "flat")


# The runner, against a stub server


class StubServer:
    """A WSGI app answering every request with `answer`, and keeping what it received."""

    def __init__(self) -> None:
        self.answer: tuple[int, dict] = (200, {})
        self.received: list[dict] = []

    def __call__(self, environ: dict, start_response):  # noqa: ANN204
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        self.received.append(
            {
                "path": environ["PATH_INFO"],
                "query": environ.get("QUERY_STRING", ""),
                "content_type": environ.get("CONTENT_TYPE"),
                "accept": environ.get("HTTP_ACCEPT"),
                "language": environ.get("HTTP_ACCEPT_LANGUAGE"),
                "body": json.loads(body) if body else None,
            }
        )
        status, answer = self.answer
        start_response(f"{status} X", [("Content-Type", "application/fhir+json")])
        return [json.dumps(answer).encode()]


@pytest.fixture
def stub() -> Iterator[tuple[StubServer, str]]:
    server = StubServer()
    with serve_in_background(server) as root:
        yield server, f"{root}/fhir"


def _case(**changes: object) -> TxCase:
    request = {
        "resourceType": "Parameters",
        "parameter": [{"name": "tx-resource", "resource": _value_set("child-of")}],
    }
    expected = {
        "resourceType": "ValueSet",
        "expansion": {
            "identifier": "$uuid$",
            "contains": [
                {"code": "code2a", "property": [{"code": "status", "valueCode": "retired"}]}
            ],
        },
    }
    defaults = {"suite": "s", "name": "t", "operation": "expand", "modes": ("general",)}
    return TxCase(
        **{
            **defaults,
            "request": request,
            "expected": expected,
            "response_file": "s/r.json",
            **changes,
        }
    )


R4_ANSWER = {
    "resourceType": "ValueSet",
    "meta": {"versionId": "1"},
    "expansion": {
        "identifier": "urn:uuid:8acdbfdc-e9d2-11ed-a05b-0242ac120003",
        "contains": [
            {
                "extension": [
                    {
                        "url": EXT_CONTAINS_PROPERTY,
                        "extension": [
                            {"url": "code", "valueCode": "status"},
                            {"url": "value", "valueCode": "retired"},
                        ],
                    }
                ],
                "code": "code2a",
            }
        ],
    },
}


def test_run_case_sends_r4_and_compares_in_r5(stub: tuple[StubServer, str]) -> None:
    server, base = stub
    server.answer = (200, R4_ANSWER)
    result = run_case(base, _case(headers={"Accept-Language": "fr"}))
    assert result.passed, result.differences
    received = server.received[0]
    assert received["path"] == "/fhir/ValueSet/$expand"
    assert received["content_type"] == received["accept"] == "application/fhir+json"
    assert received["language"] == "fr"
    sent_filter = received["body"]["parameter"][0]["resource"]["compose"]["include"][0]["filter"][0]
    assert "op" not in sent_filter and sent_filter["_op"]["extension"][0]["valueCode"] == "child-of"
    assert "meta" not in result.actual


def test_run_case_reports_status_and_outcomes(stub: tuple[StubServer, str]) -> None:
    server, base = stub
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "details": {"text": "no op"}}],
    }
    server.answer = (400, outcome)
    result = run_case(base, _case())
    assert result.differences == [
        "HTTP status 400, expected 2xx",
        "expected a ValueSet, got a OperationOutcome: no op",
    ]
    assert run_case(base, _case(http_code="4xx", expected=outcome)).passed
    assert run_case(base, _case(skip_reason="response file not in the tests folder: x")).skip_reason


def test_run_case_reports_a_server_that_is_not_there() -> None:
    result = run_case("http://127.0.0.1:9/fhir", _case(), timeout=2)
    assert not result.passed and "failed" in result.differences[0]


def test_run_folder_reports_each_test_and_writes_failures(
    folder: Path, tmp_path: Path, stub: tuple[StubServer, str]
) -> None:
    server, base = stub
    server.answer = (200, {"resourceType": "ValueSet", "expansion": {"contains": [{"code": "b"}]}})
    lines: list[str] = []
    code = run_folder(folder, base, suites=["s"], output=tmp_path / "out", echo=lines.append)
    assert code == 1
    assert lines[0].startswith(
        "FAIL s/plain\n    $.expansion.contains: expected item [0] not found"
    )
    assert "SKIP s/internal: mode tx.fhir.org not enabled" in lines
    assert lines[-1].startswith("0 passed, 2 failed, 3 skipped of 5 tests")
    actual = json.loads((tmp_path / "out" / "actual" / "s" / "resp.json").read_text())
    assert actual["expansion"]["contains"] == [{"code": "b"}]
    assert (
        json.loads((tmp_path / "out" / "expected" / "s" / "resp.json").read_text()) == EXPECTED_VS
    )
    server.answer = (200, EXPECTED_VS)
    assert run_folder(folder, base, name_filter="plain", echo=lines.append) == 0
    assert describe(run_case(base, load_cases(folder)[0])) == "PASS s/plain"
