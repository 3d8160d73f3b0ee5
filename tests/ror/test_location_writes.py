"""Bed availability writes on real PostgreSQL: the ROR PATCH protocol (replace → 404 → add),
ETag / If-Match, no lost update under concurrent writers, keys scoped to establishments, the
audit history, and codes checked against the NOS value sets when the terminology is loaded."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import orjson
import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from sqlalchemy import Engine, text
from werkzeug.serving import make_server

from directory.access import keys
from directory.offers.systems import DIMENSIONS, SOURCE_TYPE, SUPPORTED_CAPACITY
from tests.conftest import FIXTURES

EXTRACT = FIXTURES / "ror" / "extract"
J188 = FIXTURES / "ror" / "writes" / "J188-TypeStatutCapacite.json"
CAPACITY_PATH = f"Location.extension.where(url='{SUPPORTED_CAPACITY}')"
BY_URL = {d.url: d for d in (*DIMENSIONS, SOURCE_TYPE)}


# --- bodies, in the shapes vendors send --------------------------------------------------


# Beds available now for Covid+ patients, no gender given: an indicator the fixture extract
# does not hold, so that every test starts from none.
DEFAULTS = {
    "capacityType": "01",
    "capacityStatus": "02",
    "temporalityCapacity": "01",
    "temporaryAssignement": "02",
}


def indicator(nb: int, when: str = "2026-03-02T08:00:00Z", **codes: str) -> dict:
    """A supported-capacity extension, codes by sub-extension url over DEFAULTS, entered by
    bed management."""
    wanted = {**DEFAULTS, "capacitySourceType": "02", **codes}
    parts: list[dict] = [
        {"url": "nbCapacity", "valueInteger": nb},
        {"url": "capacityUpdateDate", "valueDateTime": when},
    ]
    parts += [
        {
            "url": url,
            "valueCodeableConcept": {"coding": [{"system": BY_URL[url].system, "code": code}]},
        }
        for url, code in wanted.items()
    ]
    return {"url": SUPPORTED_CAPACITY, "extension": parts}


def selector(**codes: str) -> str:
    """The ROR's FHIRPath of one indicator, by the sub-extension urls and codes given."""
    criteria = " and ".join(
        f"extension.where(url = '{url}' and valueCodeableConcept.coding.code = '{code}')"
        for url, code in codes.items()
    )
    return f"{CAPACITY_PATH}.where({criteria})"


def ror_operation(kind: str, path: str, extension: dict | None = None) -> dict:
    """An operation as the ROR documentation writes it: type as valueString, the indicator in
    an `extension` array inside the parts of `value`."""
    parts: list[dict] = [
        {"name": "type", "valueString": kind},
        {"name": "path", "valueString": path},
    ]
    if extension is not None:
        parts.append({"name": "value", "part": [{"extension": [extension]}]})
    return {"name": "operation", "part": parts}


def fhir_operation(kind: str, path: str, extension: dict | None = None, **more: str) -> dict:
    """An operation in standard FHIRPath Patch: type as valueCode, valueExtension."""
    parts: list[dict] = [
        {"name": "type", "valueCode": kind},
        {"name": "path", "valueString": path},
        *({"name": name, "valueString": value} for name, value in more.items()),
    ]
    if extension is not None:
        parts.append({"name": "value", "valueExtension": extension})
    return {"name": "operation", "part": parts}


def patch_body(*operations: dict) -> bytes:
    return orjson.dumps({"resourceType": "Parameters", "parameter": list(operations)})


AVAILABLE_UNDIFFERENTIATED = {
    "capacityStatus": "02",
    "temporalityCapacity": "01",
    "genderCapacityAvailable": "03",
    "temporaryAssignement": "02",
}


# --- a loaded ROR, keys ------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A loaded location the tests write: its id, sync identifier and establishment."""

    id: str
    sync_identifier: str
    finess: str


