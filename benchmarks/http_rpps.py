"""HTTP benchmark of the RPPS resources: the production server (granian) under 16 concurrent
connections from wrk.

Scenarios: Practitioner by RPPS identifier, family + given (prefixes), two name:contains
terms, PractitionerRole by chained organization.identifier. Needs the data of load_rpps.py
and `wrk` on the PATH (Debian package wrk).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from benchmarks.wrk import benchmark  # noqa: E402

FINESS = "https://finess.esante.gouv.fr"


def _middle(word: str, rng: random.Random) -> str:
    """A 3 to 5 letter piece from inside a name, as a user types a part they remember."""
    size = min(len(word), rng.randint(3, 5))
    start = rng.randint(0, len(word) - size)
    return word[start : start + size]


def sample_paths(url: str, rng: random.Random) -> dict[str, list[str]]:
    with psycopg.connect(url) as conn:
        people = conn.execute(
            "SELECT identifier, family_norm, given_norm FROM practitioner TABLESAMPLE SYSTEM (1) "
            "WHERE id_type = '8' AND active LIMIT 5000"
        ).fetchall()
        finess = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT organization_id FROM practitioner_role TABLESAMPLE SYSTEM (5) "
                "WHERE organization_id ~ '^[0-9][0-9AB][0-9]{7}$' LIMIT 3000"
            )
        ]
    rng.shuffle(people)
    by_rpps = [f"/fhir/Practitioner?identifier={rpps}" for rpps, _, _ in people]
    family_given = [
        f"/fhir/Practitioner?family={quote(family[: rng.randint(3, 6)])}"
        f"&given={quote(given[: rng.randint(2, 4)])}"
        for _, family, given in people
        if family and given
    ]
    contains = [
        f"/fhir/Practitioner?name:contains={quote(_middle(family.replace(' ', ''), rng))}"
        f"&name:contains={quote(_middle(given.replace(' ', ''), rng))}"
        for _, family, given in people
        if len(family) >= 3 and len(given) >= 3
    ]
    roles = [
        f"/fhir/PractitionerRole?organization.identifier={quote(FINESS + '|' + number)}"
        for number in finess
    ]
    return {
        "Practitioner by RPPS identifier": by_rpps,
        "Practitioner read by id": [f"/fhir/Practitioner/8{rpps}" for rpps, _, _ in people],
        "family + given prefixes": family_given,
        "two name:contains terms": contains,
        "PractitionerRole by organization.identifier (FINESS)": roles,
        "PractitionerRole by organization.identifier, _include=*": [
            f"{p}&_include=*" for p in roles
        ],
    }


if __name__ == "__main__":
    benchmark(__doc__, sample_paths, ("practitioner", "practitioner_role"))
