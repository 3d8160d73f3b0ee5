"""_has (reverse chaining) and _filter on FHIR Location and HealthcareService, over the ROR
fixture extract on real PostgreSQL: what each returns, combined with the other parameters,
near, paging and includes, and the 400s of bad ones.

Offers at locations: 3001 and 3010 at 4002, 3002 and 3003 at 4001, 3004 at 4004, 3005 at
4003, 3006 at 4010, 3007 at 4010 and 4011, 3008 at 4011, 3009 at 4020. Roles: 6001
(practitioner 810100000001) in 3004, 6002 (810000099991) in 3001.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from tests.ror.test_fhir_location import follow, ids, included, next_link, search

UCUM = "https://unitsofmeasure.org"
CATEGORY = "https://mos.esante.gouv.fr/NOS/TRE_R244-CategorieOrganisation/FHIR/TRE-R244-CategorieOrganisation"
ACTIVITY = "https://mos.esante.gouv.fr/NOS/TRE_R211-ActiviteOperationnelle/FHIR/TRE-R211-ActiviteOperationnelle"
OFFERS_AT = "_has:HealthcareService:location"
ROLES_IN = "_has:PractitionerRole:service"


def locations(client: FlaskClient, query: str) -> list[str]:
    return ids(search(client, query))


def offers(client: FlaskClient, query: str) -> list[str]:
    return ids(search(client, query, "HealthcareService"))


def filtered(expression: str) -> str:
    return "_filter=" + quote(expression)


def every_page(client: FlaskClient, resource: str, query: str) -> tuple[list[str], set]:
    """The matches of every page, following next links, and everything they included."""
    bundle = search(client, query, resource)
    matches, includes = ids(bundle), included(bundle)
    while link := next_link(bundle):
        bundle = follow(client, link)
        matches += ids(bundle)
        includes |= included(bundle)
    return matches, includes


def error(client: FlaskClient, resource: str, query: str) -> str:
    response = client.get(f"/fhir/{resource}?{query}")
    assert response.status_code == 400, (query, response.get_data(as_text=True))
    outcome = response.get_json()
    assert outcome["resourceType"] == "OperationOutcome"
    return outcome["issue"][0]["diagnostics"]


# --- _has on Location -----------------------------------------------------------------------


def test_has_reads_the_capacity_of_known_offers(loaded: FlaskClient) -> None:
    """The ROR documentation's query: the locations of offers named by identifier, with
    every offer at those locations."""
    bundle = search(
        loaded,
        f"{OFFERS_AT}:identifier=84/0003001,24/0003007&_revinclude=HealthcareService:location",
    )
    assert ids(bundle) == ["4002", "4010", "4011"]
    assert included(bundle) == {
        ("HealthcareService", i) for i in ("3001", "3006", "3007", "3008", "3010")
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f"{OFFERS_AT}:identifier=24/9999999", []),
        (f"{OFFERS_AT}:specialty=356", ["4002"]),  # two offers there, the location once
        (f"{OFFERS_AT}:specialty={ACTIVITY}|183", ["4010", "4011"]),
        (f"{OFFERS_AT}:name:contains=pediatrique", ["4002", "4011"]),  # a modifier
        (f"{OFFERS_AT}:age-range-high=lt20", ["4002", "4011"]),
        (f"{OFFERS_AT}:_id=3002,3009", ["4001", "4020"]),
        # A chained criterion of the offer: its locations' indicators, not these locations'.
        (f"{OFFERS_AT}:location.capacity-status=06", ["4010", "4011"]),
        (f"{OFFERS_AT}:specialty=356&name=unite", ["4002"]),  # with a plain parameter: AND
        (f"{OFFERS_AT}:specialty=356&address-city=orleans", []),
        # Repeated: each is met by an offer of the location, not necessarily the same one
        # (4011 has 3007 of activity 183 and 3008, pediatric).
        (f"{OFFERS_AT}:specialty=183&{OFFERS_AT}:name:contains=pediatrique", ["4011"]),
    ],
)
def test_has_on_location(loaded: FlaskClient, query: str, expected: list[str]) -> None:
    assert locations(loaded, query) == expected


def test_has_with_near_keeps_the_distance_order(loaded: FlaskClient) -> None:
    near = "near=46.2231|5.2105|10|km"
    assert locations(loaded, f"{near}&{OFFERS_AT}:_id=3001,3004,3005") == ["4002", "4004", "4003"]


def test_has_pages_return_each_location_once(loaded: FlaskClient) -> None:
    query = f"{OFFERS_AT}:_tag=24,84&_count=1&_revinclude=HealthcareService:location"
    matches, includes = every_page(loaded, "Location", query)
    assert matches == ["4001", "4002", "4003", "4004", "4010", "4011"]
    assert {i for _, i in includes} == {f"30{n:02}" for n in range(1, 9)} | {"3010"}


# --- _has on HealthcareService --------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f"{ROLES_IN}:practitioner=Practitioner/810100000001", ["3004"]),
        (f"{ROLES_IN}:practitioner=810000099991,810100000001", ["3001", "3004"]),
        (f"{ROLES_IN}:_id=6002", ["3001"]),
        (f"{ROLES_IN}:identifier=84/SO/6001", ["3004"]),
        (f"{ROLES_IN}:practitioner=810000000000", []),
        (f"{ROLES_IN}:_id=6001,6002&specialty=356", ["3001"]),
    ],
)
def test_has_on_healthcare_service(loaded: FlaskClient, query: str, expected: list[str]) -> None:
    assert offers(loaded, query) == expected


def test_has_roles_with_their_revinclude(loaded: FlaskClient) -> None:
    bundle = search(
        loaded,
        f"{ROLES_IN}:practitioner=810000099991&_revinclude=PractitionerRole:service",
        "HealthcareService",
    )
    assert ids(bundle) == ["3001"] and included(bundle) == {("PractitionerRole", "6002")}


@pytest.mark.parametrize(
    ("resource", "query", "named"),
    [
        ("Location", "_has:Organization:partof:name=x", "_has:HealthcareService:location:"),
        ("Location", "_has:HealthcareService:organization:_id=1", "_has:HealthcareService:location:"),
        ("Location", "_has:HealthcareService:location=1", "_has:HealthcareService:location:"),
        ("Location", "_has=1", "_has:HealthcareService:location:"),
        ("Location", f"{OFFERS_AT}:unknown=1", "service-category"),
        ("Location", f"{OFFERS_AT}:_has:PractitionerRole:service:_id=1", "unknown"),
        ("Location", f"{OFFERS_AT}:specialty:text=x", ":text"),
        ("Location", f"{OFFERS_AT}:identifier=", "empty"),
        ("Location", f"{OFFERS_AT}:age-range-low=sa3", "prefix"),
        ("HealthcareService", "_has:Task:focus:_id=1", "_has:PractitionerRole:service:"),
        ("HealthcareService", "_has:PractitionerRole:location:_id=1", "_has:PractitionerRole:service:"),
        ("HealthcareService", f"{ROLES_IN}:specialty=1", "practitioner"),
    ],
)  # fmt: skip
def test_bad_has_answers_400_naming_what_is_supported(
    loaded: FlaskClient, resource: str, query: str, named: str
) -> None:
    assert named in error(loaded, resource, query)


# --- _filter on Location --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("(_id eq 4001 or 4010)", ["4001", "4010"]),  # the ROR's shorthand
        ("_id eq 4001 or 4010 or 4020", ["4001", "4010", "4020"]),
        ("_id eq 4001 or 4010 and _tag eq 84", ["4001"]),  # and binds tighter
        ("_tag eq 24 or not (_tag eq 84)", ["4010", "4011", "4020"]),
        ("_id eq 4001 or _id eq 4010", ["4001", "4010"]),
        # or across two parameters: the union.
        ("address-city eq bourg or _tag eq 24", ["4003", "4004", "4010", "4011"]),
        ("address-city eq bourg and not (_id eq 4003)", ["4004"]),
        # not: every location the comparison does not match, those without a type included.
        ("not type eq 002", ["4001", "4002", "4003", "4010", "4011", "4020"]),
        ("_id ne 4001 and address-postalcode eq 01", ["4002", "4003", "4004"]),
        ("_tag eq 84 and (type eq 002 or name co neurovasc)", ["4002", "4004"]),
        ('name eq "Unité neurovasculaire"', ["4002"]),  # quoted, as name= (accents ignored)
        ('name co "e neuro"', ["4002"]),
        ("address-city sw orl", ["4010", "4011"]),
        ("commune-cog eq https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM|2A004",
         ["4020"]),
        ("identifier eq 1450000013/NCH-3", ["4011"]),
        ("_id eq 4001,4010", []),  # one value: a comma is no OR here
        # Each comparison is its own capacity criterion: one indicator for each.
        ("capacity-status eq 06 or nb-capacity ge 60", ["4010", "4020"]),
        ("capacity-status eq 05 and gender-capacity-available eq 01", ["4002"]),
        ("nb-capacity gt 50", ["4020"]),
        ("capacity-update-date lt 2025", ["4010"]),
        ("_lastUpdated ge 2000-01-01T00:00 and _id eq 4001", ["4001"]),
        ("_lastUpdated lt 2000-01-01", []),
        ("near eq 46.2231|5.2105|200|m", ["4001", "4002"]),
        ("NOT (_id EQ 4001 OR 4002) AND _tag eq 84", ["4003", "4004"]),  # keywords in any case
    ],
)  # fmt: skip
def test_filter_on_location(loaded: FlaskClient, expression: str, expected: list[str]) -> None:
    assert locations(loaded, filtered(expression)) == expected


def test_filter_is_anded_with_the_other_parameters(loaded: FlaskClient) -> None:
    assert locations(loaded, f"{filtered('(_id eq 4001 or 4010)')}&_tag=24") == ["4010"]
    both = f"{filtered('_tag eq 24 or _tag eq 94')}&{filtered('not (_id eq 4011)')}"
    assert locations(loaded, both) == ["4010", "4020"]
    has = f"{filtered('address-city eq orleans or _id eq 4002')}&{OFFERS_AT}:specialty=183"
    assert locations(loaded, has) == ["4010", "4011"]


def test_filter_with_near_keeps_the_distance_order(loaded: FlaskClient) -> None:
    query = f"near=46.2231|5.2105|10|km&{filtered('type eq 002 or name co neurovasc')}"
    assert locations(loaded, query) == ["4002", "4004"]


def test_filter_pages_return_each_location_once(loaded: FlaskClient) -> None:
    query = (
        f"{filtered('_tag eq 84 or _tag eq 94')}&_count=1&_revinclude=HealthcareService:location"
    )
    matches, includes = every_page(loaded, "Location", query)
    assert matches == ["4001", "4002", "4003", "4004", "4020"]
    assert {i for _, i in includes} == {"3001", "3002", "3003", "3004", "3005", "3009", "3010"}


# --- _filter on HealthcareService -----------------------------------------------------------


def test_filter_the_ror_multi_criteria_example(loaded: FlaskClient) -> None:
    """The ROR documentation's filter means what its parameters mean, joined as written."""
    expression = (
        f"((service-category eq {CATEGORY}|157) or (specialty eq {ACTIVITY}|356)) and "
        f"(age-range-low le 35|{UCUM}|a and age-range-high ge 35|{UCUM}|a)"
    )
    either = set(offers(loaded, "service-category=157")) | set(offers(loaded, "specialty=356"))
    aged = set(offers(loaded, "age-range-low=le35&age-range-high=ge35"))
    assert offers(loaded, filtered(expression)) == sorted(either & aged) == ["3001", "3003"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("specialty eq 356 and not (name co pediatrique)", ["3001"]),
        ("specialty ne 356 and _tag eq 84", ["3002", "3003", "3004", "3005"]),
        ("location.address-city eq orleans or specialty eq 356", ["3001", "3006", "3007", "3008",
                                                                 "3010"]),
        ("location.capacity-status eq 06 and location.temporality-capacity eq 03", ["3007"]),
        ("age-range-high lt 20 or age-range-low ge 60", ["3008", "3009", "3010"]),
        ("organization eq Organization/ror-2010 or location eq 4020", ["3006", "3007", "3009"]),
        ("active eq true and _tag eq 94", ["3009"]),
        ("_lastUpdated ge 2000-01-01 and (_id eq 3001 or 3002)", ["3001", "3002"]),
    ],
)  # fmt: skip
def test_filter_on_healthcare_service(
    loaded: FlaskClient, expression: str, expected: list[str]
) -> None:
    assert offers(loaded, filtered(expression)) == expected