@pytest.fixture
def place(load: Callable, engine: Engine) -> Place:
    if not EXTRACT.exists():
        pytest.skip(f"{EXTRACT} is not written yet")
    load(EXTRACT, source="ror")
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT id, sync_identifier, finess FROM location WHERE sync_identifier IS NOT "
                "NULL AND finess IS NOT NULL AND removed_at IS NULL ORDER BY id LIMIT 1"
            )
        ).one()
    return Place(row.id, row.sync_identifier, row.finess)


def new_key(engine: Engine, name: str, finess: list[str]) -> str:
    with engine.begin() as conn:
        return keys.create(conn, name, [keys.CAPACITY_WRITE], finess)


@pytest.fixture
def vendor(engine: Engine, place: Place) -> str:
    """A key of the bed-management software of the place's establishment."""
    return new_key(engine, "bedmgmt-vendor", [place.finess])


def headers(key: str | None, **more: str) -> dict[str, str]:
    found = {"Content-Type": "application/fhir+json", **more}
    if key is not None:
        found["Authorization"] = f"Bearer {key}"
    return found


def by_identifier(place: Place) -> str:
    return f"/fhir/Location?identifier={place.sync_identifier}"


def capacity_of(resource: dict) -> dict[tuple[str, ...], int]:
    """The indicators of a served Location: dimension codes -> nbCapacity."""
    found = {}
    for extension in resource.get("extension", []):
        if extension["url"] != SUPPORTED_CAPACITY:
            continue
        parts = {p["url"]: p for p in extension["extension"]}
        codes = tuple(
            parts[d.url]["valueCodeableConcept"]["coding"][0]["code"] if d.url in parts else ""
            for d in DIMENSIONS
        )
        found[codes] = parts["nbCapacity"]["valueInteger"]
    return found


def codes_of(**by_url: str) -> tuple[str, ...]:
    """The key of an indicator as capacity_of gives it, codes over DEFAULTS."""
    wanted = {**DEFAULTS, **by_url}
    return tuple(wanted.get(d.url, "") for d in DIMENSIONS)


UNDIFFERENTIATED_KEY = codes_of(**AVAILABLE_UNDIFFERENTIATED)


def issue(response) -> dict:  # noqa: ANN001
    body = response.get_json()
    assert body["resourceType"] == "OperationOutcome", body
    return body["issue"][0]


# --- the ROR protocol ----------------------------------------------------------------------


def test_replace_then_404_then_add_as_the_ror_protocol_says(
    client: FlaskClient, place: Place, vendor: str
) -> None:
    path = selector(**AVAILABLE_UNDIFFERENTIATED)
    new = indicator(2, genderCapacityAvailable="03")
    missing = client.patch(
        by_identifier(place),
        data=patch_body(ror_operation("replace", path, new)),
        headers=headers(vendor),
    )
    assert missing.status_code == 404
    assert issue(missing)["code"] == "not-found"
    assert issue(missing)["expression"] == [CAPACITY_PATH]

    added = client.patch(
        by_identifier(place),
        data=patch_body(ror_operation("add", CAPACITY_PATH, new)),
        headers=headers(vendor),
    )
    assert added.status_code == 200, added.get_json()
    assert capacity_of(added.get_json())[UNDIFFERENTIATED_KEY] == 2
    version = int(added.get_json()["meta"]["versionId"])
    assert added.headers["ETag"] == f'W/"{version}"'
    assert added.headers["Last-Modified"]

    replaced = client.patch(
        by_identifier(place),
        data=patch_body(
            ror_operation("replace", path, indicator(12, genderCapacityAvailable="03"))
        ),
        headers=headers(vendor),
    )
    assert replaced.status_code == 200
    assert capacity_of(replaced.get_json())[UNDIFFERENTIATED_KEY] == 12
    assert replaced.headers["ETag"] == f'W/"{version + 1}"'


