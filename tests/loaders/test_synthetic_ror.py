"""The synthetic ROR generator: deterministic NDJSON in the ROR IG shapes, linked to the
synthetic FINESS register and RPPS extract of the same seed and scale."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from directory.offers.capacity import read_indicator
from directory.offers.systems import (
    ACTIVITY_FIELD,
    CARE_MODE,
    DIMENSIONS,
    LOCATION_ID_TYPE,
    NB_CAPACITY,
    OPERATIONAL_ACTIVITY,
    PATIENT_TYPE,
    REGION,
    SENSITIVE_UNIT,
    SOURCE_TYPE,
    SUPPORTED_CAPACITY,
    SYNC_ID_TYPE,
    UPDATE_DATE,
)
from directory.organizations.identifiers import FINESS_SYSTEM, IDNST_SYSTEM
from directory.organizations.territories import department_of_commune, is_plausible
from directory.practitioners.systems import IDNPS_SYSTEM
from loaders.pipeline import LoadResult
from loaders.registry import SOURCES
from loaders.synthetic import generator
from loaders.synthetic.finess import generate_finess
from loaders.synthetic.ror import RESOURCE_TYPES, generate_ror
from loaders.synthetic.ror_catalogue import ACTIVITIES, CARE_MODES, FIELDS, REGION_OF
from loaders.synthetic.rpps import generate_rpps

DAY = date(2026, 11, 1)
SCALE = 0.005  # about 150 establishments, 2,000 offers, 500 locations
SEED = 5
REQUIRED = {"capacityType", "capacityStatus", "temporalityCapacity", NB_CAPACITY}
REQUIRED |= {"capacitySourceType", UPDATE_DATE, "temporaryAssignement"}
KNOWN = REQUIRED | {d.url for d in DIMENSIONS} | {"comment"}


def _read(path: Path) -> list[dict]:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def _generate(directory: Path, **options) -> dict[str, Path]:
    paths = generate_ror(
        directory, scale=options.pop("scale", SCALE), seed=SEED, day=DAY, **options
    )
    return dict(zip(RESOURCE_TYPES, paths, strict=True))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _generate(tmp_path_factory.mktemp("ror"))


@pytest.fixture(scope="module")
def extract(files: dict[str, Path]) -> dict[str, list[dict]]:
    return {kind: _read(path) for kind, path in files.items()}


@pytest.fixture(scope="module")
def by_id(extract: dict[str, list[dict]]) -> dict[str, dict[str, dict]]:
    return {kind: {r["id"]: r for r in resources} for kind, resources in extract.items()}


def _identifier(resource: dict, system: str, prefix: str = "") -> str | None:
    """The value of `resource`'s identifier of `system` (starting with `prefix`), if any."""
    return next(
        (
            i["value"]
            for i in resource["identifier"]
            if i.get("system") == system and i["value"].startswith(prefix)
        ),
        None,
    )


def _typed(resource: dict, code: str) -> str | None:
    return next(
        (i["value"] for i in resource["identifier"] if i["type"]["coding"][0]["code"] == code),
        None,
    )


def _establishment(organizations: dict[str, dict], organization_id: str) -> dict:
    """The EG above an organization: the first one without an internal organisation type."""
    organization = organizations[organization_id]
    while organization["type"] and "TRE_R207" in organization["type"][0]["coding"][0]["system"]:
        organization = organizations[organization["partOf"]["reference"].split("/")[1]]
    return organization


def _capacities(location: dict) -> Iterator[dict]:
    return (e for e in location["extension"] if e["url"] == SUPPORTED_CAPACITY)


def _ref(reference: dict) -> tuple[str, str]:
    kind, _, id_ = reference["reference"].partition("/")
    return kind, id_


def test_five_ndjson_files_one_resource_per_line(files: dict[str, Path]) -> None:
    assert [path.name for path in files.values()] == [
        "Organization.ndjson",
        "HealthcareService.ndjson",
        "Location.ndjson",
        "PractitionerRole.ndjson",
        "Practitioner.ndjson",
    ]
    for kind, path in files.items():
        lines = path.read_bytes().split(b"\n")
        assert lines[-1] == b"" and all(lines[:-1]), kind
        assert {json.loads(line)["resourceType"] for line in lines[:-1]} == {kind}


def test_same_arguments_same_bytes(files: dict[str, Path], tmp_path: Path) -> None:
    again = _generate(tmp_path / "again")
    other = generate_ror(tmp_path / "other", scale=SCALE, seed=SEED + 1, day=DAY)
    for kind, path in files.items():
        assert again[kind].read_bytes() == path.read_bytes(), kind
    assert other[1].read_bytes() != files["HealthcareService"].read_bytes()


