"""The terminology operations over HTTP, on code systems sent inline (`tx-resource`)."""

from __future__ import annotations

import pytest

from tests.terminology.answers import codes, param

SYSTEM = "https://smt.esante.gouv.fr/fhir/CodeSystem/tre-test-specialites"
DESIGNATION_USE = {"system": "http://snomed.info/sct", "code": "900000000000013009"}
CODE_SYSTEM = {
    "resourceType": "CodeSystem",
    "url": SYSTEM,
    "version": "20260101120000",
    "name": "TRE_Test_Specialites",
    "status": "active",
    "language": "fr-FR",
    "caseSensitive": False,
    "hierarchyMeaning": "is-a",
    "content": "complete",
    "identifier": [{"system": "urn:ietf:rfc:3986", "value": "urn:oid:1.2.250.1.213.99.1"}],
    "property": [
        {"code": "dateFin", "type": "dateTime"},
        {"code": "status", "uri": "http://hl7.org/fhir/concept-properties#status", "type": "code"},
    ],
    "concept": [
        {
            "code": "MED",
            "display": "Médecine",
            "concept": [
                {
                    "code": "SM26",
                    "display": "Qualifié en médecine générale (SM)",
                    "designation": [
                        {"language": "fr-FR", "use": DESIGNATION_USE, "value": "Médecine générale"}
                    ],
                },
                {"code": "SM54", "display": "Psychiatrie (SM)"},
                {
                    "code": "SM99",
                    "display": "Médecine légale ancienne",
                    "property": [{"code": "dateFin", "valueDateTime": "2018-03-30T12:00:00+01:00"}],
                },
            ],
        },
        {
            "code": "PHA",
            "display": "Pharmacie",
            "designation": [{"language": "en", "value": "Pharmacy"}],
            "concept": [
                {
                    "code": "SP01",
                    "display": "Radio-pharmacie",
                    "property": [{"code": "status", "valueCode": "deprecated"}],
                }
            ],
        },
    ],
}
ALL = {
    "resourceType": "ValueSet",
    "url": "https://example.org/ValueSet/all",
    "version": "1",
    "status": "active",
    "compose": {"include": [{"system": SYSTEM}]},
}


def call(client, path: str, parameters: list[dict], **headers):  # noqa: ANN001, ANN201
    body = {
        "resourceType": "Parameters",
        "parameter": [
            *parameters,
            {"name": "tx-resource", "resource": CODE_SYSTEM},
            {"name": "tx-resource", "resource": ALL},
        ],
    }
    return client.post(f"/fhir/{path}", json=body, headers=headers)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("medecine", ["MED", "SM26", "SM99"]),  # accents and case ignored, designations searched
        ("MÉD gén", ["SM26"]),  # every word must start a word of a label
        ("psy", ["SM54"]),
        ("pharmacy", ["PHA"]),
        ("zzz", []),
    ],
)
def test_expand_filter_matches_word_prefixes(client, text: str, expected: list[str]) -> None:  # noqa: ANN001
    response = call(
        client,
        "ValueSet/$expand",
        [{"name": "url", "valueUri": ALL["url"]}, {"name": "filter", "valueString": text}],
    )
    assert response.status_code == 200
    assert sorted(codes(response.json)) == sorted(expected)
    assert response.json["expansion"]["total"] == len(expected)


def test_a_concept_closed_by_date_fin_is_inactive_and_left_out_by_active_only(client) -> None:  # noqa: ANN001
    everything = call(client, "ValueSet/$expand", [{"name": "url", "valueUri": ALL["url"]}]).json
    closed = next(c for c in everything["expansion"]["contains"] if c["code"] == "SM99")
    assert closed["inactive"] is True
    active = call(
        client,
        "ValueSet/$expand",
        [{"name": "url", "valueUri": ALL["url"]}, {"name": "activeOnly", "valueBoolean": True}],
    ).json
    assert "SM99" not in codes(active) and "SP01" not in codes(active)
    assert "SM26" in codes(active)


