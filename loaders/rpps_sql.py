"""The SQL that maps the copied RPPS lines to practitioners, roles and structures.

Set-based on purpose: 2.2 M activity lines map to 1.9 M practitioners, 2.2 M roles and a few
hundred thousand structures, and PostgreSQL groups them and writes their JSON, tokens and
digests about ten times faster than Python would. Each step is one statement over unlogged
work tables named rpps_<step>, dropped at the end.

A record is built from one row of inputs (its `Build`): the digest of those inputs is its
content hash, so a reload compares digests first and builds only the records whose inputs
changed. The JSON is written as text (loaders/rpps_json.py).

The FHIR shapes follow the Annuaire Santé `as-dp-practitioner`, `as-dp-practitionerrole`
and `as-dp-organization` profiles; the documents are those of /api/v1/professionals.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import literal_column
from sqlalchemy.dialects import postgresql

from directory.organizations.fhir import ORGANIZATION_TYPE_SYSTEM
from directory.organizations.fhir import PROFILE as ORGANIZATION_PROFILE
from directory.organizations.identifiers import FINESS_SYSTEM, IDNST_SYSTEM, SIRENE_SYSTEM
from directory.practitioners import systems as s
from directory.search.text import normalized_sql
from loaders.pipeline import UNSTAMPED
from loaders.rpps_copy import PLACEHOLDER, field_column, lines_table
from loaders.rpps_files import PARTS, Layout, Part
from loaders.rpps_json import (
    Json,
    array,
    const,
    items,
    joined,
    listed,
    obj,
    quote,
    render,
    string,
    when,
)

SEPARATOR = "E'\\x1f'"  # joins token lists, which SQL then splits into text[]
FINESS_NUMBER = "'^[0-9][0-9AB][0-9]{7}$'"
# The work tables, rpps_<name>.
WORK_TABLES = ("role", "structure", "role_mailboxes", "exercise", "person", "exercises",
               "skills", "diplomas", "mailboxes", "changed_practitioner",
               "changed_practitioner_role", "changed_organization",
               "built_practitioner")  # fmt: skip

# Values that must be there for a line to mean anything, by part.
KEYS = {
    "activity": ("idnps", "profession_code", "category_code"),
    "skill": ("idnps", "skill_code"),
    "diploma": ("idnps",),
    "mailbox": ("address",),
}


def normalized(expression: str) -> str:
    """SQL of directory.search.text.normalize() applied to `expression`."""
    compiled = normalized_sql(literal_column(expression)).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    return str(compiled)


def coding(system: str | None, code: str, display: str | None = None) -> Json:
    """A FHIR Coding of a known system (None: the code alone)."""
    return coding_of(None if system is None else quote(system), code, display)


def coding_of(system_sql: str | None, code: str, display: str | None = None) -> Json:
    """A Coding whose system is computed by SQL (NULL system: the code alone)."""
    system = string(system_sql) if system_sql else None
    return obj(
        *([("system", system)] if system else []),
        ("code", string(code)),
        *([("display", string(display))] if display else []),
    )


def concept(system: str, code: str, display: str | None = None) -> Json:
    """A CodeableConcept of one coding, absent without a code."""
    return when(f"{code} IS NOT NULL", obj(("coding", array(coding(system, code, display)))))


def coded(code: str, label: str) -> Json:
    """The JSON API's {code, label}, absent without a code."""
    return when(
        f"{code} IS NOT NULL",
        obj(("code", string(code)), ("label", string(label)), keep_nulls=True),
    )


def forms(system: str, code: str) -> str:
    """The token forms of a code (`code`, `system|code`, `system|`), joined by SEPARATOR."""
    return forms_expr(quote(system), code)


def forms_expr(system_sql: str, code: str) -> str:
    """Token forms with a computed system: `code` alone when the system is unknown."""
    return (
        f"CASE WHEN {code} IS NULL THEN NULL WHEN {system_sql} IS NULL THEN {code} ELSE "
        f"concat_ws({SEPARATOR}, {code}, {system_sql} || '|' || {code}, {system_sql} || '|') END"
    )


def tokens(*parts: str) -> str:
    """A text[] of the tokens of `parts` (SEPARATOR-joined lists, NULLs skipped)."""
    return f"coalesce(string_to_array(concat_ws({SEPARATOR}, {', '.join(parts)}), {SEPARATOR}), '{{}}')"


def system_by_type(systems: dict[str, str], type_code: str) -> str:
    """The code system a type code stands for (savoir-faire or diploma type), else NULL."""
    cases = " ".join(f"WHEN {quote(t)} THEN {quote(u)}" for t, u in systems.items())
    return f"CASE {type_code} {cases} END"


def meta(stamp: str | None, *profiles: str) -> Json:
    """`meta` with the load time as lastUpdated when known (a first load writes its records
    stamped), else the placeholder the swap replaces with it."""
    return obj(("lastUpdated", const(stamp or UNSTAMPED)), ("profile", const(list(profiles))))


# ---------------------------------------------------------------------------------------------
# The copied lines, as views with our field names and a reason for each unusable line


