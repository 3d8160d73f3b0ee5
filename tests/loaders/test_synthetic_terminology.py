"""The synthetic terminology generator: deterministic, in the real NOS/FHIR formats, and the three
renderings of each NOS agree (no database, except the last test, which loads the files)."""

from __future__ import annotations

import json
import random
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import psycopg
import pytest
from lxml import etree

from loaders.synthetic import generator
from loaders.synthetic.terminology import CIM_CODE_SYSTEM, CIM_VALUE_SET, NOS_ZIP
from loaders.synthetic.terminology_cim import concept_count
from loaders.synthetic.terminology_nos import AT_SCALE_1, MINIMUM, RELEASE, draw_catalogue
from loaders.synthetic.terminology_tabs import JDV_COLUMNS, TRE_COLUMNS
from tests.conftest import shared_file

SCALE = 0.05
SEED = 5
SVS = "{urn:ihe:iti:svs:2008}"
SYNONYM = "900000000000013009"
NOS_SAMPLES = ("terminology", "nos")
# The SVS attributes in the order of the .tabs columns.
FILE_FIELDS = ("id", "typeFichier", "displayName", "description", "urlFichier", "dateValid", "dateFin", "dateMaj")  # fmt: skip
TRE_FIELDS = ("code", "displayName", "shortDesignation", "longDesignation", "dateValid", "dateFin", "dateMaj")  # fmt: skip


def _generate(directory: Path, scale: float = SCALE, seed: int = SEED) -> list[Path]:
    return list(generator("terminology")(directory, scale=scale, seed=seed))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return _generate(tmp_path_factory.mktemp("terminology"))


@pytest.fixture(scope="module")
def archive(files: list[Path]) -> Iterator[zipfile.ZipFile]:
    with zipfile.ZipFile(files[0]) as opened:
        yield opened


@pytest.fixture(scope="module")
def folders(archive: zipfile.ZipFile) -> dict[str, dict[str, bytes]]:
    """Each NOS folder's files by kind: tabs, xml, url, json."""
    found: dict[str, dict[str, bytes]] = {}
    for name in archive.namelist():
        kind = "json" if name.endswith("-FHIR.json") else name.rsplit(".", 1)[1]
        found.setdefault(name.split("/")[0], {})[kind] = archive.read(name)
    return found


@pytest.fixture(scope="module")
def resources(folders: dict[str, dict[str, bytes]]) -> dict[str, dict]:
    return {folder: json.loads(files["json"]) for folder, files in folders.items()}


@pytest.fixture(scope="module")
def code_systems(resources: dict[str, dict]) -> dict[str, dict]:
    """The TRE CodeSystems by canonical url."""
    return {r["url"]: r for r in resources.values() if r["resourceType"] == "CodeSystem"}


@pytest.fixture(scope="module")
def cim(files: list[Path]) -> dict:
    return json.loads(files[1].read_bytes())


def _family(folder: str) -> str:
    return folder.split("_")[0]