def test_paging_with_count_and_offset_keeps_the_total(client) -> None:  # noqa: ANN001
    pages = [
        call(
            client,
            "ValueSet/$expand",
            [
                {"name": "url", "valueUri": ALL["url"]},
                {"name": "count", "valueInteger": 4},
                {"name": "offset", "valueInteger": offset},
            ],
        ).json["expansion"]
        for offset in (0, 4)
    ]
    assert [p["total"] for p in pages] == [6, 6]
    assert [len(p["contains"]) for p in pages] == [4, 2]
    seen = [c["code"] for p in pages for c in p["contains"]]
    assert sorted(seen) == ["MED", "PHA", "SM26", "SM54", "SM99", "SP01"]


def test_display_language_and_designations(client) -> None:  # noqa: ANN001
    response = call(
        client,
        "ValueSet/$expand",
        [
            {"name": "url", "valueUri": ALL["url"]},
            {"name": "displayLanguage", "valueCode": "en"},
            {"name": "includeDesignations", "valueBoolean": True},
        ],
    ).json
    pharmacy = next(c for c in response["expansion"]["contains"] if c["code"] == "PHA")
    assert pharmacy["display"] == "Pharmacy"
    french = call(
        client,
        "ValueSet/$expand",
        [
            {"name": "url", "valueUri": ALL["url"]},
            {"name": "includeDesignations", "valueBoolean": True},
        ],
    ).json
    general = next(c for c in french["expansion"]["contains"] if c["code"] == "SM26")
    assert general["display"] == "Qualifié en médecine générale (SM)"
    assert general["designation"][0]["value"] == "Médecine générale"


def test_validate_code_in_a_case_insensitive_system_and_a_wrong_display(client) -> None:  # noqa: ANN001
    ok = call(
        client,
        "CodeSystem/$validate-code",
        [{"name": "url", "valueUri": SYSTEM}, {"name": "code", "valueCode": "sm26"}],
    ).json
    assert param(ok, "result") is True
    assert param(ok, "normalized-code") == "SM26"
    wrong = call(
        client,
        "CodeSystem/$validate-code",
        [
            {"name": "url", "valueUri": SYSTEM},
            {"name": "code", "valueCode": "SM26"},
            {"name": "display", "valueString": "Chirurgie"},
        ],
    ).json
    assert param(wrong, "result") is False
    issue = param(wrong, "issues")["issue"][0]
    assert issue["details"]["coding"][0]["code"] == "invalid-display"
    assert "Chirurgie" in param(wrong, "message")


def test_validate_code_of_a_deprecated_concept_warns(client) -> None:  # noqa: ANN001
    response = call(
        client,
        "ValueSet/$validate-code",
        [
            {"name": "url", "valueUri": ALL["url"]},
            {"name": "coding", "valueCoding": {"system": SYSTEM, "code": "SP01"}},
        ],
    ).json
    assert param(response, "result") is True
    assert param(response, "inactive") is True
    assert param(response, "status") == "deprecated"
    assert "deprecated" in param(response, "message")


def test_validate_codeable_concept_accepts_any_valid_coding(client) -> None:  # noqa: ANN001
    response = call(
        client,
        "ValueSet/$validate-code",
        [
            {"name": "url", "valueUri": ALL["url"]},
            {
                "name": "codeableConcept",
                "valueCodeableConcept": {
                    "coding": [
                        {"system": SYSTEM, "code": "NOPE"},
                        {"system": SYSTEM, "code": "SM54"},
                    ]
                },
            },
        ],
    ).json
    assert param(response, "result") is True
    assert param(response, "code") == "SM54"


def test_lookup_returns_parents_children_and_properties(client) -> None:  # noqa: ANN001
    response = call(
        client,
        "CodeSystem/$lookup",
        [
            {"name": "system", "valueUri": SYSTEM},
            {"name": "code", "valueCode": "SM99"},
            {"name": "property", "valueCode": "*"},
        ],
    ).json
    properties = {
        p["part"][0]["valueCode"]: p["part"][-1]
        for p in response["parameter"]
        if p["name"] == "property"
    }
    assert properties["parent"]["valueCode"] == "MED"
    assert properties["inactive"]["valueBoolean"] is True
    assert properties["dateFin"]["valueDateTime"].startswith("2018-03-30")
    assert param(response, "display") == "Médecine légale ancienne"