def _reason(part: Part, layout: Layout) -> str:
    header = {c.field: c.headers[0] for c in part.columns}
    checks = " ".join(
        f"WHEN {_field(layout, key)} IS NULL THEN {quote(header[key] + ' is empty')}"
        for key in KEYS[part.name]
    )
    return f"CASE {checks} END"


def _field(layout: Layout, name: str) -> str:
    position = layout.positions[name]
    return field_column(position) if position else "NULL::text"


def _copied() -> str:
    """The rows of the lines table that hold a line (not a placeholder of a rejected one)."""
    return f"{field_column(1)} IS DISTINCT FROM chr({ord(PLACEHOLDER)})"


def view(part: Part, layout: Layout) -> str:
    """The view rpps_<part> of the copied lines: their number, fields and reason to reject."""
    columns = ", ".join(f"{_field(layout, c.field)} AS {c.field}" for c in part.columns)
    return f"""CREATE VIEW rpps_{part.name} AS
        SELECT n + 1 AS line, {columns}, {_reason(part, layout)} AS reason
        FROM {lines_table(part.name)} WHERE {_copied()}"""


def statistics(part: Part, layout: Layout) -> str:
    """ANALYZE of the lines table: row count and the fields lines are grouped by (all 56 take
    six times as long, for nothing)."""
    names = dict.fromkeys(("idnps", *KEYS[part.name]))
    columns = [field_column(p) for name in names if (p := layout.positions.get(name))]
    return f"ANALYZE {lines_table(part.name)} ({', '.join(columns)})"


def rejections(part: Part, layout: Layout, file_name: str, run_id: int) -> str:
    """Record the lines whose required values are missing, with the line as read."""
    fields = ", ".join(field_column(i) for i in range(1, layout.field_count + 1))
    return f"""INSERT INTO load_rejection (run_id, line, reason, raw)
        SELECT {run_id}, line, {quote(file_name + ": ")} || reason, left(raw, 2000)
        FROM (SELECT n + 1 AS line, {_reason(part, layout)} AS reason,
                     array_to_string(ARRAY[{fields}], '|', '') AS raw
              FROM {lines_table(part.name)} WHERE {_copied()}) lines
        WHERE reason IS NOT NULL"""


def empty(part_name: str) -> str:
    """A part absent from the extract, as a view with no rows."""
    part = next(p for p in PARTS if p.name == part_name)
    columns = ", ".join(f"NULL::text AS {c.field}" for c in part.columns)
    return f"""CREATE VIEW rpps_{part_name} AS
        SELECT 0::bigint AS line, {columns}, NULL::text AS reason WHERE FALSE"""


# ---------------------------------------------------------------------------------------------
# Grouping: roles (one per activity), structures, exercises, persons, and per person their
# qualifications, savoir-faire, diplomas and mailboxes as lists of JSON items

ROLE_KEY = ("profession_code", "category_code", "structure_id", "mode_code", "role_code",
            "genre_code", "sector_code", "pharmacist_section_code")  # fmt: skip

ROLES = f"""CREATE UNLOGGED TABLE rpps_role AS
    SELECT DISTINCT ON (id) *
    FROM (SELECT a.idnps || '-' || left(md5(concat_ws('|', {", ".join("a." + k for k in ROLE_KEY)})), 12)
                     AS id,
                 CASE WHEN a.structure_id IS NULL AND a.finess IS NULL THEN NULL
                      WHEN a.finess ~ {FINESS_NUMBER} THEN a.finess
                      ELSE a.structure_id END AS organization_id,
                 a.*
          FROM rpps_activity a WHERE a.reason IS NULL) rows
    ORDER BY id, line"""

# What a structure's organization is built from (the first role at it gives them).
STRUCTURE_FIELDS = ("structure_id", "national_structure_id", "finess", "siret", "siren", "name",
                    "sign", "recipient", "locality", "street_number", "street_repeat",
                    "street_type_code", "street_type_label", "street", "distribution",
                    "postal_code", "commune_code", "department_code", "department_label",
                    "country_label", "phone", "phone2", "fax", "email", "sector_code",
                    "sector_label")  # fmt: skip


def _street_line(r: str) -> str:
    return (
        f"NULLIF(concat_ws(' ', {r}.street_number, {r}.street_repeat, "
        f"coalesce({r}.street_type_label, {r}.street_type_code), {r}.street), '')"
    )


def _city(r: str) -> str:
    """The commune's name, else the town of the `Bureau cedex` line ("25300 DOUBS")."""
    return (
        f"coalesce({r}.commune_label, NULLIF(regexp_replace({r}.cedex, '^[0-9]{{5}} *', ''), ''))"
    )


def structures(finess_loaded: bool) -> str:
    """Structures FINESS does not own become organizations of kind RS (FINESS ones stay
    FINESS's); `finess_loaded` is false when the organization table is empty (a first
    load, which the swap transaction holds locked)."""
    not_finess = (
        """AND NOT EXISTS (SELECT 1 FROM organization o
                           WHERE o.id = r.organization_id AND o.kind <> 'RS')"""
        if finess_loaded
        else ""
    )
    return f"""CREATE UNLOGGED TABLE rpps_structure AS
    SELECT DISTINCT ON (organization_id) organization_id,
           {", ".join(STRUCTURE_FIELDS)},
           {_street_line("r")} AS street_line, {_city("r")} AS city,
           CASE WHEN finess_legal_entity ~ {FINESS_NUMBER} THEN finess_legal_entity END AS parent
    FROM rpps_role r
    WHERE organization_id IS NOT NULL {not_finess}
    ORDER BY organization_id, line"""


