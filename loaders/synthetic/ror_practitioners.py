"""The doctors the synthetic ROR names: persons of the synthetic RPPS extract of the same
seed and scale who work at a FINESS site, drawn again through loaders.synthetic.rpps_people
without writing the extract. Their IDNPS, names and specialty are those of the RPPS files,
and their ROR roles are at the establishments where the RPPS says they work."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from loaders.synthetic.rpps_people import People
from loaders.synthetic.rpps_structures import Structures

DOCTOR = "10"  # TRE_G15 Médecin


@dataclass(frozen=True)
class Doctor:
    idnps: str  # 8 + RPPS number
    family: str
    given: str
    specialty: tuple[str, str] | None  # TRE_R38 code and label


def doctors_by_site(seed: int, scale: float, day: date, wanted: int) -> dict[str, list[Doctor]]:
    """FINESS site number → doctors working there, from the first persons of the RPPS
    extract until `wanted` (doctor, site) pairs are found or the persons run out."""
    found: dict[str, list[Doctor]] = defaultdict(list)
    if wanted <= 0:
        return found
    pairs = 0
    for person in People(seed, scale, Structures(seed, scale, day)):
        if person.id_type != "8":
            continue
        for exercice in person.exercices:
            if exercice.profession.code != DOCTOR:
                continue
            specialty = exercice.specialty
            doctor = Doctor(
                person.idnps,
                person.family,
                person.given,
                (specialty.code, specialty.label) if specialty else None,
            )
            for activity in exercice.activities:
                structure = activity.structure
                if structure and structure.national_id.startswith("1"):  # 1 + FINESS
                    found[structure.national_id[1:]].append(doctor)
                    pairs += 1
        if pairs >= wanted:
            break
    return found
