"""HTTP benchmark of the terminology operations on the production server (granian) under
16 concurrent connections from wrk: $lookup, $validate-code, $expand with a one-word and a
two-word filter over the 40 k-concept code system, $expand of the 2,000-code value set.

Needs the data of load_terminology.py and `wrk` on the PATH.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402

from benchmarks.wrk import benchmark  # noqa: E402
from directory.search.text import words  # noqa: E402


def sample_paths(url: str, rng: random.Random) -> dict[str, list[str]]:
    with psycopg.connect(url) as conn:
        system, resource_id = conn.execute(
            """SELECT url, id FROM terminology_resource WHERE resource_type = 'CodeSystem'
               ORDER BY concept_count DESC NULLS LAST LIMIT 1"""
        ).fetchone()
        value_set = conn.execute(
            """SELECT url FROM terminology_resource WHERE resource_type = 'ValueSet'
               AND resource->'compose'->'include'->0->>'system' = %s""",
            (system,),
        ).fetchone()[0]
        concepts = conn.execute(
            """SELECT code, display FROM terminology_concept WHERE resource_id = %s
               ORDER BY random() LIMIT 5000""",
            (resource_id,),
        ).fetchall()
        members = [
            row[0]
            for row in conn.execute(
                """SELECT jsonb_array_elements(resource->'compose'->'include'->0->'concept')->>'code'
                   FROM terminology_resource WHERE resource_type = 'ValueSet' AND url = %s""",
                (value_set,),
            )
        ]
    s, vs = quote(system, safe=""), quote(value_set, safe="")
    codes = [quote(code, safe="") for code, _ in concepts]
    label_words = [w for _, display in concepts for w in words(display) if len(w) >= 4]
    one = [w[: rng.randint(3, 5)] for w in rng.sample(label_words, 2000)]
    two = [
        f"{a[: rng.randint(3, 6)]} {b[:3]}"
        for a, b in zip(rng.sample(label_words, 2000), rng.sample(label_words, 2000), strict=True)
    ]
    all_codes = quote(f"{system}?vs", safe="")
    expand = f"/fhir/ValueSet/$expand?url={all_codes}&count=20&filter="
    return {
        "CodeSystem/$lookup": [f"/fhir/CodeSystem/$lookup?system={s}&code={c}" for c in codes],
        "CodeSystem/$validate-code": [
            f"/fhir/CodeSystem/$validate-code?url={s}&code={c}" for c in codes
        ],
        "ValueSet/$validate-code (2,000-code set)": [
            f"/fhir/ValueSet/$validate-code?url={vs}&system={s}&code={quote(m, safe='')}"
            for m in rng.sample(members, min(2000, len(members)))
        ],
        "ValueSet/$expand, one-word filter, 40 k concepts": [expand + quote(w) for w in one],
        "ValueSet/$expand, two-word filter, 40 k concepts": [expand + quote(w) for w in two],
        "ValueSet/$expand of the 2,000-code set": [f"/fhir/ValueSet/$expand?url={vs}"],
    }


if __name__ == "__main__":
    benchmark(__doc__, sample_paths)