MAILBOX_CONTACT = obj(
    (
        "extension",
        array(
            obj(
                ("url", const(s.EMAIL_TYPE_EXTENSION)),
                ("valueCoding", const({"system": s.MAILBOX_KIND, "code": "MSSANTE"})),
            ),
            obj(
                ("url", const(s.MAILBOX_TYPE_EXTENSION)),
                (
                    "extension",
                    array(
                        when(
                            "mailbox_type IS NOT NULL",
                            obj(
                                ("url", const("type")),
                                ("valueCodeableConcept", concept(s.MAILBOX_TYPE, "mailbox_type")),
                            ),
                        ),
                        when(
                            "service IS NOT NULL",
                            obj(("url", const("service")), ("valueString", string("service"))),
                        ),
                    ),
                ),
            ),
        ),
    ),
    ("system", const("email")),
    ("value", string("address")),
)
MAILBOX_DOCUMENT = obj(
    ("address", string("address")),
    ("type", string("mailbox_type")),
    ("structure", string("structure")),
    ("service", string("service")),
    ("digitization", string("digitization")),
    keep_nulls=True,
)


def mailboxes(plain: bool) -> str:
    """Each person's mailboxes. `plain`, here as for every statement that writes JSON: the
    files it reads hold nothing a JSON string escapes."""
    return f"""CREATE UNLOGGED TABLE rpps_mailboxes AS
    SELECT idnps, {items(MAILBOX_CONTACT, plain, "address")} AS telecom,
           {items(MAILBOX_DOCUMENT, plain, "address")} AS documents,
           array_agg(DISTINCT lower(address)) AS tokens
    FROM (SELECT DISTINCT ON (idnps, lower(address)) * FROM rpps_mailbox
          WHERE reason IS NULL AND idnps IS NOT NULL ORDER BY idnps, lower(address), line) m
    GROUP BY idnps"""


def role_mailboxes(plain: bool) -> str:
    """Personal mailboxes at a structure also belong to the role the person holds there."""
    return f"""CREATE UNLOGGED TABLE rpps_role_mailboxes AS
    SELECT idnps, structure, {items(MAILBOX_CONTACT, plain, "address, line")} AS telecom,
           {items(MAILBOX_DOCUMENT, plain, "address, line")} AS documents,
           array_agg(DISTINCT lower(address)) AS tokens
    FROM rpps_mailbox
    WHERE reason IS NULL AND idnps IS NOT NULL AND structure IS NOT NULL
          AND coalesce(mailbox_type, 'PER') = 'PER'
    GROUP BY idnps, structure"""


PERSON_FIELDS = ("id_type", "identifier", "family", "given", "civility_code", "civility_label",
                 "practice_civility_code", "practice_civility_label")  # fmt: skip

EXERCISES = f"""CREATE UNLOGGED TABLE rpps_exercise AS
    SELECT DISTINCT ON (idnps, profession_code, category_code)
           idnps, line, profession_code, profession_label, category_code, category_label,
           {", ".join(PERSON_FIELDS)}
    FROM rpps_activity WHERE reason IS NULL
    ORDER BY idnps, profession_code, category_code, line"""

PERSONS = f"""CREATE UNLOGGED TABLE rpps_person AS
    SELECT DISTINCT ON (idnps) idnps, {", ".join(PERSON_FIELDS)}
    FROM rpps_exercise ORDER BY idnps, line"""

EXERCISE_QUALIFICATION = obj(
    (
        "code",
        obj(
            (
                "coding",
                array(
                    coding(s.PROFESSION, "profession_code", "profession_label"),
                    coding(s.CATEGORY, "category_code", "category_label"),
                ),
            )
        ),
    )
)
EXERCISE_DOCUMENT = obj(
    ("profession", coded("profession_code", "profession_label")),
    ("category", coded("category_code", "category_label")),
    ("practice_civility", coded("practice_civility_code", "practice_civility_label")),
    ("family", string("family")),
    ("given", string("given")),
    keep_nulls=True,
)


def exercise_groups(plain: bool) -> str:
    return f"""CREATE UNLOGGED TABLE rpps_exercises AS
    SELECT idnps,
           {items(EXERCISE_QUALIFICATION, plain, "profession_code, category_code")} AS qualifications,
           {items(EXERCISE_DOCUMENT, plain, "profession_code, category_code")} AS documents,
           string_agg(concat_ws({SEPARATOR}, {forms(s.PROFESSION, "profession_code")},
                                {forms(s.CATEGORY, "category_code")}), {SEPARATOR}) AS tokens
    FROM rpps_exercise GROUP BY idnps"""


SKILL_SYSTEM = system_by_type(s.SKILL_SYSTEMS, "skill_type_code")
SKILL_QUALIFICATION = obj(
    (
        "code",
        obj(
            (
                "coding",
                array(
                    when(
                        "skill_type_code IS NOT NULL",
                        coding(s.SKILL_TYPE, "skill_type_code", "skill_type_label"),
                    ),
                    coding_of(SKILL_SYSTEM, "skill_code", "skill_label"),
                ),
            )
        ),
    )
)
SKILL_DOCUMENT = obj(
    ("profession", string("profession_code")),
    ("type", coded("skill_type_code", "skill_type_label")),
    ("code", string("skill_code")),
    ("label", string("skill_label")),
    keep_nulls=True,
)