def test_gzip_holds_the_same_lines(files: dict[str, Path], tmp_path: Path) -> None:
    zipped = _generate(tmp_path, gzip_output=True)
    for kind, path in zipped.items():
        assert path.name == f"{kind}.ndjson.gz"
        assert gzip.decompress(path.read_bytes()) == files[kind].read_bytes()


def test_registered_as_the_ror_generator(tmp_path: Path) -> None:
    paths = list(generator("ror")(tmp_path, scale=0.001, seed=SEED))
    assert [path.name for path in paths] == [f"{kind}.ndjson" for kind in RESOURCE_TYPES]


def test_volumes_follow_the_scale(extract: dict[str, list[dict]], tmp_path: Path) -> None:
    """Scale 1: 30 k establishments, 470 k offers, 100 k locations, 380 k indicators."""
    larger = {kind: _read(path) for kind, path in _generate(tmp_path, scale=4 * SCALE).items()}
    for kind in ("Organization", "HealthcareService", "Location", "PractitionerRole"):
        assert 2.5 < len(larger[kind]) / len(extract[kind]) < 6, kind
    offers = len(extract["HealthcareService"])
    locations = extract["Location"]
    indicators = sum(len(list(_capacities(location))) for location in locations)
    assert 3 < offers / len(locations) < 8
    assert 3 < indicators / len(locations) < 6


def test_references_resolve(by_id: dict[str, dict[str, dict]]) -> None:
    for kind, resources in by_id.items():
        for resource in resources.values():
            references = []
            for key in ("providedBy", "managingOrganization", "partOf", "practitioner"):
                if key in resource:
                    references.append(resource[key])
            for key in ("location", "healthcareService"):
                references.extend(resource.get(key, []))
            if kind == "PractitionerRole":
                references.append(resource["organization"])
            for reference in references:
                target, id_ = _ref(reference)
                assert id_ in by_id[target], (kind, resource["id"], reference)


def test_every_resource_has_its_profile_region_and_dates(extract: dict[str, list[dict]]) -> None:
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+00:00")
    regions = set(REGION_OF.values())
    for kind, resources in extract.items():
        for resource in resources:
            meta = resource["meta"]
            assert meta["profile"][0].endswith("/ror-" + kind.lower()), kind
            assert stamp.fullmatch(meta["lastUpdated"]), meta
            [tag] = meta["tag"]
            assert tag["system"] == REGION and tag["code"] in regions
            created = [e for e in resource["extension"] if e["url"].endswith("creation-date")]
            assert created and created[0]["valueDateTime"] <= meta["lastUpdated"]


def test_establishments_are_those_of_the_finess_register(
    by_id: dict[str, dict[str, dict]], tmp_path: Path
) -> None:
    structures_file = generate_finess(tmp_path, scale=SCALE, seed=SEED, day=DAY)[0]
    structures = json.loads(gzip.decompress(structures_file.read_bytes()))
    entities = {
        pmej["informationsGeneralesPMEJ"]["numFinessPm"]: pmej for pmej in structures["pmej"]
    }
    sites = {
        ege["informationsGeneralesEGE"]["numFinessEge"]: (pm, ege)
        for pm, pmej in entities.items()
        for ege in pmej["ege"]
    }
    organizations = by_id["Organization"]
    linked = unknown = 0
    for organization in organizations.values():
        finess = _identifier(organization, FINESS_SYSTEM)
        kinds = {i["type"]["coding"][0]["code"] for i in organization["identifier"] if "type" in i}
        if "FINEG" in kinds:  # an open EG FINESS knows: same number, name, category, EJ
            linked += 1
            entity, site = sites[finess]
            assert site["etatObjet"] == "A"
            assert site["informationsGeneralesEGE"]["nomEgeCourt"].rstrip() == organization["name"]
            category = organization["type"][0]["coding"][0]["code"]
            assert site["categorieentiteGeographiqueExercice"] == category
            assert _identifier(organization, IDNST_SYSTEM) == "1" + finess
            parent = organizations[_ref(organization["partOf"])[1]]
            assert _identifier(parent, FINESS_SYSTEM) == entity
        elif "FINEJ" in kinds:
            assert finess in entities
        elif "IDNST" in kinds:  # unknown to FINESS: idNatSt 3 + SIRET
            unknown += 1
            assert _identifier(organization, IDNST_SYSTEM).startswith("3")
    assert linked > 100 and 0 < unknown < linked / 50


def test_internal_organisations_chain_up_to_an_establishment(
    by_id: dict[str, dict[str, dict]],
) -> None:
    organizations = by_id["Organization"]
    depths = Counter()
    for organization in organizations.values():
        depth = 0
        while "TRE_R207" in str(organization["type"]):
            organization = organizations[_ref(organization["partOf"])[1]]
            depth += 1
        depths[depth] += 1
        assert "TRE_R207" not in str(organization["type"])
    assert depths[1] and depths[2]  # services under the EG, and under a pôle


