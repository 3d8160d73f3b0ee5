"""Every loadable source by name: `annuaire load <source> PATH` and the scheduler use this."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from loaders.finess import open_finess
from loaders.pipeline import SourceFile
from loaders.ror import open_ror
from loaders.rpps import open_rpps
from loaders.terminology import open_terminology

SOURCES: dict[str, Callable[[Path], SourceFile]] = {
    "finess": open_finess,
    "rpps": open_rpps,
    "ror": open_ror,
    "terminology": open_terminology,
}