def _svs(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def _tabs(data: bytes) -> list[list[str]]:
    return [line.split(";") for line in data.decode().splitlines()]


def _stamp(value: str | None) -> str:
    """A FHIR dateTime as the NOS 14-digit stamp ("" for none)."""
    return re.sub(r"\D", "", value[:19]) if value else ""


def _properties(concept: dict) -> dict[str, object]:
    return {
        p["code"]: next(v for k, v in p.items() if k.startswith("value"))
        for p in concept.get("property", ())
    }


def _walk(concepts: list[dict], level: int = 1) -> Iterator[tuple[dict, int]]:
    for concept in concepts:
        yield concept, level
        yield from _walk(concept.get("concept", []), level + 1)


def _oid(resource: dict) -> str:
    identifiers = resource["identifier"]
    if isinstance(identifiers, dict):  # R4 ConceptMap.identifier is a single Identifier
        identifiers = [identifiers]
    return identifiers[0]["value"].removeprefix("urn:oid:")


def _shape(resource: dict) -> str:
    if "meta" not in resource:
        return "legacy"
    return "smt" if "language" in resource else "smt-2024"


# --- determinism and layout ------------------------------------------------------------------


def test_same_arguments_same_bytes(files: list[Path], tmp_path: Path) -> None:
    again = _generate(tmp_path)
    assert [p.name for p in files] == [NOS_ZIP, CIM_CODE_SYSTEM, CIM_VALUE_SET]
    for first, second in zip(files, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name
    other = _generate(tmp_path / "other", seed=SEED + 1)
    assert other[0].read_bytes() != files[0].read_bytes()


def test_zip_layout_and_counts(archive: zipfile.ZipFile, folders: dict) -> None:
    names = archive.namelist()
    assert names == sorted(names)
    assert {info.date_time for info in archive.infolist()} == {RELEASE.timetuple()[:6]}
    counts = Counter(_family(folder) for folder in folders)
    assert counts == {
        family: max(MINIMUM[family], round(AT_SCALE_1[family] * SCALE)) for family in AT_SCALE_1
    }
    for folder in folders:
        family, rest = folder.split("_", 1)
        assert re.fullmatch(r"(TRE_R|JDV_J|ASS_A)\d+-[A-Za-z0-9]+(-[A-Za-z0-9]+)*", folder)
        expected = {
            f"{folder}/{folder}.tabs",
            f"{folder}/{folder}.xml",
            f"{folder}/{folder}.url",
            f"{folder}/FHIR/{family}-{rest}/{folder}-FHIR.json",
        }
        assert {n for n in names if n.startswith(folder + "/")} == expected
        shortcut = archive.read(f"{folder}/{folder}.url").decode()
        assert shortcut.startswith("[InternetShortcut]\r\nURL=https://")


def test_scale_1_is_a_whole_nos() -> None:
    catalogue = draw_catalogue(random.Random("42:nos"), 1.0)
    assert (len(catalogue.tres), len(catalogue.jdvs), len(catalogue.asses)) == (300, 250, 50)
    assert 10_000 < sum(len(tre.flat()) for tre in catalogue.tres) < 60_000
    assert concept_count(1.0) == 40_000


# --- SVS XML and .tabs against the real samples ----------------------------------------------


def test_svs_has_the_ans_attributes_of_the_real_files(folders: dict) -> None:
    real_tre = _svs(shared_file(*NOS_SAMPLES, "TRE_R38-SpecialiteOrdinale.xml").read_bytes())
    real_jdv = _svs(shared_file(*NOS_SAMPLES, "JDV_J15-ClasseAge-ROR.xml").read_bytes())
    real_ass = _svs(shared_file(*NOS_SAMPLES, "ASS_A15-SexeProvenanceISO-Sexe.xml").read_bytes())
    declaration = (
        shared_file(*NOS_SAMPLES, "TRE_R38-SpecialiteOrdinale.xml").read_bytes().splitlines()[0]
    )
    header_names = set(real_tre.find(f"{SVS}ValueSet").attrib)
    real_tre_concepts = [set(c.attrib) for c in real_tre.iter(f"{SVS}Concept")]
    always, sometimes = set.intersection(*real_tre_concepts), set.union(*real_tre_concepts)
    jdv_names = {frozenset(c.attrib) for c in real_jdv.iter(f"{SVS}Concept")}
    ass_names = {frozenset(c.attrib) for c in real_ass.iter(f"{SVS}Concept")}
    for folder, files in folders.items():
        root = _svs(files["xml"])
        assert files["xml"].splitlines()[0] == declaration
        assert root.tag == real_tre.tag and root.nsmap == real_tre.nsmap
        value_set = root.find(f"{SVS}ValueSet")
        assert set(value_set.attrib) == header_names
        assert value_set.get("typeFichier") == _family(folder)
        concepts = list(root.iter(f"{SVS}Concept"))
        assert concepts, folder
        if _family(folder) == "TRE":
            assert all(always <= set(c.attrib) <= sometimes for c in concepts), folder
        elif _family(folder) == "JDV":
            assert {frozenset(c.attrib) for c in concepts} == jdv_names
        else:
            pairs = list(root.iter(f"{SVS}MappedConcept"))
            assert all(len(pair) == 2 for pair in pairs)
            assert {frozenset(c.attrib) for c in concepts} == ass_names


def test_tabs_headers_and_columns(folders: dict) -> None:
    real = shared_file(*NOS_SAMPLES, "JDV_J15-ClasseAge-ROR.tabs").read_text(encoding="utf-8")
    file_columns = real.splitlines()[0]
    assert real.splitlines()[2] == JDV_COLUMNS
    for folder, files in folders.items():
        text = files["tabs"].decode()
        lines = text.splitlines()
        assert text.endswith("\n") and "\r" not in text
        assert lines[0] == file_columns
        row = lines[1].split(";")
        assert len(row) == 8 and row[2] == f"{folder}.tabs" and row[1] == _family(folder)
        family = _family(folder)
        if family == "TRE":
            assert lines[2] == TRE_COLUMNS
            width = 8
        elif family == "JDV":
            assert lines[2] == JDV_COLUMNS
            width = 3
        else:
            assert re.fullmatch(r"<[\d.]+>;<[\d.]+>", lines[2])
            width = 2
        assert len(lines) > 3
        assert all(len(line.split(";")) == width for line in lines[3:]), folder


# --- the three renderings of one NOS agree ---------------------------------------------------


def _tre_from_fhir(resource: dict) -> list[tuple[str, ...]]:
    rows = []
    for concept, _ in _walk(resource["concept"]):
        display = concept["display"]
        short = long = display
        for designation in concept.get("designation", ()):
            use, value = designation["use"], designation["value"]
            if use.get("code") == "LibelleCourt" or (
                use.get("code") == SYNONYM and len(value) < 31
            ):
                short = value
            elif use.get("code") == SYNONYM:
                long = value
        properties = _properties(concept)
        rows.append(
            (
                concept["code"],
                display,
                short,
                long,
                _stamp(properties["dateValid"]),
                _stamp(properties.get("dateFin")),
                _stamp(properties["dateMaj"]),
            )
        )
    return rows


def _expansion(include: dict, code_systems: dict[str, dict]) -> list[tuple[str, str]]:
    """(code, display) of a compose.include, evaluating its filter on the TRE."""
    if "concept" in include:
        return [(c["code"], c["display"]) for c in include["concept"]]
    tre = code_systems[include["system"]]
    (rule,) = include["filter"]
    if rule["op"] == "=":
        wanted = rule["value"] == "true"
        picked = [
            c for c, _ in _walk(tre["concept"]) if _properties(c).get(rule["property"]) is wanted
        ]
    else:
        assert rule["op"] == "is-a" and rule["property"] == "concept"
        (root,) = [c for c, _ in _walk(tre["concept"]) if c["code"] == rule["value"]]
        picked = [c for c, _ in _walk([root])]
    return [(c["code"], c["display"]) for c in picked]


def test_the_three_formats_of_a_nos_agree(
    folders: dict, resources: dict, code_systems: dict
) -> None:
    oids = {url: _oid(r) for url, r in code_systems.items()}
    for folder, files in folders.items():
        resource, family = resources[folder], _family(folder)
        svs = _svs(files["xml"])
        tabs = _tabs(files["tabs"])
        header = svs.find(f"{SVS}ValueSet").attrib
        assert tabs[1] == [header[k] for k in FILE_FIELDS]
        assert header["id"] == _oid(resource)
        assert header["description"] == resource["description"]
        assert header["dateMaj"] == _stamp(resource["date"]) == resource["version"]
        assert header["dateValid"] == _stamp(resource["extension"][0]["valuePeriod"]["start"])
        if family == "TRE":
            from_svs = [tuple(c.get(k) for k in TRE_FIELDS) for c in svs.iter(f"{SVS}Concept")]
            from_tabs = [(r[1], *r[2:]) for r in tabs[3:]]
            assert from_svs == from_tabs == _tre_from_fhir(resource), folder
            assert {r[0] for r in tabs[3:]} == {header["id"]}
        elif family == "JDV":
            fields = ("codeSystem", "code", "displayName")
            from_svs = [tuple(c.get(k) for k in fields) for c in svs.iter(f"{SVS}Concept")]
            from_fhir = [
                (oids[include["system"]], code, display)
                for include in resource["compose"]["include"]
                for code, display in _expansion(include, code_systems)
            ]
            assert from_svs == [tuple(r) for r in tabs[3:]] == from_fhir, folder
        else:
            pairs = [
                tuple((c.get("code"), c.get("codeSystem")) for c in pair)
                for pair in svs.iter(f"{SVS}MappedConcept")
            ]
            (group,) = resource["group"]
            source, target = oids[group["source"]], oids[group["target"]]
            assert tabs[2] == [f"<{source}>", f"<{target}>"]
            from_fhir = [
                ((e["code"], source), (t["code"], target))
                for e in group["element"]
                for t in e["target"]
            ]
            assert pairs == [((s, source), (t, target)) for s, t in tabs[3:]] == from_fhir
            known = {c["code"] for c, _ in _walk(code_systems[group["target"]]["concept"])}
            assert {t for _, (t, _) in from_fhir} <= known


# --- FHIR shapes and content ---------------------------------------------------------------


def test_fhir_shapes(resources: dict, code_systems: dict) -> None:
    shapes = Counter((r["resourceType"], _shape(r)) for r in resources.values())
    assert {shape for kind, shape in shapes if kind == "CodeSystem"} == {
        "smt",
        "smt-2024",
        "legacy",
    }
    assert {shape for kind, shape in shapes if kind != "CodeSystem"} == {"smt", "legacy"}
    assert any(
        url.startswith("https://smt.esante.gouv.fr/fhir/CodeSystem/tre-r") for url in code_systems
    )
    assert any(url.startswith("https://mos.esante.gouv.fr/NOS/TRE_R") for url in code_systems)
    for resource in code_systems.values():
        shape = _shape(resource)
        assert re.fullmatch(r"\d{14}", resource["version"])
        assert _oid(resource).startswith("1.2.250.1.213.")
        declared = {p["code"] for p in resource.get("property", ())}
        for concept, level in _walk(resource["concept"]):
            properties = _properties(concept)
            assert set(properties) <= declared or shape == "legacy"
            if shape == "smt":
                closed = "dateFin" in properties
                assert properties["status"] == ("deprecated" if closed else "active")
                assert properties.get("deprecationDate") == properties.get("dateFin")
                assert all(d["language"] == "fr-FR" for d in concept.get("designation", ()))
            else:
                assert "status" not in properties
            if shape == "legacy":
                uses = [d["use"] for d in concept["designation"]]
                assert uses == [{"code": "LibelleCourt"}, {"code": "LibelleAdapte"}]
            if resource.get("hierarchyMeaning") == "is-a":
                assert properties["niveau"] == level
        if shape == "legacy":
            assert "system" not in resource["identifier"][0]
            assert "ressource-effectivePeriod" in resource["extension"][0]["url"]


def test_nos_content_is_varied(resources: dict, code_systems: dict) -> None:
    concepts = [c for r in code_systems.values() for c, _ in _walk(r["concept"])]
    displays = " ".join(c["display"] for c in concepts)
    assert "'" in displays and re.search("[éèàçô]", displays)
    assert any(re.fullmatch(r"0\d+", c["code"]) for c in concepts)
    assert any("dateFin" in _properties(c) for c in concepts)
    assert any(len(d["value"]) > 30 for c in concepts for d in c.get("designation", ()))
    assert any(c.get("definition") for c in concepts)
    assert any(r.get("hierarchyMeaning") == "is-a" for r in code_systems.values())
    value_sets = [r for r in resources.values() if r["resourceType"] == "ValueSet"]
    includes = [i for r in value_sets for i in r["compose"]["include"]]
    assert {f["op"] for i in includes for f in i.get("filter", ())} == {"=", "is-a"}
    assert any(len(r["compose"]["include"]) > 1 for r in value_sets)
    assert all(i["system"] in code_systems for i in includes)
    legacy = [c for i in includes for c in i.get("concept", ()) if "designation" in c]
    assert legacy and all(c["designation"][0]["use"] == {"code": "OID"} for c in legacy)


# --- the large code system and its value set -------------------------------------------------


def test_cim_code_system(files: list[Path], cim: dict) -> None:
    raw = files[1].read_bytes()
    # The streaming writer writes what one dump of the whole resource would.
    assert orjson.dumps(orjson.loads(raw), option=orjson.OPT_INDENT_2) + b"\n" == raw
    walked = list(_walk(cim["concept"]))
    assert len(walked) == cim["count"] == concept_count(SCALE) == 2000
    assert cim["hierarchyMeaning"] == "is-a" and cim["url"].startswith(
        "https://smt.esante.gouv.fr/"
    )
    assert cim["identifier"][0]["value"].startswith("urn:oid:")
    codes = [c["code"] for c, _ in walked]
    assert len(set(codes)) == len(codes)
    patterns = {1: r"[IVX]+", 2: r"[A-Z]\d\d-[A-Z]\d\d", 3: r"[A-Z]\d\d", 4: r"[A-Z]\d\d\.\d\d?"}
    assert all(re.fullmatch(patterns[level], c["code"]) for c, level in walked)
    leaves = Counter(level for c, level in walked if "concept" not in c)
    assert set(leaves) == {3, 4}
    deprecated = [c for c, _ in walked if _properties(c)["status"] == "deprecated"]
    assert deprecated and all("dateFin" in _properties(c) for c in deprecated)
    designations = [d for c, _ in walked for d in c.get("designation", ())]
    assert designations and all(
        d["language"] == "fr-FR" and d["use"]["code"] == SYNONYM for d in designations
    )
    # Word-prefix searches have plenty to find.
    words = [c["display"].lower().split() for c, _ in walked]
    assert sum(any(w.startswith("infec") for w in ws) for ws in words) > 100
    assert sum("tumeur maligne" in " ".join(ws) for ws in words) > 20


def test_cim_value_set(files: list[Path], cim: dict) -> None:
    value_set = json.loads(files[2].read_bytes())
    (include,) = value_set["compose"]["include"]
    assert include["system"] == cim["url"]
    displays = {c["code"]: c["display"] for c, _ in _walk(cim["concept"])}
    members = include["concept"]
    assert len(members) == round(2000 * SCALE)
    assert len({m["code"] for m in members}) == len(members)
    assert all(displays[m["code"]] == m["display"] for m in members)


# --- through the terminology loader -----------------------------------------------------------


def test_generated_files_load(
    files: list[Path], code_systems: dict, load: Callable, clean_db: str
) -> None:
    for path in files:
        result = load(path, source="terminology")
        assert result.counts.rejected == 0, path.name
    with psycopg.connect(clean_db) as conn:
        kinds = dict(
            conn.execute(
                "SELECT resource_type, count(*) FROM terminology_resource GROUP BY 1"
            ).fetchall()
        )
        concepts = conn.execute("SELECT count(*) FROM terminology_concept").fetchone()[0]
    tres = len(code_systems)
    assert kinds["CodeSystem"] == tres + 1
    assert kinds["ValueSet"] == max(MINIMUM["JDV"], round(AT_SCALE_1["JDV"] * SCALE)) + 1
    assert kinds["ConceptMap"] == max(MINIMUM["ASS"], round(AT_SCALE_1["ASS"] * SCALE))
    nos_concepts = sum(len(list(_walk(r["concept"]))) for r in code_systems.values())
    assert concepts == nos_concepts + concept_count(SCALE)