@pytest.mark.parametrize(
    ("resource", "comparison", "parameter"),
    [
        ("HealthcareService", "age-range-low ne 0", "age-range-low=ne0"),
        ("HealthcareService", "age-range-low le 0.5", "age-range-low=le0.5"),
        ("HealthcareService", f"age-range-high gt 100|{UCUM}|a", f"age-range-high=gt100|{UCUM}|a"),
        ("HealthcareService", "specialty eq 356", "specialty=356"),
        ("Location", "nb-capacity ne 0", "nb-capacity=ne0"),
        ("Location", "capacity-update-date eq 2025-11-20", "capacity-update-date=2025-11-20"),
        ("Location", "address-postalcode eq 0", "address-postalcode=0"),
    ],
)  # fmt: skip
def test_a_comparison_means_what_its_parameter_means(
    loaded: FlaskClient, resource: str, comparison: str, parameter: str
) -> None:
    """The operator of a number, quantity or date is its prefix; eq of the others, the
    parameter as given."""
    expected = ids(search(loaded, parameter, resource))
    assert expected and ids(search(loaded, filtered(comparison), resource)) == expected


def test_filter_and_has_page_together_with_includes(loaded: FlaskClient) -> None:
    query = (
        f"{filtered('specialty eq 356 or _tag eq 24')}&{ROLES_IN}:_id=6001,6002"
        "&_include=HealthcareService:location&_count=1"
    )
    assert every_page(loaded, "HealthcareService", query) == (["3001"], {("Location", "4002")})
    paged = f"{filtered('specialty eq 356 or _tag eq 24')}&_include=HealthcareService:location"
    matches, includes = every_page(loaded, "HealthcareService", f"{paged}&_count=2")
    assert matches == ["3001", "3006", "3007", "3008", "3010"]
    assert includes == {("Location", i) for i in ("4002", "4010", "4011")}


