"""The SQL that turns the copied RPPS lines into staged practitioners, roles and structures.

Set-based on purpose: 2.2 M activity lines map to 1.9 M practitioners, 2.2 M roles and a few
hundred thousand structures, and PostgreSQL builds their JSON, tokens and digests about ten
times faster than Python would, sorting and grouping on disk rather than in our memory.
Each step is one statement over unlogged work tables named rpps_<step>, dropped at the end.

The FHIR shapes follow the Annuaire Santé `as-dp-practitioner`, `as-dp-practitionerrole`
and `as-dp-organization` profiles; the documents are those of /api/v1/professionals.
"""

from __future__ import annotations

from sqlalchemy import literal_column
from sqlalchemy.dialects import postgresql

from directory.organizations.fhir import ORGANIZATION_TYPE_SYSTEM
from directory.organizations.fhir import PROFILE as ORGANIZATION_PROFILE
from directory.organizations.identifiers import FINESS_SYSTEM, IDNST_SYSTEM, SIRENE_SYSTEM
from directory.practitioners import systems as s
from directory.search.text import normalized_sql
from loaders.rpps_copy import raw_table
from loaders.rpps_files import PARTS, Layout, Part

SEPARATOR = "E'\\x1f'"  # joins token lists, which SQL then splits into text[]
FINESS_NUMBER = "'^[0-9][0-9AB][0-9]{7}$'"
WORK_TABLES = ("activity", "skill", "diploma", "mailbox", "role", "exercise", "person",
               "exercises", "skills", "diplomas", "mailboxes", "role_mailboxes", "structure")  # fmt: skip

# Values that must be there for a line to mean anything, by part.
KEYS = {
    "activity": ("idnps", "profession_code", "category_code"),
    "skill": ("idnps", "skill_code"),
    "diploma": ("idnps",),
    "mailbox": ("address",),
}


def quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def normalized(expression: str) -> str:
    """SQL of directory.search.text.normalize() applied to `expression`."""
    compiled = normalized_sql(literal_column(expression)).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    return str(compiled)


def coding(system: str | None, code: str, display: str | None = None) -> str:
    """A FHIR Coding of a known system (None: the code alone)."""
    return coding_expr("NULL" if system is None else quote(system), code, display or "NULL")


def concept(system: str, code: str, display: str) -> str:
    """A CodeableConcept of one coding, or NULL without a code."""
    return (
        f"CASE WHEN {code} IS NOT NULL THEN "
        f"jsonb_build_object('coding', jsonb_build_array({coding(system, code, display)})) END"
    )


def coded(code: str, label: str) -> str:
    """The JSON API's {code, label}, or NULL without a code."""
    return f"CASE WHEN {code} IS NOT NULL THEN jsonb_build_object('code', {code}, 'label', {label}) END"


def forms(system: str, code: str) -> str:
    """The token forms of a code (`code`, `system|code`, `system|`), joined by SEPARATOR."""
    return forms_expr(quote(system), code)


def tokens(*parts: str) -> str:
    """A text[] of the tokens of `parts` (SEPARATOR-joined lists, NULLs skipped)."""
    return f"coalesce(string_to_array(concat_ws({SEPARATOR}, {', '.join(parts)}), {SEPARATOR}), '{{}}')"


def json_list(*items: str) -> str:
    """A JSON array of the non-NULL jsonb `items`."""
    return f"to_jsonb(array_remove(ARRAY[{', '.join(items)}]::jsonb[], NULL))"


def profiles(*urls: str) -> str:
    return "jsonb_build_array(" + ", ".join(map(quote, urls)) + ")"


def system_by_type(systems: dict[str, str], type_code: str) -> str:
    """The code system a type code stands for (savoir-faire or diploma type), else NULL."""
    cases = " ".join(f"WHEN {quote(t)} THEN {quote(u)}" for t, u in systems.items())
    return f"CASE {type_code} {cases} END"


def coding_expr(system_sql: str, code: str, display: str) -> str:
    """A Coding whose system is computed by SQL (NULL system: the code alone)."""
    return (
        f"jsonb_strip_nulls(jsonb_build_object('system', {system_sql}, 'code', {code}, "
        f"'display', {display}))"
    )


