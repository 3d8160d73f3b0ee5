"""A deterministic synthetic RPPS extract, written in the public `PS_LibreAcces` format.

    generate_rpps(out_dir, scale=1.0, seed=42, day=date(2026, 11, 1), zip_extract=False)

writes, streaming, with the stamp `aaaammjj0200` of `day`:
- PS_LibreAcces_Personne_activite_<stamp>.txt: one line per activity (56 columns);
- PS_LibreAcces_Dipl_AutExerc_<stamp>.txt: diplomas and authorisations to practise;
- PS_LibreAcces_SavoirFaire_<stamp>.txt: every savoir-faire, once;
- Extraction_Correspondance_MSSante_<stamp>.txt: MSSanté mailboxes (PER, CAB, ORG).
With `zip_extract`, the first three go into PS_LibreAcces_<stamp>.zip, as ANS publishes them.
Scale 1 is about the real extract: 1.9 M persons, 2.2 M activity lines, 2.1 M diplomas,
400 k savoir-faire. Hospitals and other FINESS sites are those of the synthetic FINESS
register of the same seed and scale (`python -m loaders.synthetic.finess`). Same arguments,
same bytes.

    python -m loaders.synthetic.rpps OUT_DIR [--scale S] [--seed N] [--day D] [--zip]
"""

from __future__ import annotations

import argparse
import shutil
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import TextIO

from loaders.synthetic.rpps_files import (
    ACTIVITY_COLUMNS,
    DIPLOMA_COLUMNS,
    MAILBOX_COLUMNS,
    SAVOIR_FAIRE_COLUMNS,
    activity_lines,
    diploma_lines,
    line,
    savoir_faire_lines,
)
from loaders.synthetic.rpps_mailboxes import Mailboxes
from loaders.synthetic.rpps_people import People
from loaders.synthetic.rpps_structures import Structures

DEFAULT_DAY = date(2026, 11, 1)
EXTRACTION_HOUR = "0200"
BUFFER = 1 << 20


def stamp(day: date) -> str:
    """The `aaaammjjhhmm` stamp of the file names: fixed hour, never the clock."""
    return f"{day:%Y%m%d}{EXTRACTION_HOUR}"


@contextmanager
def _output(path: Path) -> Iterator[TextIO]:
    """A UTF-8 text stream (no BOM, `\\n` line ends) to `path`, renamed into place once
    complete."""
    partial = path.with_name(path.name + ".part")
    try:
        with open(partial, "w", encoding="utf-8", newline="", buffering=BUFFER) as stream:
            yield stream
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)


def _zip(paths: list[Path], target: Path, day: date) -> None:
    """`paths` into the zip `target`, with fixed entry dates: same files, same bytes."""
    partial = target.with_name(target.name + ".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            entry = zipfile.ZipInfo(path.name, date_time=(day.year, day.month, day.day, 2, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            large = path.stat().st_size >= zipfile.ZIP64_LIMIT
            with open(path, "rb") as source, archive.open(entry, "w", force_zip64=large) as sink:
                shutil.copyfileobj(source, sink, BUFFER)
    partial.replace(target)
    for path in paths:
        path.unlink()


def generate_rpps(
    out_dir: Path,
    *,
    scale: float = 1.0,
    seed: int = 42,
    day: date = DEFAULT_DAY,
    zip_extract: bool = False,
) -> list[Path]:
    """Write the synthetic extract of `seed` at `scale` as published on `day`; the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    when = stamp(day)
    names = ("Personne_activite", "Dipl_AutExerc", "SavoirFaire")
    extract = [out_dir / f"PS_LibreAcces_{name}_{when}.txt" for name in names]
    mailbox_path = out_dir / f"Extraction_Correspondance_MSSante_{when}.txt"
    structures = Structures(seed, scale, day)
    people = People(seed, scale, structures)
    mailboxes = Mailboxes(seed)
    with ExitStack() as stack:
        activities, diplomas, savoir_faire, mailbox_file = (
            stack.enter_context(_output(path)) for path in (*extract, mailbox_path)
        )
        activities.write(line(ACTIVITY_COLUMNS))
        diplomas.write(line(DIPLOMA_COLUMNS))
        savoir_faire.write(line(SAVOIR_FAIRE_COLUMNS))
        mailbox_file.write(line(MAILBOX_COLUMNS))
        for person in people:
            activities.write(activity_lines(person))
            diplomas.write(diploma_lines(person))
            savoir_faire.write(savoir_faire_lines(person))
            for row in mailboxes.for_person(person):
                mailbox_file.write(line(row))
        for row in mailboxes.for_sites(structures.finess_sites):
            mailbox_file.write(line(row))
    if zip_extract:
        archive = out_dir / f"PS_LibreAcces_{when}.zip"
        _zip(extract, archive, day)
        return [archive, mailbox_path]
    return [*extract, mailbox_path]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a synthetic RPPS public extract.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--scale", type=float, default=1.0, help="1 ≈ the real extract")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--day", type=date.fromisoformat, default=DEFAULT_DAY)
    parser.add_argument(
        "--zip", action="store_true", help="the three PS_LibreAcces files in one zip"
    )
    args = parser.parse_args(argv)
    for path in generate_rpps(
        args.out_dir, scale=args.scale, seed=args.seed, day=args.day, zip_extract=args.zip
    ):
        print(f"{path}\t{path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