# --- Bad filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "said"),
    [
        ("(_id eq 4001", "position 13: expected ), found the end"),
        ("_id eq", "position 7: expected a value, found the end"),
        ("_id is 4001", "position 5 at 'is': expected an operator after _id"),
        ("_id eq 4001 and", "position 16: expected a comparison"),
        ("_id eq 4001 _id eq 4002", "position 13 at '_id': expected and, or, or the end"),
        ('name eq "unité', "position 9: unclosed double quote"),
        ("(_id eq 4001) or 4002", "position 18 at '4002': a bare value after or"),
        ("_id eq 4001 and 4002", "position 21: expected an operator, found the end"),
        (") or _id eq 1", "position 1 at ')': expected a search parameter"),
        ("(" * 40 + "_id eq 1" + ")" * 40, "more than 32 nested groups"),
        ("unknown eq 1", "position 1: unknown search parameter 'unknown'; supported: _id"),
        ("_id gt 4001", "position 1: _id is a token parameter: gt does not apply (eq, ne)"),
        ("address-postalcode co 01", "modifier :contains is not supported"),
        ("nb-capacity sw 1", "nb-capacity is a number parameter: sw does not apply"),
        ("nb-capacity eq many", "position 1: nb-capacity: 'eqmany' is not a number"),
        ("capacity-update-date ne 2025", "prefix 'ne' is not supported"),
        ("_has:HealthcareService:location:_id eq 1", "unknown search parameter"),
    ],
)
def test_bad_filter_answers_400_saying_where_and_why(
    loaded: FlaskClient, expression: str, said: str
) -> None:
    assert said in error(loaded, "Location", filtered(expression))


