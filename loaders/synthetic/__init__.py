"""Deterministic synthetic data in the formats of the real sources (demos, tests, benchmarks)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path

# source name → "module:function"; imported on demand (each generator pulls in its own data).
_GENERATORS = {
    "finess": "loaders.synthetic.finess:generate_finess",
    "rpps": "loaders.synthetic.rpps:generate_rpps",
    "ror": "loaders.synthetic.ror:generate_ror",
    "terminology": "loaders.synthetic.terminology:generate_terminology",
}


def generator(source: str) -> Callable[..., Iterable[Path]]:
    """The generator of `source`: called as (out_dir, scale=…, seed=…), yields written files."""
    module, function = _GENERATORS[source].split(":")
    return getattr(import_module(module), function)
