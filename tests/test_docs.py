"""The README documents every setting, command and FHIR search parameter the code declares."""

from __future__ import annotations

from pathlib import Path

from annuaire.settings import documented_settings
from api.cli import main
from directory.organizations.fhir_search import ORGANIZATION_PARAMS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_every_setting_is_documented() -> None:
    missing = [name for name, _, _ in documented_settings() if f"`{name}`" not in README]
    assert not missing


def test_every_command_is_documented() -> None:
    missing = [name for name in main.commands if f"`annuaire {name}" not in README]
    assert not missing


def test_every_fhir_search_parameter_is_documented() -> None:
    missing = [name for name in ORGANIZATION_PARAMS if f"| `{name}` |" not in README]
    assert not missing
