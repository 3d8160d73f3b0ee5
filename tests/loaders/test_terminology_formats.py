"""Terminology loads through the shared pipeline: every format and packaging, on own fixtures.

TRE_R901-Essai exists in SVS XML, .tabs (cp1252, CRLF) and FHIR JSON (SMT shape) with the same
content and the same faulty concepts, so the three must give the same rows.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine

from loaders.base import BadFile
from loaders.pipeline import LoadRefused, LoadResult, run_load
from loaders.registry import SOURCES
from terminology.lifecycle import concept_state
from terminology.store import whole_resource

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "terminology"
R901 = "https://mos.esante.gouv.fr/NOS/TRE_R901-Essai/FHIR/TRE-R901-Essai"
R901_KEY = f"CodeSystem|{R901}|20240628120000"
CIM = "https://smt.esante.gouv.fr/terminologie-cim-10-extrait"
SNOMED_SYNONYM = {"system": "http://snomed.info/sct", "code": "900000000000013009"}


def load_terminology(url: str, path: Path, **options: object) -> LoadResult:
    return run_load(url, "terminology", path, SOURCES["terminology"], **options)


def fetch(url: str, sql: str, *params: object) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, params).fetchall()


def concepts(url: str, resource_id: str) -> dict[str, dict]:
    """The present concept rows of a resource by code."""
    rows = fetch(
        url,
        """SELECT code, display, status, inactive, date_fin, parent_code, position, concept
           FROM terminology_concept WHERE resource_id = %s AND removed_at IS NULL""",
        resource_id,
    )
    names = ("display", "status", "inactive", "date_fin", "parent_code", "position", "concept")
    return {row[0]: dict(zip(names, row[1:], strict=True)) for row in rows}


def stored(url: str, resource_id: str) -> dict:
    ((row,),) = fetch(url, "SELECT resource FROM terminology_resource WHERE id = %s", resource_id)
    return row


def rejections(url: str) -> list[tuple[int, str]]:
    return fetch(
        url,
        """SELECT line, reason FROM load_rejection
           WHERE run_id = (SELECT max(id) FROM load_run) ORDER BY line""",
    )


def counts(result: LoadResult) -> tuple[int, int, int, int, int]:
    c = result.counts
    return c.new, c.changed, c.unchanged, c.deactivated, c.rejected


def zipped(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def without_concept(tmp_path: Path, name: str, code: str, **changes: object) -> Path:
    """A copy of a FHIR JSON fixture without one concept, with top-level changes."""
    resource = json.loads(fixture(name))
    resource["concept"] = [c for c in resource["concept"] if c.get("code") != code]
    resource.update(changes)
    path = tmp_path / f"copy-{len(list(tmp_path.iterdir()))}-{name}"
    path.write_text(json.dumps(resource, ensure_ascii=False), encoding="utf-8")
    return path


# --- One NOS, three formats -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "label", "rejected"),
    [
        ("TRE_R901-Essai.xml", "SVS XML", [(8, "concept without code"), (9, "unreadable date")]),
        (
            "TRE_R901-Essai.tabs",
            ".tabs",
            [(7, "concept without code"), (8, "unreadable date"), (9, "4 fields instead of 8")],
        ),
        (
            "TRE_R901-Essai-FHIR.json",
            "FHIR JSON",
            [(4, "concept without code"), (5, "unreadable date")],
        ),
    ],
    ids=["svs", "tabs", "fhir-json"],
)
def test_each_format_gives_the_normalised_shape(clean_db, name, label, rejected) -> None:  # noqa: ANN001
    result = load_terminology(clean_db, FIXTURES / name)
    assert result.description.startswith(label)
    assert counts(result) == (4, 0, 0, 0, len(rejected))  # the code system and 3 concepts
    found = rejections(clean_db)
    assert [line for line, _ in found] == [line for line, _ in rejected]
    assert all(part in reason for (_, reason), (_, part) in zip(found, rejected, strict=True))
    rows = concepts(clean_db, R901_KEY)
    assert rows["01"]["concept"] == {
        "code": "01",
        "display": "Médecin généraliste",  # the .tabs fixture is cp1252
        # The long label equals the display: no designation for it.
        "designation": [{"language": "fr-FR", "use": SNOMED_SYNONYM, "value": "Généraliste"}],
        "property": [
            {"code": "dateValid", "valueDateTime": "2015-01-01T00:00:00+01:00"},
            {"code": "dateMaj", "valueDateTime": "2015-01-01T00:00:00+01:00"},
        ],
    }
    assert [d["value"] for d in rows["02"]["concept"]["designation"]] == [
        "IBODE",
        "Infirmier de bloc opératoire diplômé d'État",
    ]
    # A summer stamp keeps +01:00, as the ANS writes it.
    assert rows["02"]["concept"]["property"][0]["valueDateTime"] == "2018-06-29T12:00:00+01:00"
    closed = rows["03"]
    assert closed["display"] == "Pharmacie hospitalière & stérilisation"
    assert (closed["status"], closed["inactive"]) == (None, False)  # closed by dateFin only
    assert closed["date_fin"] == datetime(2023, 3, 15, 11, tzinfo=UTC)
    assert concept_state(closed["concept"]).inactive()
    assert not concept_state(rows["01"]["concept"]).inactive()
    resource = stored(clean_db, R901_KEY)
    assert resource["identifier"] == [
        {"system": "urn:ietf:rfc:3986", "value": "urn:oid:1.2.250.1.213.2.901"}
    ]
    assert resource["date"] == "2024-06-28T12:00:00+01:00"
    assert resource["extension"][0]["valuePeriod"] == {"start": "2015-01-01T00:00:00+01:00"}
    assert [p["code"] for p in resource["property"]] == ["dateValid", "dateMaj", "dateFin"]
    assert "concept" not in resource
    ((oid, count, aliases),) = fetch(
        clean_db,
        "SELECT oid, concept_count, aliases FROM terminology_resource WHERE id = %s",
        R901_KEY,
    )
    assert (oid, count) == ("1.2.250.1.213.2.901", 3)
    assert aliases == ["https://smt.esante.gouv.fr/fhir/CodeSystem/TRE-R901-Essai"]


def test_the_same_nos_from_another_format_changes_no_concept(clean_db: str) -> None:
    load_terminology(clean_db, FIXTURES / "TRE_R901-Essai.xml")
    # Same header, same concepts: nothing to write.
    assert counts(load_terminology(clean_db, FIXTURES / "TRE_R901-Essai.tabs"))[:4] == (
        0,
        0,
        4,
        0,
    )
    # The FHIR export also carries meta.profile: only the resource row changes.
    fhir = load_terminology(clean_db, FIXTURES / "TRE_R901-Essai-FHIR.json")
    assert counts(fhir)[:4] == (0, 1, 3, 0)


# --- Each format's own pitfalls ---------------------------------------------------------------


def test_jdv_tabs_with_bom_and_system_column(clean_db: str) -> None:
    result = load_terminology(clean_db, FIXTURES / "JDV_J901-Essai-ROR.tabs")
    assert counts(result) == (1, 0, 0, 0, 0)
    key = "ValueSet|https://mos.esante.gouv.fr/NOS/JDV_J901-Essai-ROR/FHIR/JDV-J901-Essai-ROR|20240628120000"
    resource = stored(clean_db, key)
    assert resource["title"] == "Jeu d'essai - ROR"
    assert resource["compose"] == {
        "include": [
            {
                "system": R901,
                "concept": [
                    {"code": "01", "display": "Médecin généraliste"},
                    {"code": "02", "display": "Infirmier(ère) de bloc opératoire"},
                ],
            },
            {
                "system": "urn:oid:1.2.250.1.213.3.3.9",
                "concept": [{"code": "01", "display": "Nouveau né, jusqu'à 28 jours"}],
            },
        ]
    }


def test_ass_tabs_gives_a_concept_map(clean_db: str) -> None:
    result = load_terminology(clean_db, FIXTURES / "ASS_A901-Essai-Sexe.tabs")
    assert counts(result) == (1, 0, 0, 0, 1)
    assert rejections(clean_db) == [(7, "1 fields instead of 2")]
    key = "ConceptMap|https://mos.esante.gouv.fr/NOS/ASS_A901-Essai-Sexe/FHIR/ASS-A901-Essai-Sexe|20200424120000"
    resource = stored(clean_db, key)
    assert resource["identifier"] == {  # a single Identifier in R4
        "system": "urn:ietf:rfc:3986",
        "value": "urn:oid:1.2.250.1.213.2.9901",
    }
    (group,) = resource["group"]
    assert (group["source"], group["target"]) == (
        "urn:oid:1.2.250.1.213.2.55",
        "urn:oid:1.2.250.1.213.2.53",
    )
    assert {e["code"]: [t["code"] for t in e["target"]] for e in group["element"]} == {
        "0": ["U"],
        "1": ["M", "H"],
    }


def test_legacy_fhir_export_is_normalised(clean_db: str) -> None:
    result = load_terminology(clean_db, FIXTURES / "TRE_R902-Legacy-FHIR.json")
    assert counts(result) == (4, 0, 0, 0, 0)
    key = "CodeSystem|https://mos.esante.gouv.fr/NOS/TRE_R902-Legacy/FHIR/TRE-R902-Legacy|20200424120000"
    resource = stored(clean_db, key)
    assert resource["identifier"] == [
        {"system": "urn:ietf:rfc:3986", "value": "urn:oid:1.2.250.1.213.2.902"}
    ]
    assert resource["extension"][0]["url"].endswith("/resource-effectivePeriod")
    # The properties the concepts use are declared, as the SMT declares them.
    assert {p["code"]: p["type"] for p in resource["property"]} == {
        "dateValid": "dateTime",
        "dateMaj": "dateTime",
        "dateFin": "dateTime",
        "status": "code",
    }
    rows = concepts(clean_db, key)
    assert rows["A"]["concept"]["designation"] == [
        {"language": "fr-FR", "use": SNOMED_SYNONYM, "value": "Autre sexe ni M, ni F"}
    ]
    # A 14-digit stamp given as valueString becomes a dateTime.
    assert rows["A"]["concept"]["property"][1] == {
        "code": "dateMaj",
        "valueDateTime": "2020-04-24T12:00:00+01:00",
    }
    assert "designation" not in rows["F"]["concept"]  # its only label is the display
    assert (rows["F"]["status"], rows["F"]["inactive"]) == ("deprecated", True)
    assert (rows["X"]["status"], rows["X"]["inactive"]) == (None, False)
    assert concept_state(rows["X"]["concept"]).inactive()


def test_nested_concepts_are_flattened_and_put_back(clean_db: str, engine: Engine) -> None:
    result = load_terminology(clean_db, FIXTURES / "CodeSystem-cim10-extrait.json")
    assert counts(result) == (7, 0, 0, 0, 0)
    key = f"CodeSystem|{CIM}|2024"
    rows = concepts(clean_db, key)
    assert {code: row["parent_code"] for code, row in rows.items()} == {
        "I": None,
        "A00-A09": "I",
        "A00": "A00-A09",
        "A01": "A00-A09",
        "II": None,
        "C00": "II",
    }
    assert [c for c, _ in sorted(rows.items(), key=lambda r: r[1]["position"])] == list(rows)
    assert rows["A01"]["inactive"]  # the `inactive` property
    original = json.loads(fixture("CodeSystem-cim10-extrait.json"))
    with engine.connect() as conn:
        whole = whole_resource(conn, key, stored(clean_db, key))
    assert whole["concept"] == original["concept"]
    assert whole["property"] == [{"code": "inactive", "type": "boolean"}]


def test_bundle_loads_its_terminology_resources(clean_db: str) -> None:
    result = load_terminology(clean_db, FIXTURES / "bundle.json")
    assert result.description == "FHIR JSON: CodeSystem ×2, ValueSet ×1, ConceptMap ×1"
    assert counts(result) == (7, 0, 0, 0, 2)
    assert [reason for _, reason in rejections(clean_db)] == [
        "a Patient, not a CodeSystem, ValueSet or ConceptMap",
        "a CodeSystem without url",
    ]
    # Its resourceType comes after its concepts.
    late = "CodeSystem|https://smt.esante.gouv.fr/fhir/CodeSystem/tre-r998-tardif|1"
    assert list(concepts(clean_db, late)) == ["z"]
    assert stored(clean_db, late)["id"] == "tre-r998-tardif"


def test_ndjson_keeps_the_good_lines(clean_db: str) -> None:
    result = load_terminology(clean_db, FIXTURES / "resources.ndjson")
    assert result.description.startswith("FHIR NDJSON")
    assert counts(result) == (5, 0, 0, 0, 1)
    assert rejections(clean_db) == [(2, "not JSON")]
    assert fetch(clean_db, "SELECT resource_type FROM terminology_resource ORDER BY 1") == [
        ("CodeSystem",),
        ("ConceptMap",),
        ("ValueSet",),
    ]


def test_gzipped_file(clean_db: str, tmp_path: Path) -> None:
    path = tmp_path / "TRE_R901-Essai.xml.gz"
    path.write_bytes(gzip.compress(fixture("TRE_R901-Essai.xml")))
    assert counts(load_terminology(clean_db, path)) == (4, 0, 0, 0, 2)


# --- Archives ---------------------------------------------------------------------------------


def test_whole_nos_zip_reads_one_format_per_folder(clean_db: str, tmp_path: Path) -> None:
    path = zipped(
        tmp_path / "NOS-Fichiers_Publics.zip",
        {
            "TRE_R901-Essai/TRE_R901-Essai.tabs": fixture("TRE_R901-Essai.tabs"),
            "TRE_R901-Essai/TRE_R901-Essai.xml": fixture("TRE_R901-Essai.xml"),
            "TRE_R901-Essai/TRE_R901-Essai.url": b"[InternetShortcut]\nURL=https://example.org\n",
            "TRE_R901-Essai/FHIR/TRE-R901-Essai/TRE_R901-Essai-FHIR.json": fixture(
                "TRE_R901-Essai-FHIR.json"
            ),
            "TRE_R901-Essai/FHIR/TRE-R901-Essai/TRE_R901-Essai-FHIR.xml": b'<CodeSystem xmlns="http://hl7.org/fhir"/>',
            "JDV_J901-Essai-ROR/JDV_J901-Essai-ROR.tabs": fixture("JDV_J901-Essai-ROR.tabs"),
            "JDV_J901-Essai-ROR/JDV_J901-Essai-ROR.pdf": b"%PDF-1.4",
            "ASS_A901-Essai-Sexe/ASS_A901-Essai-Sexe.tabs": fixture("ASS_A901-Essai-Sexe.tabs"),
        },
    )
    result = load_terminology(clean_db, path)
    assert result.description == (
        "ZIP archive, 3 files read (FHIR JSON ×1, .tabs ×2), 0 unreadable; one format per NOS "
        "folder (FHIR JSON, else SVS XML, else .tabs): 3 files in other formats left aside"
    )
    assert counts(result) == (6, 0, 0, 0, 3)
    assert "meta" in stored(clean_db, R901_KEY)  # from the FHIR JSON
    assert [reason.split(": ")[0] for _, reason in rejections(clean_db)] == [
        "TRE_R901-Essai/FHIR/TRE-R901-Essai/TRE_R901-Essai-FHIR.json",  # line 4
        "TRE_R901-Essai/FHIR/TRE-R901-Essai/TRE_R901-Essai-FHIR.json",  # line 5
        "ASS_A901-Essai-Sexe/ASS_A901-Essai-Sexe.tabs",  # line 7
    ]
    # Loaded again: nothing changes.
    again = load_terminology(clean_db, path)
    assert counts(again) == (0, 0, 6, 0, 3)


def test_fhir_package_reads_its_terminology_resources(clean_db: str, tmp_path: Path) -> None:
    files = {
        "package/package.json": b'{"name": "ans.fr.terminologies", "version": "1.0.0"}',
        "package/.index.json": b'{"index-version": 1, "files": []}',
        "package/CodeSystem-cim10-extrait.json": fixture("CodeSystem-cim10-extrait.json"),
        "package/StructureDefinition-x.json": b'{"resourceType": "StructureDefinition", "url": "x"}',
        "package/ValueSet-broken.json": b'{"resourceType": "ValueSet", "url": ',
        "package/example/CodeSystem-example.json": fixture("TRE_R901-Essai-FHIR.json"),
    }
    path = tmp_path / "ans.fr.terminologies-1.0.0.tgz"
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    result = load_terminology(clean_db, path)
    assert result.description == (
        "FHIR package, 1 terminology resources read, 1 resources of other types skipped, "
        "1 unreadable"
    )
    assert counts(result) == (7, 0, 0, 0, 1)
    ((reason,),) = fetch(clean_db, "SELECT reason FROM load_rejection")
    assert reason.startswith("package/ValueSet-broken.json: malformed or truncated JSON")


# --- Versions and snapshots -------------------------------------------------------------------


def test_two_versions_of_one_url_side_by_side(clean_db: str, tmp_path: Path) -> None:
    load_terminology(clean_db, FIXTURES / "CodeSystem-cim10-extrait.json")
    newer = without_concept(tmp_path, "CodeSystem-cim10-extrait.json", "II", version="2025")
    assert counts(load_terminology(clean_db, newer)) == (5, 0, 0, 0, 0)
    assert fetch(
        clean_db,
        "SELECT version, active, removed_at IS NULL FROM terminology_resource ORDER BY version",
    ) == [("2024", True, True), ("2025", True, True)]
    assert len(concepts(clean_db, f"CodeSystem|{CIM}|2024")) == 6
    assert len(concepts(clean_db, f"CodeSystem|{CIM}|2025")) == 4


def test_same_file_twice_changes_nothing(clean_db: str) -> None:
    load_terminology(clean_db, FIXTURES / "bundle.json")
    before = fetch(clean_db, "SELECT id, last_updated FROM terminology_concept ORDER BY id")
    assert counts(load_terminology(clean_db, FIXTURES / "bundle.json")) == (0, 0, 7, 0, 2)
    after = fetch(clean_db, "SELECT id, last_updated FROM terminology_concept ORDER BY id")
    assert after == before


def test_concept_missing_from_a_new_copy_is_deactivated(clean_db: str, tmp_path: Path) -> None:
    load_terminology(clean_db, FIXTURES / "TRE_R901-Essai-FHIR.json")
    load_terminology(clean_db, FIXTURES / "CodeSystem-cim10-extrait.json")
    copy_without_02 = without_concept(tmp_path, "TRE_R901-Essai-FHIR.json", "02")
    with pytest.raises(LoadRefused):  # one concept of three: over the 5 % guard
        load_terminology(clean_db, copy_without_02)
    result = load_terminology(clean_db, copy_without_02, force=True)
    # Changed: the code system (its concept count) and 03 (its position); 02 is tombstoned;
    # CIM-10 is out of scope.
    assert counts(result) == (0, 2, 1, 1, 2)
    assert fetch(
        clean_db,
        "SELECT active, removed_at IS NOT NULL FROM terminology_concept WHERE id = %s",
        f"{R901_KEY}|02",
    ) == [(False, True)]
    assert len(concepts(clean_db, f"CodeSystem|{CIM}|2024")) == 6


def test_copy_without_its_concepts_leaves_them(clean_db: str, tmp_path: Path) -> None:
    """A code system published with content not-present (large ones in IG packages) says
    nothing of its concepts."""
    load_terminology(clean_db, FIXTURES / "CodeSystem-cim10-extrait.json")
    header = json.loads(fixture("CodeSystem-cim10-extrait.json"))
    del header["concept"]
    header["content"] = "not-present"
    path = tmp_path / "cim-not-present.json"
    path.write_text(json.dumps(header), encoding="utf-8")
    assert counts(load_terminology(clean_db, path)) == (0, 1, 0, 0, 0)
    assert len(concepts(clean_db, f"CodeSystem|{CIM}|2024")) == 6


# --- Files that are not terminology ------------------------------------------------------------


def _truncated_gzip(tmp_path: Path) -> Path:
    path = tmp_path / "TRE_R901-Essai.xml.gz"
    path.write_bytes(gzip.compress(fixture("TRE_R901-Essai.xml"))[:300])
    return path


def _write(name: str, data: bytes):  # noqa: ANN202
    def make(tmp_path: Path) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return make


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_write("empty.json", b""), "empty.json: the file is empty"),
        (_write("blank.tabs", b"\n  \n"), "blank.tabs: the file is empty"),
        (_write("notes.txt", b"hello;world\n"), "notes.txt: not a terminology file"),
        (
            _write("cut.json", fixture("TRE_R901-Essai-FHIR.json")[:500]),
            "cut.json: malformed or truncated JSON",
        ),
        (
            _write("cut.xml", fixture("TRE_R901-Essai.xml")[:700]),
            "cut.xml: malformed or truncated XML",
        ),
        (_truncated_gzip, "TRE_R901-Essai.xml.gz: truncated or corrupt data"),
        (
            _write("patient.json", b'{"resourceType": "Patient", "id": "p"}'),
            "patient.json: a Patient, not a CodeSystem",
        ),
        (_write("list.json", b"[1, 2]"), "list.json: not a terminology file"),
        (
            _write(
                "cs.xml", b'<CodeSystem xmlns="http://hl7.org/fhir"><url value="x"/></CodeSystem>'
            ),
            "cs.xml: FHIR XML is not read",
        ),
        (
            lambda tmp: zipped(tmp / "docs.zip", {"a/readme.pdf": b"%PDF", "a/b.url": b"x"}),
            "docs.zip: no SVS XML, .tabs or FHIR JSON file in the zip archive",
        ),
        (
            _write("header.tabs", b"<OID>;<Type fichier>\n1.2.3;TRE;x\n"),
            "header.tabs: line 2: a .tabs header has 8 fields, found 3",
        ),
    ],
    ids=[
        "empty",
        "blank",
        "other-text",
        "truncated-json",
        "truncated-xml",
        "truncated-gzip",
        "other-fhir-type",
        "json-array",
        "fhir-xml",
        "zip-without-terminology",
        "tabs-short-header",
    ],
)
def test_bad_file_aborts_with_one_line(clean_db, tmp_path, make, message) -> None:  # noqa: ANN001
    load_terminology(clean_db, FIXTURES / "bundle.json")
    before = fetch(clean_db, "SELECT id, last_updated FROM terminology_resource ORDER BY id")
    with pytest.raises(BadFile) as caught:
        load_terminology(clean_db, make(tmp_path))
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert fetch(clean_db, "SELECT status FROM load_run ORDER BY id DESC LIMIT 1") == [("failed",)]
    after = fetch(clean_db, "SELECT id, last_updated FROM terminology_resource ORDER BY id")
    assert after == before


def test_rows_are_built_only_for_what_changed(clean_db: str, tmp_path: Path) -> None:
    load_terminology(clean_db, FIXTURES / "CodeSystem-cim10-extrait.json")
    renamed = json.loads(fixture("CodeSystem-cim10-extrait.json"))
    renamed["concept"][1]["display"] = "Tumeurs malignes et bénignes"
    path = tmp_path / "cim.json"
    path.write_text(json.dumps(renamed), encoding="utf-8")
    assert counts(load_terminology(clean_db, path)) == (0, 1, 6, 0, 0)
    assert concepts(clean_db, f"CodeSystem|{CIM}|2024")["II"]["display"] == (
        "Tumeurs malignes et bénignes"
    )