def skills(plain: bool) -> str:
    """Savoir-faire of the savoir-faire file and of the activity lines; `plain` when both
    files need no escaping."""
    return f"""CREATE UNLOGGED TABLE rpps_skills AS
    SELECT idnps,
           {items(SKILL_QUALIFICATION, plain, "skill_type_code, skill_code")} AS qualifications,
           {items(SKILL_DOCUMENT, plain, "skill_type_code, skill_code")} AS documents,
           string_agg(concat_ws({SEPARATOR}, {forms(s.SKILL_TYPE, "skill_type_code")},
                                {forms_expr(SKILL_SYSTEM, "skill_code")}), {SEPARATOR}) AS tokens
    FROM (SELECT DISTINCT ON (idnps, skill_type_code, skill_code) *
          FROM (SELECT idnps, profession_code, skill_type_code, skill_type_label, skill_code,
                       skill_label, 0 AS origin, line
                FROM rpps_skill WHERE reason IS NULL
                UNION ALL
                SELECT idnps, profession_code, skill_type_code, skill_type_label, skill_code,
                       skill_label, 1, line
                FROM rpps_activity WHERE reason IS NULL AND skill_code IS NOT NULL) found
          ORDER BY idnps, skill_type_code, skill_code, origin, line) distinct_skills
    GROUP BY idnps"""


DIPLOMA_SYSTEM = system_by_type(s.DIPLOMA_SYSTEMS, "diploma_type_code")
DIPLOMA_KEY = ("diploma_type_code", "diploma_code", "authorization_type_code", "discipline_code")
DIPLOMA_QUALIFICATION = obj(
    (
        "code",
        obj(
            (
                "coding",
                array(
                    when(
                        "diploma_code IS NOT NULL",
                        coding_of(DIPLOMA_SYSTEM, "diploma_code", "diploma_label"),
                    ),
                    when(
                        "diploma_type_code IS NOT NULL",
                        coding(s.DIPLOMA_TYPE, "diploma_type_code", "diploma_type_label"),
                    ),
                ),
            )
        ),
    )
)
AUTHORIZATION = obj(
    ("url", const(s.AUTHORIZATION_EXTENSION)),
    (
        "extension",
        array(
            when(
                "authorization_type_code IS NOT NULL",
                obj(
                    ("url", const("type")),
                    (
                        "valueCodeableConcept",
                        concept(
                            s.AUTHORIZATION_TYPE,
                            "authorization_type_code",
                            "authorization_type_label",
                        ),
                    ),
                ),
            ),
            when(
                "discipline_code IS NOT NULL",
                obj(
                    ("url", const("field")),
                    (
                        "valueCodeableConcept",
                        obj(("coding", array(coding(None, "discipline_code", "discipline_label")))),
                    ),
                ),
            ),
        ),
    ),
)
DIPLOMA_DOCUMENT = obj(
    ("type", coded("diploma_type_code", "diploma_type_label")),
    ("diploma", coded("diploma_code", "diploma_label")),
    ("authorization_type", coded("authorization_type_code", "authorization_type_label")),
    ("discipline", coded("discipline_code", "discipline_label")),
    keep_nulls=True,
)


def diplomas(plain: bool) -> str:
    qualifications = items(
        DIPLOMA_QUALIFICATION,
        plain,
        ", ".join(DIPLOMA_KEY),
        "diploma_code IS NOT NULL OR diploma_type_code IS NOT NULL",
    )
    authorizations = items(
        AUTHORIZATION,
        plain,
        "authorization_type_code, discipline_code, diploma_type_code, diploma_code",
        "authorization_type_code IS NOT NULL OR discipline_code IS NOT NULL",
    )
    return f"""CREATE UNLOGGED TABLE rpps_diplomas AS
    SELECT idnps, {qualifications} AS qualifications, {authorizations} AS authorizations,
           {items(DIPLOMA_DOCUMENT, plain, ", ".join(DIPLOMA_KEY))} AS documents,
           string_agg(concat_ws({SEPARATOR}, {forms_expr(DIPLOMA_SYSTEM, "diploma_code")},
                                {forms(s.DIPLOMA_TYPE, "diploma_type_code")}), {SEPARATOR})
               AS tokens
    FROM (SELECT DISTINCT ON (idnps, {", ".join(DIPLOMA_KEY)}) *
          FROM rpps_diploma WHERE reason IS NULL
          ORDER BY idnps, {", ".join(DIPLOMA_KEY)}, line) distinct_diplomas
    GROUP BY idnps"""


# ---------------------------------------------------------------------------------------------
# Records: each built from one row of inputs, whose digest is its content hash


@dataclass(frozen=True)
class Build:
    """How the records of a target are built: `inputs` is a SELECT list (`name` → SQL) over
    `sources`, one row per record keyed by `id`, and everything the record depends on;
    `columns` gives every column of the target but the content hash, as SQL over the
    inputs (`i.<name>`) and what `lateral` adds."""

    inputs: dict[str, str]
    sources: str
    columns: dict[str, str]
    lateral: str = ""


