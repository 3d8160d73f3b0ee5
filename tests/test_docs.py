"""The README documents every setting, command and FHIR search parameter the code declares."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from annuaire.settings import documented_settings
from api.cli import main
from directory.offers.fhir_search import LOCATION_PARAMS, SERVICE_PARAMS
from directory.organizations.fhir_search import ORGANIZATION_PARAMS
from directory.practitioners.fhir_search import PRACTITIONER_PARAMS, ROLE_PARAMS
from terminology.search import SEARCH_PARAMS

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def section(heading: str) -> str:
    """The README text under a `### heading`, up to the next heading."""
    match = re.search(rf"^### {re.escape(heading)}\n(.*?)(?=^#)", README, re.M | re.S)
    assert match, f"README has no section {heading!r}"
    return match[1]


def test_every_setting_is_documented() -> None:
    missing = [name for name, _, _ in documented_settings() if f"`{name}`" not in README]
    assert not missing


def test_every_command_is_documented() -> None:
    missing = [name for name in main.commands if f"`annuaire {name}" not in README]
    assert not missing


@pytest.mark.parametrize(
    ("heading", "params"),
    [
        ("Organization", ORGANIZATION_PARAMS),
        ("Practitioner", PRACTITIONER_PARAMS),
        ("PractitionerRole", ROLE_PARAMS),
        ("Location", LOCATION_PARAMS),
        # The chained location.{name} are documented together, as Location's.
        ("HealthcareService", {n: p for n, p in SERVICE_PARAMS.items() if "." not in n}),
        (
            "CodeSystem, ValueSet, ConceptMap",
            {name: p for params in SEARCH_PARAMS.values() for name, p in params.items()},
        ),
    ],
)
def test_every_fhir_search_parameter_is_documented(heading: str, params: dict) -> None:
    text = section(heading)
    missing = [name for name in params if f"| `{name}` |" not in text]
    assert not missing