def test_locations_are_where_their_establishment_is(by_id: dict[str, dict[str, dict]]) -> None:
    organizations = by_id["Organization"]
    for location in by_id["Location"].values():
        establishment = _establishment(organizations, _ref(location["managingOrganization"])[1])
        national_id = _identifier(establishment, IDNST_SYSTEM)
        region = location["meta"]["tag"][0]["code"]
        assert re.fullmatch(rf"{region}/\d+", _typed(location, LOCATION_ID_TYPE))
        sync = _typed(location, SYNC_ID_TYPE)
        assert sync is None or sync.startswith(national_id + "/")
        [commune] = [e for e in location["extension"] if e["url"].endswith("ror-commune-cog")]
        cog = commune["valueCodeableConcept"]["coding"][0]["code"]
        department = department_of_commune(cog)
        assert REGION_OF[department] == region
        position = location["position"]
        assert is_plausible(position["latitude"], position["longitude"], department)
        assert location["status"] in ("active", "suspended", "inactive")
    sync_ids = [_typed(location, SYNC_ID_TYPE) for location in by_id["Location"].values()]
    assert len(set(sync_ids) - {None}) == len([s for s in sync_ids if s])  # unique


def test_offers_carry_the_ror_codes(extract: dict[str, list[dict]]) -> None:
    activities = Counter()
    for offer in extract["HealthcareService"]:
        region = offer["meta"]["tag"][0]["code"]
        [identifier] = offer["identifier"]
        assert identifier["type"]["coding"][0]["code"] == "35"
        assert re.fullmatch(rf"{region}/\d{{7}}", identifier["value"])
        [field] = offer["type"][0]["coding"]
        assert field["system"] == ACTIVITY_FIELD and field["code"] in FIELDS
        [activity] = offer["specialty"][0]["coding"]
        assert activity["system"] == OPERATIONAL_ACTIVITY and activity["code"] in ACTIVITIES
        modes = [c["coding"][0] for c in offer["characteristic"]]
        assert [m["system"] for m in modes] == [CARE_MODE] and modes[0]["code"] in CARE_MODES
        assert ACTIVITIES[activity["code"]].field == field["code"]
        extensions = {e["url"]: e for e in offer["extension"]}
        assert isinstance(extensions[SENSITIVE_UNIT]["valueBoolean"], bool)
        [age] = [e for e in extensions[PATIENT_TYPE]["extension"] if e["url"] == "ageRange"]
        assert age["valueRange"]["low"]["code"] == age["valueRange"]["high"]["code"] == "a"
        assert offer["name"]
        activities[activity["code"]] += 1
    assert len(activities) > 60  # hundreds of codes at full scale, the common ones first
    fields = Counter(ACTIVITIES[code].field for code in activities.elements())
    assert fields["01"] > fields["04"] > 0 and fields["03"] and fields["02"]


def test_capacity_extensions_have_the_ror_shape(extract: dict[str, list[dict]]) -> None:
    """Domain notes §2.3: one extension per indicator, CodeableConcepts of the TRE systems."""
    # The TRE system; a few carry the JDV URL instead (a deliberate defect the reader accepts).
    systems = {d.url: (d.system, d.value_set + "/") for d in (*DIMENSIONS, SOURCE_TYPE)}
    statuses = Counter()
    now = datetime.combine(DAY, datetime.min.time(), tzinfo=UTC) + timedelta(hours=2)
    stale = 0
    for location in extract["Location"]:
        keys = set()
        for capacity in _capacities(location):
            parts = {part["url"]: part for part in capacity["extension"]}
            assert REQUIRED <= set(parts) <= KNOWN, parts.keys()
            indicator = read_indicator(capacity)
            keys.add(indicator.key(location["id"]))
            if indicator.repairs:
                continue  # a deliberate defect: see the test below
            for url, part in parts.items():
                if url in systems:
                    [coding] = part["valueCodeableConcept"]["coding"]
                    assert coding["system"] in systems[url]
            assert isinstance(parts[NB_CAPACITY]["valueInteger"], int)
            assert indicator.updated_at <= now
            stale += indicator.updated_at < now - timedelta(days=30)
            statuses[indicator.codes["status"], indicator.codes["gender"]] += 1
        assert len(keys) == len(list(_capacities(location)))  # one indicator per key
    assert statuses["01", ""] and statuses["02", "01"] and statuses["02", "02"]
    assert statuses["02", "04"] and statuses["05", ""] and statuses["06", ""]
    assert 0 < statuses["02", "03"] < statuses["02", "01"] / 5  # the deprecated gender, rarely
    assert 0 < stale < sum(statuses.values()) / 5