def _digest(version: str, names: list[str]) -> str:
    """The content hash: the mapping version's and each input's 64-bit hash, the latter
    keyed by the input's position so that values cannot trade places unseen, combined by
    xor. Hashing the inputs one by one spares concatenating kilobytes of JSON: a third of
    the time of an md5 of their concatenation."""
    terms = [f"hashtextextended({quote(version)}, 0)"]
    terms += [
        f"coalesce(hashtextextended(inputs.{name}::text, {position}), 0)"
        for position, name in enumerate(names, start=1)
    ]
    return f"({' # '.join(terms)})::text"


def records(build: Build, columns: tuple[str, ...], version: str, changed: str = "") -> str:
    """The SELECT of the records and their content hash: of every record, or of those in
    the table `changed` (id, content_hash)."""
    listed = ", ".join(f"{sql} AS {name}" for name, sql in build.inputs.items())
    built = ", ".join(f"{build.columns[c]} AS {c}" for c in columns if c != "content_hash")
    if changed:
        inputs = f"""SELECT {listed}, c.content_hash
            FROM {build.sources} JOIN {changed} c ON c.id = {build.inputs["id"]}"""
    else:
        digest = _digest(version, list(build.inputs))
        inputs = f"""SELECT inputs.*, {digest} AS content_hash
            FROM (SELECT {listed} FROM {build.sources}) inputs"""
    return f"SELECT {built}, i.content_hash FROM ({inputs}) i {build.lateral}"


def changed(table: str, build: Build, version: str) -> tuple[str, str]:
    """Statements that digest every record's inputs: the table rpps_changed_<table>, then
    the insert of every key into stage_keys_<table>, and of the key and digest of each
    record whose digest differs from the present record's into rpps_changed_<table>, so that
    only those are built."""
    listed = ", ".join(f"{sql} AS {name}" for name, sql in build.inputs.items())
    return (
        f"CREATE UNLOGGED TABLE rpps_changed_{table} (id text, content_hash text)",
        f"""WITH digests AS MATERIALIZED (
                SELECT inputs.id, {_digest(version, list(build.inputs))} AS content_hash
                FROM (SELECT {listed} FROM {build.sources}) inputs),
            keys AS (INSERT INTO stage_keys_{table} SELECT id FROM digests)
            INSERT INTO rpps_changed_{table}
            SELECT d.id, d.content_hash FROM digests d
            WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = d.id
                              AND t.content_hash = d.content_hash AND t.removed_at IS NULL)""",
    )


def staged(table: str, build: Build, columns: tuple[str, ...], version: str) -> str:
    """Insert into stage_<table> the records `changed` found."""
    listed = ", ".join(c for c in columns if c != "content_hash")
    selected = records(build, columns, version, f"rpps_changed_{table}")
    return f"INSERT INTO stage_{table} ({listed}, content_hash) {selected}"


def first_load(table: str, columns: tuple[str, ...], selected: str, stamp: str) -> str:
    """Insert `selected` (a SELECT of the records) into the (empty) table itself, stamped
    with the load time `stamp` (an ISO timestamp)."""
    listed = ", ".join(c for c in columns if c != "content_hash")
    return f"""INSERT INTO {table} ({listed}, content_hash, last_updated)
        SELECT r.*, {quote(stamp)}::timestamptz FROM ({selected}) r"""


def _identifier(system: str, value: str, type_code: str, use: bool = False) -> Json:
    return obj(
        *([("use", const("official"))] if use else []),
        ("type", const({"coding": [{"system": s.IDENTIFIER_TYPE_SYSTEM, "code": type_code}]})),
        ("system", const(system)),
        ("value", string(value, present=True)),
    )


def _single(value: str) -> Json:
    """A list of one string, absent without it."""
    return when(f"{value} IS NOT NULL", array(string(value, present=True)))


IS_RPPS = "i.id_type = '8'"