@pytest.mark.parametrize(
    ("a", "b", "outcome"),
    [
        ("MED", "SM26", "subsumes"),
        ("SM26", "MED", "subsumed-by"),
        ("SM26", "SM26", "equivalent"),
        ("SM26", "PHA", "not-subsumed"),
    ],
)
def test_subsumes(client, a: str, b: str, outcome: str) -> None:  # noqa: ANN001
    response = call(
        client,
        "CodeSystem/$subsumes",
        [
            {"name": "system", "valueUri": SYSTEM},
            {"name": "codeA", "valueCode": a},
            {"name": "codeB", "valueCode": b},
        ],
    ).json
    assert param(response, "outcome") == outcome


def test_intensional_value_set_filters(client) -> None:  # noqa: ANN001
    def expand(filters: list[dict]) -> list[str]:
        value_set = {
            "resourceType": "ValueSet",
            "status": "active",
            "compose": {"include": [{"system": SYSTEM, "filter": filters}]},
        }
        response = call(client, "ValueSet/$expand", [{"name": "valueSet", "resource": value_set}])
        assert response.status_code == 200, response.json
        return sorted(codes(response.json))

    assert expand([{"property": "concept", "op": "is-a", "value": "PHA"}]) == ["PHA", "SP01"]
    assert expand([{"property": "concept", "op": "descendent-of", "value": "MED"}]) == [
        "SM26",
        "SM54",
        "SM99",
    ]
    assert expand([{"property": "code", "op": "in", "value": "SM26,SM54"}]) == ["SM26", "SM54"]
    assert expand([{"property": "code", "op": "regex", "value": "SM[0-9]+"}]) == [
        "SM26",
        "SM54",
        "SM99",
    ]
    assert expand([{"property": "status", "op": "exists", "value": "true"}]) == ["SP01"]
    assert "SM26" not in expand([{"property": "code", "op": "not-in", "value": "SM26"}])


def test_get_form_of_expand_with_inline_value_set_is_refused_without_url(client) -> None:  # noqa: ANN001
    response = client.get("/fhir/ValueSet/$expand?filter=med")
    assert response.status_code == 400
    issue = response.json["issue"][0]
    assert issue["details"]["coding"][0]["system"].endswith("tx-issue-type")


def test_errors_are_operation_outcomes(client) -> None:  # noqa: ANN001
    unknown = client.get("/fhir/ValueSet/$expand?url=https://example.org/nope")
    assert unknown.status_code == 404
    assert unknown.json["resourceType"] == "OperationOutcome"
    bad_count = client.get("/fhir/ValueSet/$expand?url=x&count=many")
    assert bad_count.status_code == 400
    not_json = client.post("/fhir/ValueSet/$expand", data="{", content_type="application/fhir+json")
    assert not_json.status_code == 400
    bad_regex = call(
        client,
        "ValueSet/$expand",
        [
            {
                "name": "valueSet",
                "resource": {
                    "resourceType": "ValueSet",
                    "compose": {
                        "include": [
                            {
                                "system": SYSTEM,
                                "filter": [{"property": "code", "op": "regex", "value": "("}],
                            }
                        ]
                    },
                },
            }
        ],
    )
    assert bad_regex.status_code == 400


def test_translate_answers_r4_equivalence(client) -> None:  # noqa: ANN001
    concept_map = {
        "resourceType": "ConceptMap",
        "url": "https://example.org/ConceptMap/a15",
        "version": "1",
        "status": "active",
        "group": [
            {
                "source": "urn:oid:1.2.3",
                "target": SYSTEM,
                "element": [
                    {"code": "0", "target": [{"code": "SM26", "equivalence": "equivalent"}]}
                ],
            }
        ],
    }
    response = client.post(
        "/fhir/ConceptMap/$translate",
        json={
            "resourceType": "Parameters",
            "parameter": [
                {"name": "system", "valueUri": "urn:oid:1.2.3"},
                {"name": "code", "valueCode": "0"},
                {"name": "tx-resource", "resource": concept_map},
            ],
        },
    ).json
    assert param(response, "result") is True
    match = next(p for p in response["parameter"] if p["name"] == "match")
    parts = {p["name"]: p for p in match["part"]}
    assert parts["equivalence"]["valueCode"] == "equivalent"
    assert parts["concept"]["valueCoding"] == {"system": SYSTEM, "code": "SM26"}