def forms_expr(system_sql: str, code: str) -> str:
    """Token forms with a computed system: `code` alone when the system is unknown."""
    return (
        f"CASE WHEN {code} IS NULL THEN NULL WHEN {system_sql} IS NULL THEN {code} ELSE "
        f"concat_ws({SEPARATOR}, {code}, {system_sql} || '|' || {code}, {system_sql} || '|') END"
    )


# ---------------------------------------------------------------------------------------------
# Lines → typed rows, with a reason for each unusable line


def parse(part: Part, layout: Layout) -> str:
    """The typed rows of a part's lines; `reason` is set on the lines to reject."""

    def field(name: str) -> str:
        position = layout.positions[name]
        return f"NULLIF(btrim(f[{position}]), '')" if position else "NULL::text"

    counts = [layout.field_count]
    if layout.trailing_separator:
        counts.append(layout.field_count - 1)  # a line may lack the trailing `|`
    header = {c.field: c.headers[0] for c in part.columns}
    checks = [
        f"WHEN cardinality(f) NOT IN ({', '.join(map(str, counts))}) THEN "
        f"format('%s fields where the header has {layout.field_count}', cardinality(f))"
    ]
    checks += [
        f"WHEN {field(key)} IS NULL THEN {quote(header[key] + ' is empty')}"
        for key in KEYS[part.name]
    ]
    columns = ", ".join(f"{field(c.field)} AS {c.field}" for c in part.columns)
    return f"""CREATE UNLOGGED TABLE rpps_{part.name} AS
        SELECT n + 1 AS line, {columns}, CASE {" ".join(checks)} END AS reason
        FROM (SELECT n, string_to_array(raw, '|') AS f FROM {raw_table(part.name)}
              -- OFFSET 0 keeps the subquery apart: each line is split once, not per column
              WHERE raw <> '' OFFSET 0) lines"""


def rejections(part_name: str, file_name: str) -> str:
    return f"""INSERT INTO load_rejection (run_id, line, reason, raw)
        SELECT %(run_id)s, p.line, {quote(file_name + ": ")} || p.reason, left(r.raw, 2000)
        FROM rpps_{part_name} p JOIN {raw_table(part_name)} r ON r.n = p.line - 1
        WHERE p.reason IS NOT NULL"""


def empty(part_name: str) -> str:
    """A part absent from the extract, as a table with no rows."""
    part = next(p for p in PARTS if p.name == part_name)
    columns = ", ".join(f"NULL::text AS {c.field}" for c in part.columns)
    return f"""CREATE UNLOGGED TABLE rpps_{part_name} AS
        SELECT 0 AS line, {columns}, NULL::text AS reason WHERE FALSE"""


# ---------------------------------------------------------------------------------------------
# Grouping: roles (one per activity), exercises, persons, savoir-faire, diplomas, mailboxes

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

EXERCISES = """CREATE UNLOGGED TABLE rpps_exercise AS
    SELECT DISTINCT ON (idnps, profession_code, category_code) *
    FROM rpps_activity WHERE reason IS NULL
    ORDER BY idnps, profession_code, category_code, line"""

PERSONS = """CREATE UNLOGGED TABLE rpps_person AS
    SELECT DISTINCT ON (idnps) * FROM rpps_exercise ORDER BY idnps, line"""

EXERCISE_GROUPS = f"""CREATE UNLOGGED TABLE rpps_exercises AS
    SELECT idnps,
                 jsonb_agg(jsonb_build_object('code', jsonb_build_object('coding', jsonb_build_array(
                     {coding(s.PROFESSION, "profession_code", "profession_label")},
                     {coding(s.CATEGORY, "category_code", "category_label")})))
                     ORDER BY profession_code, category_code) AS qualifications,
                 jsonb_agg(jsonb_build_object(
                     'profession', {coded("profession_code", "profession_label")},
                     'category', {coded("category_code", "category_label")},
                     'practice_civility', {
    coded("practice_civility_code", "practice_civility_label")
},
                     'family', family, 'given', given)
                     ORDER BY profession_code, category_code) AS documents,
                 string_agg(concat_ws({SEPARATOR}, {forms(s.PROFESSION, "profession_code")},
                                      {forms(s.CATEGORY, "category_code")}), {SEPARATOR}) AS tokens
    FROM rpps_exercise GROUP BY idnps"""