def practitioners(stamp: str | None, plain: bool) -> Build:
    """Practitioners, one per person; `stamp` is meta.lastUpdated on a first load, `plain`
    when the activity file needs no JSON escaping."""
    resource = obj(
        ("resourceType", const("Practitioner")),
        ("id", string("i.id", present=True)),
        ("meta", meta(stamp, *s.PRACTITIONER_PROFILES)),
        ("extension", listed("i.di_authorizations")),
        (
            "identifier",
            array(
                _identifier(s.IDNPS_SYSTEM, "i.id", "IDNPS", use=True),
                when(IS_RPPS, _identifier(s.RPPS_SYSTEM, "i.identifier", "RPPS", use=True)),
            ),
        ),
        ("active", const(True)),
        (
            "name",
            array(
                obj(
                    ("use", const("usual")),
                    ("family", string("i.family")),
                    ("given", _single("i.given")),
                    ("prefix", _single("i.civility_code")),
                    ("suffix", _single("i.practice_civility_code")),
                )
            ),
        ),
        ("telecom", listed("i.mb_telecom")),
        (
            "qualification",
            joined("i.ex_qualifications", "i.sk_qualifications", "i.di_qualifications"),
        ),
    )
    document = obj(
        ("idnps", string("i.id")),
        (
            "identifier_type",
            string("CASE i.id_type WHEN '8' THEN 'RPPS' WHEN '0' THEN 'ADELI' ELSE i.id_type END"),
        ),
        ("rpps", string(f"CASE WHEN {IS_RPPS} THEN i.identifier END")),
        ("adeli", string("CASE WHEN i.id_type = '0' THEN i.identifier END")),
        ("family", string("i.family")),
        ("given", string("i.given")),
        ("civility", coded("i.civility_code", "i.civility_label")),
        ("practice_civility", coded("i.practice_civility_code", "i.practice_civility_label")),
        ("exercises", joined("i.ex_documents")),
        ("skills", joined("i.sk_documents")),
        ("diplomas", joined("i.di_documents")),
        ("mailboxes", joined("i.mb_documents")),
        keep_nulls=True,
    )
    idnps, rpps = quote(s.IDNPS_SYSTEM + "|"), quote(s.RPPS_SYSTEM + "|")
    type_system = s.IDENTIFIER_TYPE_SYSTEM
    return Build(
        inputs={
            "id": "p.idnps",
            **{name: f"p.{name}" for name in PERSON_FIELDS},
            **{
                f"{alias}_{name}": f"{alias}.{name}"
                for alias, names in (
                    ("ex", ("qualifications", "documents", "tokens")),
                    ("sk", ("qualifications", "documents", "tokens")),
                    ("di", ("qualifications", "authorizations", "documents", "tokens")),
                    ("mb", ("telecom", "documents", "tokens")),
                )
                for name in names
            },
        },
        sources="""rpps_person p
            JOIN rpps_exercises ex ON ex.idnps = p.idnps
            LEFT JOIN rpps_skills sk ON sk.idnps = p.idnps
            LEFT JOIN rpps_diplomas di ON di.idnps = p.idnps
            LEFT JOIN rpps_mailboxes mb ON mb.idnps = p.idnps""",
        lateral=f"""CROSS JOIN LATERAL (SELECT {normalized("i.family")} AS family,
                                              {normalized("i.given")} AS given) norm""",
        columns={
            "id": "i.id",
            "id_type": "i.id_type",
            "identifier": "i.identifier",
            "family": "i.family",
            "given": "i.given",
            "family_norm": "norm.family",
            "given_norm": "norm.given",
            "name_norm": "concat_ws(' ', norm.family, norm.given, lower(i.civility_code), "
            "lower(i.practice_civility_code))",
            "identifier_tokens": f"""ARRAY[i.id, {idnps} || i.id, {idnps}]
                || CASE WHEN {IS_RPPS} THEN ARRAY[i.identifier, {rpps} || i.identifier, {rpps}]
                   ELSE '{{}}' END""",
            "identifier_type_tokens": f"""ARRAY['IDNPS', {quote(type_system + "|IDNPS")}]
                || CASE WHEN {IS_RPPS} THEN ARRAY['RPPS', {quote(type_system + "|RPPS")}]
                   ELSE '{{}}' END""",
            "qualification_tokens": tokens("i.ex_tokens", "i.sk_tokens", "i.di_tokens"),
            "mailbox_tokens": "coalesce(i.mb_tokens, '{}')",
            "resource": f"({render(resource, plain)})::json",
            "document": f"({render(document, plain)})::json",
            "active": "true",
        },
    )


def _address_document(r: str, city: str) -> Json:
    return obj(
        ("number", string(f"{r}.street_number")),
        ("repetition", string(f"{r}.street_repeat")),
        ("street_type", string(f"coalesce({r}.street_type_label, {r}.street_type_code)")),
        ("street", string(f"{r}.street")),
        ("complement", string(f"{r}.recipient")),
        ("locality", string(f"{r}.locality")),
        ("distribution", string(f"{r}.distribution")),
        ("postal_code", string(f"{r}.postal_code")),
        ("city", string(city)),
        ("commune_insee", string(f"{r}.commune_code")),
        ("department", string(f"{r}.department_code")),
        ("department_label", string(f"{r}.department_label")),
        ("country", string(f"{r}.country_label")),
        keep_nulls=True,
    )


# The fields of an activity line a role does not show (the digest of its inputs leaves them
# out: a change there is no change of the role), and those it shows only at a structure.
ROLE_UNUSED = ("id_type", "identifier", "civility_code", "civility_label",
               "practice_civility_code", "practice_civility_label", "skill_type_code",
               "skill_type_label", "skill_code", "skill_label", "country_code")  # fmt: skip
ROLE_STRUCTURE_ONLY = ("name", "sign", "recipient", "locality", "street_number",
                       "street_repeat", "street_type_code", "street_type_label", "street",
                       "distribution", "department_label", "country_label", "phone",
                       "phone2", "fax", "email", "finess_legal_entity")  # fmt: skip