def test_bad_filters_on_healthcare_service(loaded: FlaskClient) -> None:
    # organization._lastUpdated (the ROR's delta over organisations) is not served.
    chained = filtered("_lastUpdated ge 2022-11-06T15:00 or organization._lastUpdated ge 2022")
    assert "unknown search parameter 'organization._lastUpdated'" in error(
        loaded, "HealthcareService", chained
    )
    assert "empty value" in error(loaded, "HealthcareService", "_filter=")
    quantity = filtered(f"age-range-low le 6|{UCUM}|mo")
    assert "must be an age in years" in error(loaded, "HealthcareService", quantity)


# --- CapabilityStatement --------------------------------------------------------------------


def test_capability_statement_declares_has_and_filter(loaded: FlaskClient) -> None:
    statement = loaded.get("/fhir/metadata").get_json()
    for resource_type, form in (
        ("Location", "_has:HealthcareService:location:"),
        ("HealthcareService", "_has:PractitionerRole:service:"),
    ):
        resource = next(r for r in statement["rest"][0]["resource"] if r["type"] == resource_type)
        params = {p["name"]: p for p in resource["searchParam"]}
        assert params["_has"]["type"] == params["_filter"]["type"] == "special"
        assert form in params["_has"]["documentation"]
        assert "and, or" in params["_filter"]["documentation"]