SKILLS = f"""CREATE UNLOGGED TABLE rpps_skills AS
    SELECT idnps,
           jsonb_agg(jsonb_build_object('code', jsonb_build_object('coding', {
    json_list(
        f"CASE WHEN skill_type_code IS NOT NULL THEN {coding(s.SKILL_TYPE, 'skill_type_code', 'skill_type_label')} END",
        coding_expr(
            system_by_type(s.SKILL_SYSTEMS, "skill_type_code"), "skill_code", "skill_label"
        ),
    )
})) ORDER BY skill_type_code, skill_code) AS qualifications,
           jsonb_agg(jsonb_build_object('profession', profession_code,
                                        'type', {coded("skill_type_code", "skill_type_label")},
                                        'code', skill_code, 'label', skill_label)
                     ORDER BY skill_type_code, skill_code) AS documents,
           string_agg(concat_ws({SEPARATOR}, {forms(s.SKILL_TYPE, "skill_type_code")},
                                {
    forms_expr(system_by_type(s.SKILL_SYSTEMS, "skill_type_code"), "skill_code")
}),
                      {SEPARATOR}) AS tokens
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

DIPLOMAS = f"""CREATE UNLOGGED TABLE rpps_diplomas AS
    SELECT idnps,
           jsonb_agg(jsonb_build_object('code', jsonb_build_object('coding', {
    json_list(
        f"CASE WHEN diploma_code IS NOT NULL THEN {coding_expr(system_by_type(s.DIPLOMA_SYSTEMS, 'diploma_type_code'), 'diploma_code', 'diploma_label')} END",
        f"CASE WHEN diploma_type_code IS NOT NULL THEN {coding(s.DIPLOMA_TYPE, 'diploma_type_code', 'diploma_type_label')} END",
    )
})) ORDER BY diploma_type_code, diploma_code)
               FILTER (WHERE diploma_code IS NOT NULL OR diploma_type_code IS NOT NULL)
               AS qualifications,
           jsonb_agg(jsonb_build_object('url', {quote(s.AUTHORIZATION_EXTENSION)}, 'extension', {
    json_list(
        f"CASE WHEN authorization_type_code IS NOT NULL THEN jsonb_build_object('url', 'type', 'valueCodeableConcept', {concept(s.AUTHORIZATION_TYPE, 'authorization_type_code', 'authorization_type_label')}) END",
        "CASE WHEN discipline_code IS NOT NULL THEN jsonb_build_object('url', 'field', 'valueCodeableConcept', "
        "jsonb_build_object('coding', jsonb_build_array(jsonb_strip_nulls(jsonb_build_object('code', discipline_code, 'display', discipline_label))))) END",
    )
}) ORDER BY authorization_type_code, discipline_code)
               FILTER (WHERE authorization_type_code IS NOT NULL OR discipline_code IS NOT NULL)
               AS authorizations,
           jsonb_agg(jsonb_build_object(
               'type', {coded("diploma_type_code", "diploma_type_label")},
               'diploma', {coded("diploma_code", "diploma_label")},
               'authorization_type', {coded("authorization_type_code", "authorization_type_label")},
               'discipline', {coded("discipline_code", "discipline_label")})
               ORDER BY diploma_type_code, diploma_code) AS documents,
           string_agg(concat_ws({SEPARATOR}, {
    forms_expr(system_by_type(s.DIPLOMA_SYSTEMS, "diploma_type_code"), "diploma_code")
},
                                {forms(s.DIPLOMA_TYPE, "diploma_type_code")}), {
    SEPARATOR
}) AS tokens
    FROM (SELECT DISTINCT ON (idnps, diploma_type_code, diploma_code, authorization_type_code,
                              discipline_code) *
          FROM rpps_diploma WHERE reason IS NULL
          ORDER BY idnps, diploma_type_code, diploma_code, authorization_type_code,
                   discipline_code, line) distinct_diplomas
    GROUP BY idnps"""


def _mailbox_contact() -> str:
    return f"""jsonb_build_object(
        'extension', jsonb_build_array(
            jsonb_build_object('url', {quote(s.EMAIL_TYPE_EXTENSION)},
                               'valueCoding', {coding(s.MAILBOX_KIND, "'MSSANTE'")}),
            jsonb_build_object('url', {quote(s.MAILBOX_TYPE_EXTENSION)}, 'extension', {
        json_list(
            f"CASE WHEN mailbox_type IS NOT NULL THEN jsonb_build_object('url', 'type', 'valueCodeableConcept', {concept(s.MAILBOX_TYPE, 'mailbox_type', 'NULL')}) END",
            "CASE WHEN service IS NOT NULL THEN jsonb_build_object('url', 'service', 'valueString', service) END",
        )
    })),
        'system', 'email', 'value', address)"""


MAILBOX_DOCUMENT = """jsonb_build_object('address', address, 'type', mailbox_type,
    'structure', structure, 'service', service, 'digitization', digitization)"""

MAILBOXES = f"""CREATE UNLOGGED TABLE rpps_mailboxes AS
    SELECT idnps, jsonb_agg({_mailbox_contact()} ORDER BY address) AS telecom,
           jsonb_agg({MAILBOX_DOCUMENT} ORDER BY address) AS documents,
           array_agg(DISTINCT lower(address)) AS tokens
    FROM (SELECT DISTINCT ON (idnps, lower(address)) * FROM rpps_mailbox
          WHERE reason IS NULL AND idnps IS NOT NULL ORDER BY idnps, lower(address), line) m
    GROUP BY idnps"""

# Personal mailboxes at a structure also belong to the role the person holds there.
ROLE_MAILBOXES = f"""CREATE UNLOGGED TABLE rpps_role_mailboxes AS
    SELECT idnps, structure, jsonb_agg({_mailbox_contact()} ORDER BY address) AS telecom,
           jsonb_agg({MAILBOX_DOCUMENT} ORDER BY address) AS documents,
           array_agg(DISTINCT lower(address)) AS tokens
    FROM rpps_mailbox
    WHERE reason IS NULL AND idnps IS NOT NULL AND structure IS NOT NULL
          AND coalesce(mailbox_type, 'PER') = 'PER'
    GROUP BY idnps, structure"""

# ---------------------------------------------------------------------------------------------
# Staged rows of each target: built for every record, written only when new or changed


def _staged(table: str, columns: tuple[str, ...], built: str, version: str) -> str:
    """Insert into stage_<table> the rows of `built` (a SELECT of `columns` but the content
    hash) whose content differs from the present record, and every key into stage_keys."""
    listed = ", ".join(c for c in columns if c != "content_hash")
    return f"""WITH built AS ({built}),
        hashed AS (SELECT b.*, md5({quote(version)} || b::text) AS content_hash FROM built b),
        keys AS (INSERT INTO stage_keys_{table} SELECT id FROM hashed)
        INSERT INTO stage_{table} ({listed}, content_hash)
        SELECT {listed}, content_hash FROM hashed h
        WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = h.id
                          AND t.content_hash = h.content_hash AND t.removed_at IS NULL)"""


def _identifier(system: str, value: str, type_code: str, use: bool = False) -> str:
    use_sql = "'use', 'official', " if use else ""
    return (
        f"jsonb_build_object({use_sql}'type', jsonb_build_object('coding', jsonb_build_array("
        f"jsonb_build_object('system', {quote(s.IDENTIFIER_TYPE_SYSTEM)}, 'code', {quote(type_code)}))), "
        f"'system', {quote(system)}, 'value', {value})"
    )


def _is_rpps(p: str) -> str:
    return f"{p}.id_type = '8'"


PRACTITIONER_BUILT = f"""
    SELECT p.idnps AS id, p.id_type, p.identifier, p.family, p.given,
           names.family_norm, names.given_norm,
           concat_ws(' ', names.family_norm, names.given_norm,
                     lower(p.civility_code), lower(p.practice_civility_code)) AS name_norm,
           ARRAY[p.idnps, {quote(s.IDNPS_SYSTEM + "|")} || p.idnps, {quote(s.IDNPS_SYSTEM + "|")}]
             || CASE WHEN {_is_rpps("p")} THEN ARRAY[p.identifier,
                    {quote(s.RPPS_SYSTEM + "|")} || p.identifier, {quote(s.RPPS_SYSTEM + "|")}]
                ELSE '{{}}' END AS identifier_tokens,
           ARRAY['IDNPS', {quote(s.IDENTIFIER_TYPE_SYSTEM + "|IDNPS")}]
             || CASE WHEN {_is_rpps("p")} THEN ARRAY['RPPS', {
    quote(s.IDENTIFIER_TYPE_SYSTEM + "|RPPS")
}]
                ELSE '{{}}' END AS identifier_type_tokens,
           {tokens("ex.tokens", "sk.tokens", "di.tokens")} AS qualification_tokens,
           coalesce(mb.tokens, '{{}}') AS mailbox_tokens,
           jsonb_strip_nulls(jsonb_build_object(
               'resourceType', 'Practitioner', 'id', p.idnps,
               'meta', jsonb_build_object('profile', {profiles(*s.PRACTITIONER_PROFILES)}),
               'extension', di.authorizations,
               'identifier', {
    json_list(
        _identifier(s.IDNPS_SYSTEM, "p.idnps", "IDNPS", use=True),
        f"CASE WHEN {_is_rpps('p')} THEN {_identifier(s.RPPS_SYSTEM, 'p.identifier', 'RPPS', use=True)} END",
    )
},
               'active', true,
               'name', jsonb_build_array(jsonb_build_object(
                   'use', 'usual', 'family', p.family,
                   'given', CASE WHEN p.given IS NOT NULL THEN jsonb_build_array(p.given) END,
                   'prefix', CASE WHEN p.civility_code IS NOT NULL
                                  THEN jsonb_build_array(p.civility_code) END,
                   'suffix', CASE WHEN p.practice_civility_code IS NOT NULL
                                  THEN jsonb_build_array(p.practice_civility_code) END)),
               'telecom', mb.telecom,
               'qualification', ex.qualifications || coalesce(sk.qualifications, '[]')
                                || coalesce(di.qualifications, '[]')
           ))::json AS resource,
           jsonb_build_object(
               'idnps', p.idnps,
               'identifier_type', CASE p.id_type WHEN '8' THEN 'RPPS' WHEN '0' THEN 'ADELI'
                                                 ELSE p.id_type END,
               'rpps', CASE WHEN {_is_rpps("p")} THEN p.identifier END,
               'adeli', CASE WHEN p.id_type = '0' THEN p.identifier END,
               'family', p.family, 'given', p.given,
               'civility', {coded("p.civility_code", "p.civility_label")},
               'practice_civility', {
    coded("p.practice_civility_code", "p.practice_civility_label")
},
               'exercises', ex.documents,
               'skills', coalesce(sk.documents, '[]'),
               'diplomas', coalesce(di.documents, '[]'),
               'mailboxes', coalesce(mb.documents, '[]')
           ) AS document,
           true AS active
    FROM rpps_person p
    CROSS JOIN LATERAL (SELECT {normalized("p.family")} AS family_norm,
                               {normalized("p.given")} AS given_norm) names
    JOIN rpps_exercises ex ON ex.idnps = p.idnps
    LEFT JOIN rpps_skills sk ON sk.idnps = p.idnps
    LEFT JOIN rpps_diplomas di ON di.idnps = p.idnps
    LEFT JOIN rpps_mailboxes mb ON mb.idnps = p.idnps"""


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


def _address_document(r: str) -> str:
    return f"""jsonb_build_object('number', {r}.street_number, 'repetition', {r}.street_repeat,
        'street_type', coalesce({r}.street_type_label, {r}.street_type_code),
        'street', {r}.street, 'complement', {r}.recipient, 'locality', {r}.locality,
        'distribution', {r}.distribution, 'postal_code', {r}.postal_code, 'city', {_city(r)},
        'commune_insee', {r}.commune_code, 'department', {r}.department_code,
        'department_label', {r}.department_label, 'country', {r}.country_label)"""


ROLE_BUILT = f"""
    SELECT r.id, r.idnps AS practitioner_id, r.organization_id, r.profession_code, r.mode_code,
           r.postal_code, r.commune_code AS commune_insee, r.department_code AS department,
           NULLIF({normalized(_city("r"))}, '') AS city_norm,
           ARRAY[r.id, {quote(s.ROLE_IDENTIFIER_SYSTEM + "|")} || r.id,
                 {quote(s.ROLE_IDENTIFIER_SYSTEM + "|")}] AS identifier_tokens,
           {
    tokens(
        forms(s.MODE, "r.mode_code"),
        forms(s.ROLE, "r.role_code"),
        forms(s.GENRE, "r.genre_code"),
        forms(s.PHARMACIST_SECTION, "r.pharmacist_section_code"),
    )
}
               AS role_tokens,
           {
    tokens(
        forms(FINESS_SYSTEM, "r.finess"),
        forms(SIRENE_SYSTEM, "r.siret"),
        forms(SIRENE_SYSTEM, "r.siren"),
        forms(IDNST_SYSTEM, "r.national_structure_id"),
        "r.structure_id",
    )
} AS organization_tokens,
           coalesce(mb.tokens, '{{}}') AS mailbox_tokens,
           jsonb_strip_nulls(jsonb_build_object(
               'resourceType', 'PractitionerRole', 'id', r.id,
               'meta', jsonb_build_object('profile', {profiles(*s.ROLE_PROFILES)}),
               'identifier', jsonb_build_array(jsonb_build_object(
                   'system', {quote(s.ROLE_IDENTIFIER_SYSTEM)}, 'value', r.id)),
               'active', true,
               'practitioner', jsonb_build_object('reference', 'Practitioner/' || r.idnps,
                   'display', concat_ws(' ', r.given, r.family)),
               'organization', CASE WHEN r.organization_id IS NOT NULL THEN jsonb_build_object(
                   'reference', 'Organization/' || r.organization_id,
                   'display', coalesce(r.name, r.sign)) END,
               'code', {
    json_list(
        concept(s.GENRE, "r.genre_code", "r.genre_label"),
        concept(s.MODE, "r.mode_code", "r.mode_label"),
        concept(s.ROLE, "r.role_code", "r.role_label"),
        concept(s.PHARMACIST_SECTION, "r.pharmacist_section_code", "r.pharmacist_section_label"),
    )
},
               'telecom', mb.telecom
           ))::json AS resource,
           jsonb_build_object(
               'id', r.id, 'idnps', r.idnps,
               'profession', {coded("r.profession_code", "r.profession_label")},
               'category', {coded("r.category_code", "r.category_label")},
               'mode', {coded("r.mode_code", "r.mode_label")},
               'role', {coded("r.role_code", "r.role_label")},
               'genre', {coded("r.genre_code", "r.genre_label")},
               'sector', {coded("r.sector_code", "r.sector_label")},
               'pharmacist_section', {
    coded("r.pharmacist_section_code", "r.pharmacist_section_label")
},
               'registration_authority', r.authority,
               'structure', CASE WHEN r.organization_id IS NOT NULL THEN jsonb_build_object(
                   'technical_id', r.structure_id, 'organization_id', r.organization_id,
                   'national_id', r.national_structure_id, 'name', r.name, 'sign', r.sign,
                   'siret', r.siret, 'siren', r.siren, 'finess', r.finess,
                   'legal_entity_finess', r.finess_legal_entity,
                   'address', {_address_document("r")},
                   'phone', r.phone, 'phone2', r.phone2, 'fax', r.fax, 'email', r.email) END,
               'mailboxes', coalesce(mb.documents, '[]')
           ) AS document,
           true AS active
    FROM rpps_role r
    LEFT JOIN rpps_role_mailboxes mb
        ON mb.idnps = r.idnps AND mb.structure = r.national_structure_id"""

# Structures FINESS does not own become organizations of kind RS (FINESS ones stay FINESS's).
STRUCTURES = f"""CREATE UNLOGGED TABLE rpps_structure AS
    SELECT DISTINCT ON (organization_id) *,
           {_street_line("r")} AS street_line, {_city("r")} AS city,
           CASE WHEN finess_legal_entity ~ {FINESS_NUMBER} THEN finess_legal_entity END AS parent
    FROM rpps_role r
    WHERE organization_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM organization o
                      WHERE o.id = r.organization_id AND o.kind <> 'RS')
    ORDER BY organization_id, line"""


def _org_identifier(system: str, value: str, type_code: str) -> str:
    return f"CASE WHEN {value} IS NOT NULL THEN {_identifier(system, value, type_code)} END"


def _telecom(system: str, value: str) -> str:
    return (
        f"CASE WHEN {value} IS NOT NULL THEN jsonb_build_object('system', {quote(system)}, "
        f"'value', {value}, 'use', 'work') END"
    )


ORGANIZATION_BUILT = f"""
    SELECT r.organization_id AS id, 'RS' AS kind, r.parent AS parent_id,
           r.structure_id AS technical_id, coalesce(r.name, r.sign, r.structure_id) AS name,
           r.postal_code, r.department_code AS department, r.commune_code AS commune_insee,
           NULL::text AS category_code, 'A' AS source_status, NULL::date AS closed,
           NULL::double precision AS latitude, NULL::double precision AS longitude,
           jsonb_strip_nulls(jsonb_build_object(
               'resourceType', 'Organization', 'id', r.organization_id,
               'meta', jsonb_build_object('profile', {profiles(ORGANIZATION_PROFILE)}),
               'identifier', {
    json_list(
        _org_identifier(IDNST_SYSTEM, "r.national_structure_id", "IDNST"),
        _org_identifier(FINESS_SYSTEM, "r.finess", "FINEG"),
        _org_identifier(SIRENE_SYSTEM, "r.siret", "SIRET"),
        _org_identifier(SIRENE_SYSTEM, "r.siren", "SIREN"),
    )
},
               'active', true,
               'type', {
    json_list(
        concept(ORGANIZATION_TYPE_SYSTEM, "'GEOGRAPHICAL-ENTITY'", "NULL"),
        concept(s.SECTOR, "r.sector_code", "r.sector_label"),
    )
},
               'name', coalesce(r.name, r.sign, r.structure_id),
               'alias', CASE WHEN r.sign IS NOT NULL AND r.sign IS DISTINCT FROM r.name
                             THEN jsonb_build_array(r.sign) END,
               'telecom', {
    json_list(
        _telecom("phone", "r.phone"),
        _telecom("phone", "r.phone2"),
        _telecom("fax", "r.fax"),
        _telecom("email", "r.email"),
    )
},
               'address', jsonb_build_array(jsonb_build_object(
                   'use', 'work', 'type', 'both',
                   'line', {
    json_list(
        "to_jsonb(r.recipient)",
        "to_jsonb(r.street_line)",
        "to_jsonb(r.locality)",
        "to_jsonb(r.distribution)",
    )
},
                   'postalCode', r.postal_code, 'city', r.city, 'country', r.country_label)),
               'partOf', CASE WHEN r.parent IS NOT NULL
                              THEN jsonb_build_object('reference', 'Organization/' || r.parent) END
           ))::json AS resource,
           jsonb_build_object(
               'finess', CASE WHEN r.finess ~ {FINESS_NUMBER} THEN r.finess END,
               'type', 'rpps_structure', 'rpps_structure_id', r.structure_id,
               'national_id', r.national_structure_id,
               'name', coalesce(r.name, r.sign, r.structure_id), 'alias', r.sign,
               'open', true, 'legal_entity_finess', r.parent, 'siren', r.siren, 'siret', r.siret,
               'sector', {coded("r.sector_code", "r.sector_label")},
               'address', {_address_document("r")}, 'coordinates', NULL,
               'phone', r.phone, 'fax', r.fax, 'email', r.email, 'source', 'RPPS'
           ) AS document,
           array_remove(ARRAY[coalesce(r.name, r.sign, r.structure_id),
                              NULLIF(r.sign, coalesce(r.name, r.sign))], NULL) AS names,
           {normalized("concat_ws(' ', r.name, r.sign)")} AS name_norm,
           {normalized("concat_ws(' ', r.street_line, r.locality, r.city, r.postal_code)")}
               AS address_norm,
           NULLIF({normalized("r.city")}, '') AS city_norm,
           {
    tokens(
        forms(IDNST_SYSTEM, "r.national_structure_id"),
        forms(FINESS_SYSTEM, "r.finess"),
        forms(SIRENE_SYSTEM, "r.siret"),
        forms(SIRENE_SYSTEM, "r.siren"),
    )
}
               AS identifier_tokens,
           {
    tokens(
        *(
            f"CASE WHEN {value} IS NOT NULL THEN {forms(s.IDENTIFIER_TYPE_SYSTEM, quote(code))} END"
            for value, code in (
                ("r.national_structure_id", "IDNST"),
                ("r.finess", "FINEG"),
                ("r.siret", "SIRET"),
                ("r.siren", "SIREN"),
            )
        )
    )
}
               AS identifier_type_tokens,
           {
    tokens(
        forms(ORGANIZATION_TYPE_SYSTEM, "'GEOGRAPHICAL-ENTITY'"), forms(s.SECTOR, "r.sector_code")
    )
}
               AS type_tokens,
           true AS active
    FROM rpps_structure r"""


def staged_practitioners(columns: tuple[str, ...], version: str) -> str:
    return _staged("practitioner", columns, PRACTITIONER_BUILT, version)


def staged_roles(columns: tuple[str, ...], version: str) -> str:
    return _staged("practitioner_role", columns, ROLE_BUILT, version)


def staged_organizations(columns: tuple[str, ...], version: str) -> str:
    return _staged("organization", columns, ORGANIZATION_BUILT, version)
