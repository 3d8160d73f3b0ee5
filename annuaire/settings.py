"""Every ANNUAIRE_* environment variable, declared once with its default and help text."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def _setting(default: str | None, help: str) -> object:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Configuration read from the environment once; nothing else reads `os.environ`."""

    database_url: str | None = _setting(
        None,
        "PostgreSQL URL (postgresql://user:pass@host/db). Unset: an embedded PostgreSQL is "
        "started with its data under ANNUAIRE_HOME/pgdata.",
    )
    home: str = _setting("./var", "Folder for the embedded database and downloaded files.")
    embedded_shared_buffers: str = _setting(
        "auto",
        "Memory of the embedded PostgreSQL's page cache (shared_buffers: 512MB, 4GB…). auto: "
        "a quarter of the machine's memory, at most 8GB. A change restarts the embedded server "
        "at the next start of a command. Ignored with ANNUAIRE_DATABASE_URL.",
    )
    elasticsearch_url: str | None = _setting(
        None, "Elasticsearch URL for the optional search backend (unused until configured)."
    )
    statement_timeout_ms: str = _setting(
        "5000", "Time limit of one read query, in milliseconds (read sessions only)."
    )
    removal_threshold: str = _setting(
        "0.05",
        "Share of present records a full snapshot may remove before the load is refused "
        "(overridden by --force).",
    )
    history_days: str = _setting(
        "365",
        "How many days records removed from a source stay as tombstones (active=false), so "
        "that _lastUpdated delta clients see deletions.",
    )
    public_base_url: str | None = _setting(
        None, "Base URL written in FHIR links (fullUrl, next). Unset: taken from the request."
    )
    pool_size: str = _setting("4", "Database connections kept per server process.")
    terminology_refresh_seconds: str = _setting(
        "1",
        "How often a server process checks whether a load changed the terminologies it holds "
        "in memory (0: on every request). A load shows within this delay.",
    )
    sources: str | None = _setting(
        None,
        "Sources file (TOML): each source to fetch and load on a schedule, see "
        "sources.example.toml. Unset: nothing is scheduled.",
    )
    sas_radii: str | None = _setting(
        None,
        "CSV of the default SAS search radius per département (columns code, "
        "cityDefaultRadius, enlargementValue, as the SAS table SAS_Rayons_zones_de_recherche), "
        "read once at start. Unset, or a département not listed: 20 km, growing by 10 km.",
    )
    capacity_stale_after: str = _setting(
        "24h",
        "Age beyond which a bed figure is flagged `stale` in the SAS search (36h, 90m, 2d…).",
    )
    export_part_size: str = _setting(
        "50000",
        "Most resources in one file of a FHIR bulk export ($export): each file is one short "
        "download, well within the server's worker timeout, and files download in parallel.",
    )
    export_expiry: str = _setting(
        "24h",
        "How long a FHIR bulk export ($export) stays downloadable after its kick-off (36h, "
        "90m, 2d…); then its status and files answer 404.",
    )
    serve_schedule: str = _setting(
        "true",
        "Whether `annuaire serve` runs the schedule of ANNUAIRE_SOURCES itself (in one "
        "process beside its workers); false when a separate `annuaire schedule` runs it.",
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = env.get(f"ANNUAIRE_{f.name.upper()}")
            if raw not in (None, ""):
                values[f.name] = raw
        return cls(**values)

    def parsed(self, name: str, parse: Callable[[str], T]) -> T:
        """The setting `name` read by `parse`; a bad value is a ValueError that names its
        variable, for the server to stop with at start-up."""
        try:
            return parse(getattr(self, name))
        except ValueError as exc:
            raise ValueError(f"ANNUAIRE_{name.upper()}: {exc}") from None

    @property
    def home_path(self) -> Path:
        return Path(self.home).expanduser().resolve()


def documented_settings() -> list[tuple[str, str | None, str]]:
    """(variable name, default, help) for every setting, for docs and `annuaire config`."""
    return [(f"ANNUAIRE_{f.name.upper()}", f.default, f.metadata["help"]) for f in fields(Settings)]