def roles(stamp: str | None, plain: bool) -> Build:
    """Practitioner roles, one per activity; `stamp` and `plain` as for practitioners."""
    resource = obj(
        ("resourceType", const("PractitionerRole")),
        ("id", string("i.id", present=True)),
        ("meta", meta(stamp, *s.ROLE_PROFILES)),
        (
            "identifier",
            array(
                obj(
                    ("system", const(s.ROLE_IDENTIFIER_SYSTEM)),
                    ("value", string("i.id", present=True)),
                )
            ),
        ),
        ("active", const(True)),
        (
            "practitioner",
            obj(
                ("reference", string("'Practitioner/' || i.idnps", present=True)),
                ("display", string("concat_ws(' ', i.given, i.family)", present=True)),
            ),
        ),
        (
            "organization",
            when(
                "i.organization_id IS NOT NULL",
                obj(
                    ("reference", string("'Organization/' || i.organization_id", present=True)),
                    ("display", string("coalesce(i.name, i.sign)")),
                ),
            ),
        ),
        (
            "code",
            array(
                concept(s.GENRE, "i.genre_code", "i.genre_label"),
                concept(s.MODE, "i.mode_code", "i.mode_label"),
                concept(s.ROLE, "i.role_code", "i.role_label"),
                concept(
                    s.PHARMACIST_SECTION, "i.pharmacist_section_code", "i.pharmacist_section_label"
                ),
            ),
        ),
        ("telecom", listed("i.mb_telecom")),
    )
    structure = obj(
        ("technical_id", string("i.structure_id")),
        ("organization_id", string("i.organization_id")),
        ("national_id", string("i.national_structure_id")),
        ("name", string("i.name")),
        ("sign", string("i.sign")),
        ("siret", string("i.siret")),
        ("siren", string("i.siren")),
        ("finess", string("i.finess")),
        ("legal_entity_finess", string("i.finess_legal_entity")),
        ("address", _address_document("i", _city("i"))),
        ("phone", string("i.phone")),
        ("phone2", string("i.phone2")),
        ("fax", string("i.fax")),
        ("email", string("i.email")),
        keep_nulls=True,
    )
    document = obj(
        ("id", string("i.id")),
        ("idnps", string("i.idnps")),
        ("profession", coded("i.profession_code", "i.profession_label")),
        ("category", coded("i.category_code", "i.category_label")),
        ("mode", coded("i.mode_code", "i.mode_label")),
        ("role", coded("i.role_code", "i.role_label")),
        ("genre", coded("i.genre_code", "i.genre_label")),
        ("sector", coded("i.sector_code", "i.sector_label")),
        ("pharmacist_section", coded("i.pharmacist_section_code", "i.pharmacist_section_label")),
        ("registration_authority", string("i.authority")),
        ("structure", when("i.organization_id IS NOT NULL", structure)),
        ("mailboxes", joined("i.mb_documents")),
        keep_nulls=True,
    )
    system = quote(s.ROLE_IDENTIFIER_SYSTEM + "|")
    activity = next(p for p in PARTS if p.name == "activity")
    fields = [c.field for c in activity.columns if c.field not in ROLE_STRUCTURE_ONLY]
    return Build(
        inputs={
            "id": "r.id",
            "organization_id": "r.organization_id",
            **{field: f"r.{field}" for field in fields if field not in ROLE_UNUSED},
            # What only a role at a structure shows, absent from the digest of the others.
            **{
                field: f"CASE WHEN r.organization_id IS NOT NULL THEN r.{field} END"
                for field in ROLE_STRUCTURE_ONLY
            },
            "mb_telecom": "mb.telecom",
            "mb_documents": "mb.documents",
            "mb_tokens": "mb.tokens",
        },
        sources="""rpps_role r LEFT JOIN rpps_role_mailboxes mb
            ON mb.idnps = r.idnps AND mb.structure = r.national_structure_id""",
        columns={
            "id": "i.id",
            "practitioner_id": "i.idnps",
            "organization_id": "i.organization_id",
            "profession_code": "i.profession_code",
            "mode_code": "i.mode_code",
            "postal_code": "i.postal_code",
            "commune_insee": "i.commune_code",
            "department": "i.department_code",
            "city_norm": f"NULLIF({normalized(_city('i'))}, '')",
            "identifier_tokens": f"ARRAY[i.id, {system} || i.id, {system}]",
            "role_tokens": tokens(
                forms(s.MODE, "i.mode_code"),
                forms(s.ROLE, "i.role_code"),
                forms(s.GENRE, "i.genre_code"),
                forms(s.PHARMACIST_SECTION, "i.pharmacist_section_code"),
            ),
            "organization_tokens": tokens(
                forms(FINESS_SYSTEM, "i.finess"),
                forms(SIRENE_SYSTEM, "i.siret"),
                forms(SIRENE_SYSTEM, "i.siren"),
                forms(IDNST_SYSTEM, "i.national_structure_id"),
                "i.structure_id",
            ),
            "mailbox_tokens": "coalesce(i.mb_tokens, '{}')",
            "resource": f"({render(resource, plain)})::json",
            "document": f"({render(document, plain)})::json",
            "active": "true",
        },
    )


def _org_identifier(system: str, value: str, type_code: str) -> Json:
    return when(f"{value} IS NOT NULL", _identifier(system, value, type_code))


def _telecom(system: str, value: str) -> Json:
    return when(
        f"{value} IS NOT NULL",
        obj(
            ("system", const(system)),
            ("value", string(value, present=True)),
            ("use", const("work")),
        ),
    )