def test_known_defects_at_the_rate_asked(tmp_path: Path) -> None:
    clean_files = _generate(tmp_path / "clean", defect_rate=0)
    spoilt_files = _generate(tmp_path / "spoilt", defect_rate=0.3)
    for kind in ("Organization", "HealthcareService", "PractitionerRole"):  # defects apart,
        assert clean_files[kind].read_bytes() == spoilt_files[kind].read_bytes()  # the same
    clean, spoilt = _read(clean_files["Location"]), _read(spoilt_files["Location"])
    assert [loc["id"] for loc in clean] == [loc["id"] for loc in spoilt]
    for locations, low, high in ((clean, 0, 0), (spoilt, 0.2, 0.4)):
        repaired = Counter()
        total = 0
        for location in locations:
            for capacity in _capacities(location):
                total += 1
                text = json.dumps(capacity)
                indicator = read_indicator(capacity)
                if '"valueInt"' in text:
                    repaired["valueInt"] += 1
                    assert "nbCapacity: a string read as an integer" in indicator.repairs
                elif '"valueCode"' in text:
                    repaired["valueCode"] += 1
                    assert "a code read as a CodeableConcept" in indicator.repairs[0]
                elif "/JDV_J" in text:
                    repaired["value set"] += 1
                    assert indicator.repairs == []  # read as its TRE, nothing to mend
        assert low <= sum(repaired.values()) / total <= high
        assert len(repaired) == (3 if high else 0)


def test_practitioners_are_rpps_doctors_at_their_establishment(
    by_id: dict[str, dict[str, dict]], tmp_path: Path
) -> None:
    activity_file = generate_rpps(tmp_path, scale=SCALE, seed=SEED, day=DAY)[0]
    header, *lines = activity_file.read_text(encoding="utf-8").splitlines()
    columns = header.split("|")
    idnps, profession = (
        columns.index("Identification nationale PP"),
        columns.index("Code profession"),
    )
    site = columns.index("Numéro FINESS site")
    works_at = {
        (fields[idnps], fields[site])
        for fields in (line.split("|") for line in lines)
        if fields[profession] == "10"
    }
    organizations = by_id["Organization"]
    roles = by_id["PractitionerRole"].values()
    assert roles and by_id["Practitioner"]
    for role in roles:
        person = by_id["Practitioner"][_ref(role["practitioner"])[1]]
        identifier = _identifier(person, IDNPS_SYSTEM)
        establishment = organizations[_ref(role["organization"])[1]]
        assert (identifier, _identifier(establishment, FINESS_SYSTEM)) in works_at
        [service] = role["healthcareService"]
        offer = by_id["HealthcareService"][_ref(service)[1]]
        provider = _establishment(organizations, _ref(offer["providedBy"])[1])
        assert provider["id"] == establishment["id"]


def test_loads_after_finess_with_defects_repaired_and_establishments_merged(
    load: Callable[..., LoadResult], clean_db: str, tmp_path: Path
) -> None:
    if "ror" not in SOURCES:
        pytest.skip("the ROR loader is not registered yet")
    finess = generate_finess(tmp_path / "finess", scale=SCALE, seed=SEED, day=DAY)[0]
    ror = tmp_path / "ror"
    generate_ror(ror, scale=SCALE, seed=SEED, day=DAY, defect_rate=0.05)
    organizations = _read(ror / "Organization.ndjson")
    load(finess)
    result = load(ror, source="ror")
    with psycopg.connect(clean_db) as conn:
        message, rejected = conn.execute(
            "SELECT message, rejected FROM load_run WHERE id = %s", (result.run_id,)
        ).fetchone()
        reasons = [
            reason
            for (reason,) in conn.execute(
                "SELECT reason FROM load_rejection WHERE run_id = %s", (result.run_id,)
            )
        ]
        kinds = dict(conn.execute("SELECT kind, count(*) FROM organization GROUP BY kind"))
        services, merged = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE o.kind = 'EG') FROM healthcare_service s "
            "JOIN organization o ON o.id = s.establishment_id"
        ).fetchone()
    assert rejected == result.counts.rejected == 0
    assert [r for r in reasons if not r.startswith(("repaired:", "noted:"))] == []
    for repair in ("a string read as an integer", "a code read as a CodeableConcept", "(JDV)"):
        assert repair in message, repair
    # EGs FINESS knows are its organizations: the only ROR-only rows are internal
    # organisations and the sites (and legal entities) unknown to FINESS.
    unknown = sum(1 for o in organizations if _identifier(o, IDNST_SYSTEM, "3"))
    internal = sum(1 for o in organizations if "TRE_R207" in str(o["type"]))
    assert (kinds.get("RG"), kinds.get("RJ"), kinds.get("OI")) == (unknown, unknown, internal)
    assert services == len(_read(ror / "HealthcareService.ndjson"))
    assert 0 < services - merged < services / 20  # offers of the ROR-only sites