def test_standard_fhirpath_patch_by_id_add_replace_delete(
    client: FlaskClient, place: Place, vendor: str, engine: Engine
) -> None:
    url = f"/fhir/Location/{place.id}"
    women = {"capacityStatus": "02", "temporalityCapacity": "02", "genderCapacityAvailable": "01"}
    added = client.patch(
        url,
        data=patch_body(fhir_operation("add", "Location", indicator(4, **women), name="extension")),
        headers=headers(vendor),
    )
    assert added.status_code == 200, added.get_json()
    assert capacity_of(added.get_json())[codes_of(**women)] == 4

    # `remove`, the older name of delete, with the criteria inside the first where()
    path = (
        f"Location.extension.where(url='{SUPPORTED_CAPACITY}' and "
        "extension.where(url='temporalityCapacity' and valueCodeableConcept.coding.code='02') "
        "and extension.where(url='genderCapacityAvailable' and valueCode='01') "
        "and extension.where(url='temporaryAssignement' and valueCoding.code='02'))"
    )
    deleted = client.patch(
        url, data=patch_body(fhir_operation("remove", path)), headers=headers(vendor)
    )
    assert deleted.status_code == 200, deleted.get_json()
    assert codes_of(**women) not in capacity_of(deleted.get_json())
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT active, removed_at, written_by FROM location_capacity "
                "WHERE location_id = :id AND temporality = '02' AND gender = '01' "
                "AND temporary_assignment = '02'"
            ),
            {"id": place.id},
        ).one()
    assert (row.active, row.removed_at is not None, row.written_by) == (
        False,
        True,
        "bedmgmt-vendor",
    )
    again = client.patch(
        url, data=patch_body(fhir_operation("delete", path)), headers=headers(vendor)
    )
    assert again.status_code == 404
    assert issue(again)["expression"] == [CAPACITY_PATH]


def test_an_add_of_a_present_indicator_replaces_it(
    client: FlaskClient, place: Place, vendor: str
) -> None:
    for nb in (5, 6):
        answer = client.patch(
            by_identifier(place),
            data=patch_body(
                ror_operation("add", CAPACITY_PATH, indicator(nb, genderCapacityAvailable="03"))
            ),
            headers=headers(vendor),
        )
        assert answer.status_code == 200
    assert capacity_of(answer.get_json())[UNDIFFERENTIATED_KEY] == 6


def test_unknown_and_duplicate_sync_identifiers(
    client: FlaskClient, place: Place, vendor: str, engine: Engine
) -> None:
    body = patch_body(ror_operation("add", CAPACITY_PATH, indicator(1)))
    unknown = client.patch(
        "/fhir/Location?identifier=1999999999/NOPE", data=body, headers=headers(vendor)
    )
    assert unknown.status_code == 404
    assert issue(unknown)["expression"] == ["Location"]

    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE location SET sync_identifier = :sync WHERE id = "
                "(SELECT min(id) FROM location WHERE id <> :id AND removed_at IS NULL)"
            ),
            {"sync": place.sync_identifier, "id": place.id},
        )
    twice = client.patch(by_identifier(place), data=body, headers=headers(vendor))
    assert twice.status_code == 412
    assert issue(twice)["code"] == "multiple-matches"
    assert (
        "La Location recherchée n'est pas unique, il y a '2' résultats"
        in issue(twice)["diagnostics"]
    )


def _with_system(tokens: list[str], sync: str) -> list[str]:
    # The extract may give the sync identifier no system: then its bare value.
    return [t for t in tokens if t.endswith(f"|{sync}")] or [sync]


def _functional(tokens: list[str], sync: str) -> list[str]:
    # The type-25 identifier, which is no sync identifier: found among the identifier tokens
    # once the sync identifier, looked up first, matches nothing.
    return [t for t in tokens if "|" not in t and t != sync]


