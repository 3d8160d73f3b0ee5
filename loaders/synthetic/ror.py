"""A deterministic synthetic ROR national extract, as the NDJSON files of a bulk export.

    generate_ror(out_dir, scale=1.0, seed=42, day=date(2026, 11, 1), gzip_output=False,
                 defect_rate=0.002)

writes, streaming, Organization.ndjson, HealthcareService.ndjson, Location.ndjson,
PractitionerRole.ndjson and Practitioner.ndjson (`.ndjson.gz` with `gzip_output`), one
resource per line, in the shapes of the ROR IG profiles (see ror_resources).

Scale 1 is about the real ROR: 30,000 establishments (EG) with their legal entities (EJ),
55,000 pôles and services (OI), 100,000 locations, 470,000 offers, 380,000 capacity
indicators, 3,000 practitioners with 5,000 roles (about 65 s and 200 MB on one core, 1.9 GB
written; `--gzip` writes 30 times less). Establishments are those of the synthetic FINESS register of
the same seed and scale (`python -m loaders.synthetic.finess`): same FINESS numbers, names,
addresses, geocodes; one in a hundred more is unknown to FINESS. Practitioners are doctors
of the synthetic RPPS extract of the same seed and scale, at the sites the RPPS gives them.

`defect_rate` is the share of capacity indicators written with one of the known defects of
real extracts (domain notes §2.7: a dimension as `valueCode`, `"valueInt": "10"`, the JDV
URL as coding system), so that loads exercise their repairs; 0 writes none. Same arguments,
same bytes.

    python -m loaders.synthetic.ror OUT_DIR [--scale S] [--seed N] [--day D] [--gzip]
                                            [--defect-rate R]
"""

from __future__ import annotations

import argparse
import time
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import orjson

from loaders.synthetic.finess import output_stream
from loaders.synthetic.register import Register
from loaders.synthetic.ror_establishments import Extract
from loaders.synthetic.ror_practitioners import doctors_by_site

DEFAULT_DAY = date(2026, 11, 1)
DEFECT_RATE = 0.002
RESOURCE_TYPES = (
    "Organization",
    "HealthcareService",
    "Location",
    "PractitionerRole",
    "Practitioner",
)
# (doctor, FINESS site) pairs drawn from the RPPS extract: about 3,000 practitioners at scale 1.
DOCTOR_SITES_AT_SCALE_1 = 4000


def generate_ror(
    out_dir: Path,
    *,
    scale: float = 1.0,
    seed: int = 42,
    day: date = DEFAULT_DAY,
    gzip_output: bool = False,
    defect_rate: float = DEFECT_RATE,
) -> list[Path]:
    """Write the synthetic ROR extract of `seed` at `scale` as exported on `day`; the paths."""
    return _generate(out_dir, scale, seed, day, gzip_output, defect_rate)[0]


def _generate(
    out_dir: Path, scale: float, seed: int, day: date, gzip_output: bool, defect_rate: float
) -> tuple[list[Path], dict[str, int]]:
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = ".ndjson.gz" if gzip_output else ".ndjson"
    paths = [out_dir / f"{kind}{suffix}" for kind in RESOURCE_TYPES]
    doctors = doctors_by_site(seed, scale, day, round(DOCTOR_SITES_AT_SCALE_1 * scale))
    register = Register(seed, scale, day)
    with ExitStack() as stack:
        streams = {
            kind: stack.enter_context(output_stream(path, compressed=gzip_output))
            for kind, path in zip(RESOURCE_TYPES, paths, strict=True)
        }

        def write(resource: dict) -> None:
            streams[resource["resourceType"]].write(orjson.dumps(resource) + b"\n")

        extract = Extract(seed, day, defect_rate, write, doctors, register.communes)
        for entity in register.legal_entities():
            extract.entity(entity)
    return paths, dict(extract.counts)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic ROR bulk export (NDJSON).")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--scale", type=float, default=1.0, help="1 ≈ the real ROR")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--day", type=date.fromisoformat, default=DEFAULT_DAY)
    parser.add_argument("--gzip", action="store_true", help="write .ndjson.gz files")
    parser.add_argument(
        "--defect-rate",
        type=float,
        default=DEFECT_RATE,
        help="share of capacity indicators with a known real-world defect (0: none)",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    paths, counts = _generate(
        args.out_dir, args.scale, args.seed, args.day, args.gzip, args.defect_rate
    )
    for path in paths:
        print(f"{path}\t{path.stat().st_size} bytes")
    print("\t".join(f"{kind} {number}" for kind, number in sorted(counts.items())))
    print(f"generated in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
