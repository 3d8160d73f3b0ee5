"""A deterministic synthetic FINESS register, written in the real file formats.

    generate_finess(out_dir, scale=1.0, seed=42, day=date(2026, 11, 1))

writes, streaming, one register in four files:
- finess-structures-journalier-YYYYMMDD.json.gz: FINESS+ structures flux (gcc, gco, pmej/ege);
- finess-activites-journalier-YYYYMMDD.json.gz: FINESS+ activities flux;
- etalab-cs1100501-stock-YYYYMMDD-0339.csv: legacy legal entities extract (open ones);
- etalab-cs1100507-stock-YYYYMMDD-0343.csv: legacy establishments + coordinates (open ones).
Scale 1 is about the real register: 100,000 legal entities, 175,000 establishments, ~10 %
of them closed. Same arguments, same bytes.

The demo data in demo/ is `python -m loaders.synthetic.finess demo --scale 0.01 --seed 7
--gzip-csv`.
"""

from __future__ import annotations

import argparse
import gzip
import io
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import BinaryIO

from loaders.synthetic.activities import ActivitiesFlux
from loaders.synthetic.etalab import EtalabExtracts
from loaders.synthetic.register import Register
from loaders.synthetic.structures import StructuresFlux

DEFAULT_DAY = date(2026, 11, 1)


@contextmanager
def output_stream(path: Path, compressed: bool) -> Iterator[BinaryIO]:
    """A binary stream to `path`, renamed into place only once complete."""
    partial = path.with_name(path.name + ".part")
    try:
        with open(partial, "wb") as raw:
            if compressed:
                # No file name and a zero mtime in the gzip header: same inputs, same bytes.
                with gzip.GzipFile(
                    filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6
                ) as stream:
                    yield stream
            else:
                yield raw
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)


def _file_names(day: date, gzip_csv: bool) -> list[str]:
    stamp = f"{day:%Y%m%d}"
    csv_suffix = ".csv.gz" if gzip_csv else ".csv"
    return [
        f"finess-structures-journalier-{stamp}.json.gz",
        f"finess-activites-journalier-{stamp}.json.gz",
        f"etalab-cs1100501-stock-{stamp}-0339{csv_suffix}",
        f"etalab-cs1100507-stock-{stamp}-0343{csv_suffix}",
    ]


def generate_finess(
    out_dir: Path,
    *,
    scale: float = 1.0,
    seed: int = 42,
    day: date = DEFAULT_DAY,
    gzip_csv: bool = False,
) -> list[Path]:
    """Write the synthetic register of `seed` at `scale` as published on `day`; the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / name for name in _file_names(day, gzip_csv)]
    register = Register(seed, scale, day)
    ghts, cooperations = register.groups()
    with ExitStack() as stack:
        structures_stream, activities_stream, *csv_streams = (
            stack.enter_context(output_stream(path, compressed=path.suffix == ".gz"))
            for path in paths
        )
        entities_text, establishments_text = (
            stack.enter_context(io.TextIOWrapper(stream, encoding="utf-8", newline=""))
            for stream in csv_streams
        )
        structures = StructuresFlux(structures_stream, register.generated_at, ghts, cooperations)
        activities = ActivitiesFlux(activities_stream, register.generated_at)
        spool = stack.enter_context(
            tempfile.TemporaryFile("w+", encoding="utf-8", newline="", dir=out_dir)
        )
        etalab = EtalabExtracts(entities_text, establishments_text, spool, day)
        for entity in register.legal_entities():
            structures.write(entity)
            activities.write(entity)
            etalab.write(entity)
        structures.close()
        activities.close()
        etalab.close()
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic FINESS register.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--scale", type=float, default=1.0, help="1 ≈ the real register")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--day", type=date.fromisoformat, default=DEFAULT_DAY)
    parser.add_argument("--gzip-csv", action="store_true", help="gzip the legacy CSV too")
    args = parser.parse_args(argv)
    for path in generate_finess(
        args.out_dir, scale=args.scale, seed=args.seed, day=args.day, gzip_csv=args.gzip_csv
    ):
        print(f"{path}\t{path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