def organizations(stamp: str | None, plain: bool) -> Build:
    """Organizations of the structures FINESS does not own; `stamp` and `plain` as for
    practitioners."""
    name = "coalesce(i.name, i.sign, i.structure_id)"
    resource = obj(
        ("resourceType", const("Organization")),
        ("id", string("i.id", present=True)),
        ("meta", meta(stamp, ORGANIZATION_PROFILE)),
        (
            "identifier",
            array(
                _org_identifier(IDNST_SYSTEM, "i.national_structure_id", "IDNST"),
                _org_identifier(FINESS_SYSTEM, "i.finess", "FINEG"),
                _org_identifier(SIRENE_SYSTEM, "i.siret", "SIRET"),
                _org_identifier(SIRENE_SYSTEM, "i.siren", "SIREN"),
            ),
        ),
        ("active", const(True)),
        (
            "type",
            array(
                const(
                    {
                        "coding": [
                            {"system": ORGANIZATION_TYPE_SYSTEM, "code": "GEOGRAPHICAL-ENTITY"}
                        ]
                    }
                ),
                concept(s.SECTOR, "i.sector_code", "i.sector_label"),
            ),
        ),
        ("name", string(name)),
        (
            "alias",
            when(
                "i.sign IS NOT NULL AND i.sign IS DISTINCT FROM i.name",
                array(string("i.sign", present=True)),
            ),
        ),
        (
            "telecom",
            array(
                _telecom("phone", "i.phone"),
                _telecom("phone", "i.phone2"),
                _telecom("fax", "i.fax"),
                _telecom("email", "i.email"),
            ),
        ),
        (
            "address",
            array(
                obj(
                    ("use", const("work")),
                    ("type", const("both")),
                    (
                        "line",
                        array(
                            string("i.recipient"),
                            string("i.street_line"),
                            string("i.locality"),
                            string("i.distribution"),
                        ),
                    ),
                    ("postalCode", string("i.postal_code")),
                    ("city", string("i.city")),
                    ("country", string("i.country_label")),
                )
            ),
        ),
        (
            "partOf",
            when(
                "i.parent IS NOT NULL",
                obj(("reference", string("'Organization/' || i.parent", present=True))),
            ),
        ),
    )
    document = obj(
        ("finess", string(f"CASE WHEN i.finess ~ {FINESS_NUMBER} THEN i.finess END")),
        ("type", const("rpps_structure")),
        ("rpps_structure_id", string("i.structure_id")),
        ("national_id", string("i.national_structure_id")),
        ("name", string(name)),
        ("alias", string("i.sign")),
        ("open", const(True)),
        ("legal_entity_finess", string("i.parent")),
        ("siren", string("i.siren")),
        ("siret", string("i.siret")),
        ("sector", coded("i.sector_code", "i.sector_label")),
        ("address", _address_document("i", "i.city")),
        ("coordinates", const(None)),
        ("phone", string("i.phone")),
        ("fax", string("i.fax")),
        ("email", string("i.email")),
        ("source", const("RPPS")),
        keep_nulls=True,
    )
    types = (("i.national_structure_id", "IDNST"), ("i.finess", "FINEG"), ("i.siret", "SIRET"),
             ("i.siren", "SIREN"))  # fmt: skip
    return Build(
        inputs={
            "id": "r.organization_id",
            **{field: f"r.{field}" for field in STRUCTURE_FIELDS},
            "street_line": "r.street_line",
            "city": "r.city",
            "parent": "r.parent",
        },
        sources="rpps_structure r",
        columns={
            "id": "i.id",
            "kind": "'RS'",
            "parent_id": "i.parent",
            "technical_id": "i.structure_id",
            "name": name,
            "postal_code": "i.postal_code",
            "department": "i.department_code",
            "commune_insee": "i.commune_code",
            "category_code": "NULL::text",
            "source_status": "'A'",
            "closed": "NULL::date",
            "latitude": "NULL::double precision",
            "longitude": "NULL::double precision",
            "resource": f"({render(resource, plain)})::json",
            "document": f"({render(document, plain)})::jsonb",
            "names": f"array_remove(ARRAY[{name}, NULLIF(i.sign, coalesce(i.name, i.sign))], NULL)",
            "name_norm": normalized("concat_ws(' ', i.name, i.sign)"),
            "address_norm": normalized(
                "concat_ws(' ', i.street_line, i.locality, i.city, i.postal_code)"
            ),
            "city_norm": f"NULLIF({normalized('i.city')}, '')",
            "identifier_tokens": tokens(
                forms(IDNST_SYSTEM, "i.national_structure_id"),
                forms(FINESS_SYSTEM, "i.finess"),
                forms(SIRENE_SYSTEM, "i.siret"),
                forms(SIRENE_SYSTEM, "i.siren"),
            ),
            "identifier_type_tokens": tokens(
                *(
                    f"CASE WHEN {value} IS NOT NULL THEN {forms(s.IDENTIFIER_TYPE_SYSTEM, quote(code))} END"
                    for value, code in types
                )
            ),
            "type_tokens": tokens(
                forms(ORGANIZATION_TYPE_SYSTEM, "'GEOGRAPHICAL-ENTITY'"),
                forms(s.SECTOR, "i.sector_code"),
            ),
            "active": "true",
        },
    )
