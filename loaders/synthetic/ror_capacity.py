"""The capacity indicators of a bed-hosting location, in the combinations the ROR holds, and
the known defects of real extracts written into a few of them.

One location holds: the installed capacity; the available capacity now, usually by gender
(01 women, 02 men, 04 undetermined; a few still send the deprecated 03); forecasts at 1 h,
24 h, 48 h or 7 days; closed beds with their closing type; extra beds with their type and the
crisis plan they belong to; occupied and reserved beds; now and then beds set aside for Covid
patients. Figures fed by bed-management software are hours old; hand-typed ones are often
days, sometimes months old (the ROR's freshness rule RE1.2 exists for them).

Defects (domain notes §2.7), one per affected indicator: coded dimensions as `valueCode`,
`nbCapacity` as `"valueInt": "10"`, the JDV value set URL (with its trailing `/`) as the
coding system. The loader repairs the first two and reads the third.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from directory.offers.capacity import capacity_extension
from directory.offers.systems import DIMENSION_BY_URL, NB_CAPACITY, SOURCE_TYPE
from loaders.synthetic.ror_catalogue import CAPACITY_DISPLAYS

DEFECTS = ("value-code", "value-int-string", "value-set-system")
# capacitySourceType (TRE_R335) and its share: manual entry, bed management, GAM, DPI.
_SOURCES = (("01", 40), ("02", 45), ("03", 8), ("04", 7))
_VALUE_SETS = {d.url: d.value_set for d in (*DIMENSION_BY_URL.values(), SOURCE_TYPE)}


def _age(rng: random.Random, source: str) -> timedelta:
    """How long ago a location's figures were updated: feeds hours, hand entry anything."""
    if source != "01":
        return timedelta(minutes=rng.randrange(6 * 60))
    draw = rng.random()
    if draw < 0.6:
        return timedelta(minutes=rng.randrange(48 * 60))
    if draw < 0.85:
        return timedelta(hours=rng.randrange(48, 30 * 24))
    return timedelta(days=rng.randrange(30, 400))  # stale


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` beds shared at random between `parts` genders."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def indicators(rng: random.Random, installed: int, beds: bool, moment: datetime) -> list[dict]:
    """The location_capacity-like rows of one location with `installed` beds (`beds`) or
    places, as of `moment` (timezone-aware)."""
    source = rng.choices([s for s, _ in _SOURCES], [w for _, w in _SOURCES])[0]
    updated = moment - _age(rng, source)
    nature = "01" if beds else "02"
    rows: list[dict] = []

    def add(status: str, nb: int, temporality: str = "01", **codes: str) -> None:
        codes.setdefault("temporary_assignment", "01")
        jitter = timedelta(seconds=rng.randrange(600))
        rows.append(
            {
                "capacity_type": nature,
                "status": status,
                "temporality": temporality,
                **codes,
                "nb": nb,
                "updated_at": updated - jitter,
                "source_type": source,
            }
        )

    add("01", installed)
    closed = rng.randint(1, installed // 3 + 1) if rng.random() < 0.4 else 0
    free = 0 if rng.random() < 0.35 else rng.randint(1, max(1, (installed - closed) // 4))
    draw = rng.random()
    if beds and draw < 0.7:
        for gender, nb in zip(("01", "02", "04"), _split(rng, free, 3), strict=True):
            add("02", nb, gender=gender)
    elif beds and draw < 0.72:  # still the deprecated "indifférencié", as §2.3 shows
        for gender, nb in zip(("02", "01", "03"), _split(rng, free, 3), strict=True):
            add("02", nb, gender=gender)
    elif draw < 0.92:
        add("02", free, gender="04")
    for temporality, share in (("03", 0.45), ("04", 0.2), ("05", 0.08), ("02", 0.08)):
        if rng.random() < share:
            expected = max(0, free + rng.randint(-2, 3))
            if beds and rng.random() < 0.5:
                for gender, nb in zip(("01", "02", "04"), _split(rng, expected, 3), strict=True):
                    add("02", nb, temporality, gender=gender)
            else:
                add("02", expected, temporality, gender="04")
    if closed:
        closing = rng.choices(("01", "02", "03"), (70, 20, 10))[0]
        add("05", closed, closing_type=closing)
    if beds and rng.random() < 0.2:
        crisis = rng.choices(("02", "01"), (70, 30))[0]
        for bed_type in rng.sample(("01", "02", "03"), rng.choice((1, 1, 2))):
            add("06", rng.randint(0, 6), additional_bed_type=bed_type, crisis_type=crisis)
    if rng.random() < 0.35:
        add("03", max(0, installed - closed - free))
    if rng.random() < 0.2:
        add("04", rng.randint(0, 3))
    if beds and rng.random() < 0.02:
        add("02", rng.randint(0, 2), gender="04", temporary_assignment=rng.choice(("02", "03")))
    return rows


def extension(row: dict, rng: random.Random, defect_rate: float) -> dict:
    """The supported-capacity extension of `row`; with `defect_rate`, one known defect."""
    built = capacity_extension(row, CAPACITY_DISPLAYS)
    if defect_rate and rng.random() < defect_rate:
        _spoil(built, rng.choice(DEFECTS))
    return built


def _spoil(built: dict, defect: str) -> None:
    parts = built["extension"]
    for index, part in enumerate(parts):
        if defect == "value-int-string" and part["url"] == NB_CAPACITY:
            parts[index] = {"url": NB_CAPACITY, "valueInt": str(part["valueInteger"])}
        elif "valueCodeableConcept" in part:
            coding = part["valueCodeableConcept"]["coding"][0]
            if defect == "value-code":
                parts[index] = {"url": part["url"], "valueCode": coding["code"]}
            elif defect == "value-set-system":
                coding["system"] = _VALUE_SETS[part["url"]] + "/"