@pytest.mark.parametrize("pick", [_with_system, _functional])
def test_other_forms_of_the_identifier_find_the_location(
    client: FlaskClient,
    place: Place,
    vendor: str,
    engine: Engine,
    pick: Callable[[list[str], str], list[str]],
) -> None:
    with engine.connect() as conn:
        tokens = conn.execute(
            text("SELECT identifier_tokens FROM location WHERE id = :id"), {"id": place.id}
        ).scalar_one()
    picked = pick(tokens, place.sync_identifier)
    assert picked, tokens
    answer = client.patch(
        f"/fhir/Location?identifier={picked[0]}",
        data=patch_body(ror_operation("add", CAPACITY_PATH, indicator(3))),
        headers=headers(vendor),
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["id"] == place.id


# --- ETag / If-Match, concurrency --------------------------------------------------------


def test_if_match_must_name_the_current_version(
    client: FlaskClient, place: Place, vendor: str
) -> None:
    current = client.get(f"/fhir/Location/{place.id}")
    etag = current.headers["ETag"]
    body = patch_body(ror_operation("add", CAPACITY_PATH, indicator(7)))
    first = client.patch(
        by_identifier(place), data=body, headers=headers(vendor, **{"If-Match": etag})
    )
    assert first.status_code == 200
    stale = client.patch(
        by_identifier(place), data=body, headers=headers(vendor, **{"If-Match": etag})
    )
    assert stale.status_code == 412
    assert issue(stale)["code"] == "conflict"
    fresh = client.patch(
        by_identifier(place),
        data=body,
        headers=headers(vendor, **{"If-Match": first.headers["ETag"]}),
    )
    assert fresh.status_code == 200


@contextmanager
def threaded_server(app: Flask) -> Iterator[str]:
    """The app on a real, threaded HTTP server: concurrent requests on their own connections."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def concurrently(count: int, work: Callable[[int], object]) -> list[object]:
    """Run work(0..count-1) in threads released together; their results, in order."""
    start = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index: int) -> None:
        start.wait()
        results[index] = work(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_writers_with_the_same_etag_one_gets_412(
    app: Flask, client: FlaskClient, place: Place, vendor: str
) -> None:
    etag = client.get(f"/fhir/Location/{place.id}").headers["ETag"]
    with threaded_server(app) as root:

        def write(index: int) -> int:
            body = patch_body(ror_operation("add", CAPACITY_PATH, indicator(10 + index)))
            answer = httpx.patch(
                f"{root}{by_identifier(place)}",
                content=body,
                headers=headers(vendor, **{"If-Match": etag}),
                timeout=30,
            )
            return answer.status_code

        statuses = concurrently(2, write)
    assert sorted(statuses) == [200, 412]  # type: ignore[type-var]
    served = client.get(f"/fhir/Location/{place.id}")
    winner = statuses.index(200)
    assert capacity_of(served.get_json())[codes_of()] == 10 + winner


def test_eight_concurrent_writers_on_distinct_indicators_lose_nothing(
    app: Flask, client: FlaskClient, place: Place, vendor: str, engine: Engine
) -> None:
    before = int(client.get(f"/fhir/Location/{place.id}").headers["ETag"][3:-1])
    rounds = 5
    # eight indicators: temporality 02..05 by gender 01 / 02 (beds available)
    dimensions = [
        {"temporalityCapacity": t, "genderCapacityAvailable": g}
        for t in ("02", "03", "04", "05")
        for g in ("01", "02")
    ]
    with threaded_server(app) as root, httpx.Client(timeout=60) as session:

        def write(index: int) -> list[int]:
            statuses = []
            for n in range(rounds):
                kind, path = (
                    ("add", CAPACITY_PATH) if n == 0 else ("replace", selector(**dimensions[index]))
                )
                body = patch_body(
                    ror_operation(kind, path, indicator(100 * index + n, **dimensions[index]))
                )
                answer = session.patch(
                    f"{root}/fhir/Location/{place.id}", content=body, headers=headers(vendor)
                )
                statuses.append(answer.status_code)
            return statuses

        results = concurrently(len(dimensions), write)
    assert all(s == [200] * rounds for s in results), results  # type: ignore[attr-defined]
    served = client.get(f"/fhir/Location/{place.id}")
    found = capacity_of(served.get_json())
    for index, dims in enumerate(dimensions):
        assert found[codes_of(**dims)] == 100 * index + rounds - 1
    assert int(served.headers["ETag"][3:-1]) == before + len(dimensions) * rounds
    with engine.connect() as conn:
        versions = (
            conn.execute(
                text("SELECT version_id FROM location_history WHERE location_id = :id ORDER BY id"),
                {"id": place.id},
            )
            .scalars()
            .all()
        )
    assert versions == list(range(before + 1, before + 1 + len(dimensions) * rounds))


# --- keys ----------------------------------------------------------------------------------


def test_no_key_unknown_key_and_revoked_key_answer_401(
    client: FlaskClient, place: Place, vendor: str, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    body = patch_body(ror_operation("add", CAPACITY_PATH, indicator(1)))
    caplog.set_level(logging.WARNING, logger="api.auth")
    anonymous = client.patch(by_identifier(place), data=body, headers=headers(None))
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert issue(anonymous)["code"] == "login"
    unknown = client.patch(by_identifier(place), data=body, headers=headers("ann_not-a-key"))
    assert unknown.status_code == 401
    with engine.begin() as conn:
        keys.revoke(conn, "bedmgmt-vendor")
    revoked = client.patch(by_identifier(place), data=body, headers=headers(vendor))
    assert revoked.status_code == 401
    assert "revoked" in issue(revoked)["diagnostics"]
    logged = [r.getMessage() for r in caplog.records if r.name == "api.auth"]
    assert logged[0].startswith(
        f"refused write: key=anonymous target=Location?identifier={place.sync_identifier}"
    )
    assert logged[2].startswith("refused write: key=bedmgmt-vendor ")
    assert "revoked" in logged[2]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM location_history")).scalar_one() == 0


def test_a_key_may_write_only_its_establishments(
    client: FlaskClient, place: Place, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="api.auth")
    other = new_key(engine, "elsewhere", ["330000001"])
    body = patch_body(ror_operation("add", CAPACITY_PATH, indicator(1)))
    refused = client.patch(by_identifier(place), data=body, headers=headers(other))
    assert refused.status_code == 403
    assert issue(refused)["code"] == "forbidden"
    assert f"FINESS {place.finess}" in issue(refused)["diagnostics"]
    assert any(
        r.getMessage().startswith(f"refused write: key=elsewhere target=Location/{place.id} ")
        for r in caplog.records
    )
    # reads stay open to anyone
    assert client.get(f"/fhir/Location/{place.id}").status_code == 200
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM location_history")).scalar_one() == 0


def test_a_key_without_the_scope_is_refused(
    client: FlaskClient, place: Place, engine: Engine
) -> None:
    key = new_key(engine, "reader", [place.finess])
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE api_key SET scopes = ARRAY['capacity:read'] WHERE name = 'reader'")
        )
    answer = client.patch(
        by_identifier(place),
        data=patch_body(ror_operation("add", CAPACITY_PATH, indicator(1))),
        headers=headers(key),
    )
    assert answer.status_code == 403
    assert "lacks the scope capacity:write" in issue(answer)["diagnostics"]


# --- visibility and history ----------------------------------------------------------------


def test_a_write_is_visible_to_the_very_next_read_and_search(
    client: FlaskClient, place: Place, vendor: str
) -> None:
    answer = client.patch(
        f"/fhir/Location/{place.id}",
        data=patch_body(
            ror_operation("add", CAPACITY_PATH, indicator(9, genderCapacityAvailable="04"))
        ),
        headers=headers(vendor),
    )
    assert answer.status_code == 200
    read = client.get(f"/fhir/Location/{place.id}")
    assert read.headers["ETag"] == answer.headers["ETag"]
    assert read.get_json() == answer.get_json()
    status = BY_URL["capacityStatus"].system
    gender = BY_URL["genderCapacityAvailable"].system
    found = client.get(
        f"/fhir/Location?capacity-status={status}|02&gender-capacity-available={gender}|04"
        "&nb-capacity=eq9"
    )
    assert [e["resource"]["id"] for e in found.get_json()["entry"]] == [place.id]


def test_history_records_who_when_before_and_after(
    client: FlaskClient, place: Place, vendor: str
) -> None:
    url = f"/fhir/Location/{place.id}"
    first = client.patch(
        url,
        data=patch_body(ror_operation("add", CAPACITY_PATH, indicator(1))),
        headers=headers(vendor),
    )
    path = selector(capacityStatus="02", temporalityCapacity="01", temporaryAssignement="02")
    second = client.patch(
        url, data=patch_body(ror_operation("replace", path, indicator(2))), headers=headers(vendor)
    )
    assert (first.status_code, second.status_code) == (200, 200)

    bundle = client.get(f"{url}/_history").get_json()
    assert bundle["type"] == "history"
    versions = [e["response"]["etag"] for e in bundle["entry"]]
    assert versions == [second.headers["ETag"], first.headers["ETag"]]
    assert bundle["entry"][0]["resource"] == second.get_json()
    old = client.get(f"{url}/_history/{first.get_json()['meta']['versionId']}")
    assert old.status_code == 200
    assert old.get_json() == first.get_json()
    assert client.get(f"{url}/_history/999999").status_code == 404

    audit = client.get(f"/api/v1/locations/{place.id}/history")
    assert audit.status_code == 200
    items = audit.get_json()["items"]
    assert [(i["actor"], i["operation"]) for i in items[:2]] == [
        ("bedmgmt-vendor", "replace"),
        ("bedmgmt-vendor", "add"),
    ]
    nb = {p["url"]: p for p in items[0]["after"]["extension"]}["nbCapacity"]["valueInteger"]
    was = {p["url"]: p for p in items[0]["before"]["extension"]}["nbCapacity"]["valueInteger"]
    assert (was, nb) == (1, 2)
    assert items[1]["before"] is None
    assert items[0]["at"] >= items[1]["at"]
    paged = client.get(f"/api/v1/locations/{place.id}/history?limit=1").get_json()
    assert len(paged["items"]) == 1 and paged["next"]
    rest = client.get(paged["next"]).get_json()
    assert rest["items"][0]["operation"] == "add"

    capacity = client.get(f"/api/v1/locations/{place.id}/capacity").get_json()
    written = [i for i in capacity["items"] if i["written_by"] == "bedmgmt-vendor"]
    assert [(i["status"], i["gender"], i["nb"]) for i in written] == [("02", None, 2)]
    assert capacity["version"] == int(second.get_json()["meta"]["versionId"])


def test_json_api_answers_404_problem_for_an_unknown_location(
    client: FlaskClient, place: Place
) -> None:
    for path in ("capacity", "history"):
        answer = client.get(f"/api/v1/locations/nowhere/{path}")
        assert answer.status_code == 404
        assert answer.mimetype == "application/problem+json"


# --- bad bodies and codes ------------------------------------------------------------------


BAD_BODIES = [
    (b"{not json", "not JSON"),
    (orjson.dumps({"resourceType": "Location"}), "FHIRPath Patch Parameters"),
    (patch_body(), "no operation"),
    (patch_body(ror_operation("move", CAPACITY_PATH, indicator(1))), "'move' is not supported"),
    (patch_body(ror_operation("add", "Location.name", indicator(1))), "Location.extension"),
    (patch_body(ror_operation("replace", CAPACITY_PATH, indicator(1))), "selects one indicator"),
    (
        patch_body(ror_operation("replace", selector(nbCapacity="3"), indicator(1))),
        "not by 'nbCapacity'",
    ),
    (
        patch_body(ror_operation("delete", f"{CAPACITY_PATH}.where(capacityStatus = '02')")),
        "criteria of the form",
    ),
    (patch_body(ror_operation("add", CAPACITY_PATH)), "needs a value"),
    (
        patch_body(
            ror_operation("add", CAPACITY_PATH, {"url": SUPPORTED_CAPACITY, "extension": []})
        ),
        "missing nbCapacity",
    ),
    (
        patch_body(ror_operation("add", CAPACITY_PATH, indicator(-1))),
        "nbCapacity: -1 is not a count",
    ),
]


def test_bad_bodies_answer_400_naming_the_fault(
    client: FlaskClient, place: Place, vendor: str, engine: Engine
) -> None:
    # one location for every case: a load per case would cost more than the cases
    for body, expected in BAD_BODIES:
        answer = client.patch(by_identifier(place), data=body, headers=headers(vendor))
        assert answer.status_code == 400, (body, answer.get_json())
        assert expected in issue(answer)["diagnostics"], (body, answer.get_json())
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM location_history")).scalar_one() == 0


def test_invalid_indicator_combinations_answer_400(
    client: FlaskClient, place: Place, vendor: str
) -> None:
    closed_for_women = indicator(1, capacityStatus="05", genderCapacityAvailable="01")
    answer = client.patch(
        by_identifier(place),
        data=patch_body(ror_operation("add", CAPACITY_PATH, closed_for_women)),
        headers=headers(vendor),
    )
    assert answer.status_code == 400
    assert issue(answer)["code"] == "business-rule"
    assert (
        "capacityStatus: 05 / temporalityCapacity: 01 / genderCapacityAvailable: 01"
        in issue(answer)["diagnostics"]
    )

    mismatch = client.patch(
        by_identifier(place),
        data=patch_body(
            ror_operation(
                "replace",
                selector(genderCapacityAvailable="01"),
                indicator(1, genderCapacityAvailable="02"),
            )
        ),
        headers=headers(vendor),
    )
    assert mismatch.status_code == 400
    assert (
        "does not match the indicator its path selects (genderCapacityAvailable)"
        in issue(mismatch)["diagnostics"]
    )


def test_json_patch_is_not_accepted(client: FlaskClient, place: Place, vendor: str) -> None:
    answer = client.patch(
        by_identifier(place),
        data=b'[{"op": "replace", "path": "/status", "value": "active"}]',
        headers=headers(vendor, **{"Content-Type": "application/json-patch+json"}),
    )
    assert answer.status_code == 415
    assert "FHIRPath Patch" in issue(answer)["diagnostics"]


def test_one_failing_operation_leaves_the_others_unapplied(
    client: FlaskClient, place: Place, vendor: str, engine: Engine
) -> None:
    answer = client.patch(
        by_identifier(place),
        data=patch_body(
            ror_operation("add", CAPACITY_PATH, indicator(5, temporalityCapacity="03")),
            ror_operation(
                "replace",
                selector(temporalityCapacity="04"),
                indicator(6, temporalityCapacity="04"),
            ),
        ),
        headers=headers(vendor),
    )
    assert answer.status_code == 404
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT count(*) FROM location_capacity WHERE written_by IS NOT NULL")
            ).scalar_one()
            == 0
        )


def test_codes_are_checked_against_the_value_set_when_the_terminology_is_loaded(
    client: FlaskClient, place: Place, vendor: str, load: Callable
) -> None:
    unlisted = indicator(1, capacityStatus="07")  # deprecated, and not in the J188 fixture
    body = patch_body(ror_operation("add", CAPACITY_PATH, unlisted))
    # no value set loaded: any code goes
    assert client.patch(by_identifier(place), data=body, headers=headers(vendor)).status_code == 200

    load(J188, source="terminology")
    refused = client.patch(by_identifier(place), data=body, headers=headers(vendor))
    assert refused.status_code == 400
    assert issue(refused)["code"] == "business-rule"
    assert "capacityStatus: the code '07' is not in the value set" in issue(refused)["diagnostics"]
    assert "JDV_J188-TypeStatutCapacite-ROR" in issue(refused)["diagnostics"]
    assert issue(refused)["expression"] == [
        f"Location.extension('{SUPPORTED_CAPACITY}').extension('capacityStatus')"
    ]
    listed = patch_body(ror_operation("add", CAPACITY_PATH, indicator(1, capacityStatus="01")))
    assert (
        client.patch(by_identifier(place), data=listed, headers=headers(vendor)).status_code == 200
    )
    # a bad code in the path is named too
    in_path = patch_body(ror_operation("delete", selector(capacityStatus="99")))
    refused = client.patch(by_identifier(place), data=in_path, headers=headers(vendor))
    assert refused.status_code == 400
    assert "the code '99'" in issue(refused)["diagnostics"]


def status_displays(resource: dict) -> dict[str, str | None]:
    """capacityStatus code → its coding's display, over a served Location's indicators."""
    return {
        coding["code"]: coding.get("display")
        for extension in resource.get("extension", [])
        if extension["url"] == SUPPORTED_CAPACITY
        for part in extension["extension"]
        if part["url"] == "capacityStatus"
        for coding in part["valueCodeableConcept"]["coding"]
    }


def test_served_indicators_carry_the_labels_of_the_loaded_terminology(
    client: FlaskClient, place: Place, vendor: str, load: Callable
) -> None:
    read = f"/fhir/Location/{place.id}"
    body = patch_body(ror_operation("add", CAPACITY_PATH, indicator(3, capacityStatus="05")))
    written = client.patch(by_identifier(place), data=body, headers=headers(vendor))
    before = status_displays(written.get_json())
    assert "05" in before and set(before.values()) == {None}  # no terminology: codes alone
    assert status_displays(client.get(read).get_json()) == before

    load(J188, source="terminology")  # TRE_R330's labels: 02 Disponible, 05 Fermé…
    labelled = status_displays(client.get(read).get_json())
    assert labelled["05"] == "Fermé" and None not in labelled.values()
    (found,) = client.get(f"/fhir/Location?_id={place.id}").get_json()["entry"]
    assert status_displays(found["resource"]) == labelled
    body = patch_body(ror_operation("add", CAPACITY_PATH, indicator(4, capacityStatus="02")))
    written = client.patch(by_identifier(place), data=body, headers=headers(vendor))
    assert status_displays(written.get_json())["02"] == "Disponible"
    kick_off = client.get(
        f"/fhir/$export?_type=Location&_typeFilter=Location%3F_id%3D{place.id}",
        headers={"Prefer": "respond-async"},
    )
    status = kick_off.headers["Content-Location"].removeprefix("http://localhost")
    (output,) = client.get(status).get_json()["output"]
    exported = orjson.loads(client.get(output["url"].removeprefix("http://localhost")).data)
    assert exported == client.get(read).get_json() and "Fermé" in str(exported)
    items = client.get(f"/api/v1/locations/{place.id}/capacity").get_json()["items"]
    assert {i["status"]: i["labels"].get("status") for i in items} == labelled
    # The version written before the terminology came is labelled when read, as the others.
    versions = client.get(f"{read}/_history").get_json()["entry"]
    assert len(versions) == 2
    assert all(None not in status_displays(v["resource"]).values() for v in versions)
    first = versions[-1]["resource"]["meta"]["versionId"]
    assert status_displays(client.get(f"{read}/_history/{first}").get_json())["05"] == "Fermé"


def test_the_json_api_endpoints_are_documented(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    capacity = spec["paths"]["/api/v1/locations/{location_id}/capacity"]["get"]
    assert {"200", "404"} <= set(capacity["responses"])
    audit = spec["paths"]["/api/v1/locations/{location_id}/history"]["get"]
    assert {p["name"] for p in audit["parameters"]} == {"limit", "cursor"}
    assert {"200", "400", "404", "422"} <= set(audit["responses"])
