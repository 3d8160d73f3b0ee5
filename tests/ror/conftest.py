"""Fixtures shared by the ROR FHIR tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from tests.ror.test_ror_loader import load_all


@pytest.fixture
def loaded(load: Callable, client: FlaskClient) -> FlaskClient:
    """FINESS, RPPS, then the ROR extract (7 locations, 10 offers, 20 indicators, 2
    practitioner roles), served by `client`."""
    load_all(load)
    return client
