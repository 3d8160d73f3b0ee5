"""Deterministic synthetic terminologies, written in the real NOS and FHIR formats.

    generate_terminology(out_dir, scale=1.0, seed=42)

writes and yields:
- nos-synthetique.zip: a whole-NOS-like ZIP (about 300 TRE, 250 JDV and 50 ASS at scale 1),
  one folder per NOS as ANS's create_zip_nos.py lays it out: `<folder>.tabs`, `<folder>.xml`
  (SVS), `<folder>.url`, `FHIR/<TRE-R38-Name>/<folder>-FHIR.json`;
- cim-synthetique-codesystem.json: a hierarchical FHIR CodeSystem of 40,000 concepts at scale 1;
- cim-synthetique-valueset-2000.json: an extensional ValueSet of 2,000 of its codes.
Same arguments, same bytes: no clock, sorted ZIP entries with a fixed date.
"""

from __future__ import annotations

import argparse
import random
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import orjson

from loaders.synthetic.terminology_cim import draw_cim, value_set, write_code_system
from loaders.synthetic.terminology_fhir import resource
from loaders.synthetic.terminology_model import Entry
from loaders.synthetic.terminology_nos import RELEASE, draw_catalogue
from loaders.synthetic.terminology_svs import svs
from loaders.synthetic.terminology_tabs import tabs

NOS_ZIP = "nos-synthetique.zip"
CIM_CODE_SYSTEM = "cim-synthetique-codesystem.json"
CIM_VALUE_SET = "cim-synthetique-valueset-2000.json"


@contextmanager
def _output(path: Path) -> Iterator[BinaryIO]:
    """A binary stream to `path`, renamed into place only once complete."""
    partial = path.with_name(path.name + ".part")
    try:
        with open(partial, "wb") as stream:
            yield stream
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)


def nos_files(entry: Entry) -> dict[str, bytes]:
    """The files of one NOS folder, by their path in the ZIP."""
    nos = entry.nos
    base = f"{nos.folder}/{nos.folder}"
    fhir = orjson.dumps(resource(entry), option=orjson.OPT_INDENT_2) + b"\n"
    # create_zip_nos.py writes the shortcut with CRLF line ends and no final one.
    shortcut = f"[InternetShortcut]\r\nURL={nos.page_url}".encode()
    return {
        f"{nos.folder}/FHIR/{nos.fhir_folder}/{nos.folder}-FHIR.json": fhir,
        f"{base}.tabs": tabs(entry),
        f"{base}.url": shortcut,
        f"{base}.xml": svs(entry),
    }


def _write_zip(stream: BinaryIO, entries: list[Entry]) -> None:
    stamp = RELEASE.timetuple()[:6]
    with zipfile.ZipFile(stream, "w") as archive:
        # Folders come sorted (Catalogue.entries), so the whole ZIP is in path order.
        for entry in entries:
            for name, data in sorted(nos_files(entry).items()):
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o100644 << 16
                archive.writestr(info, data, compresslevel=6)


def generate_terminology(out_dir: Path, *, scale: float = 1.0, seed: int = 42) -> Iterator[Path]:
    """Write the synthetic terminologies of `seed` at `scale`, yielding each file written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    # One generator per file, so that each file depends only on (scale, seed).
    catalogue = draw_catalogue(random.Random(f"{seed}:nos"), scale)
    with _output(out_dir / NOS_ZIP) as stream:
        _write_zip(stream, catalogue.entries())
    yield out_dir / NOS_ZIP
    rng = random.Random(f"{seed}:cim")
    cim = draw_cim(rng, scale)
    with _output(out_dir / CIM_CODE_SYSTEM) as stream:
        write_code_system(stream, cim)
    yield out_dir / CIM_CODE_SYSTEM
    with _output(out_dir / CIM_VALUE_SET) as stream:
        stream.write(orjson.dumps(value_set(cim, rng, scale), option=orjson.OPT_INDENT_2) + b"\n")
    yield out_dir / CIM_VALUE_SET


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write synthetic NOS and CIM terminologies.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--scale", type=float, default=1.0, help="1 ≈ the whole NOS")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    for path in generate_terminology(args.out_dir, scale=args.scale, seed=args.seed):
        print(f"{path}\t{path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
