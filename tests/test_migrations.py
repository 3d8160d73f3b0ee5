"""The ORM models and the Alembic migrations describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

import directory.access.models  # noqa: F401  (registers the tables)
import directory.export.models  # noqa: F401
import directory.offers.models  # noqa: F401
import directory.organizations.models  # noqa: F401
import directory.practitioners.models  # noqa: F401
import terminology.models  # noqa: F401
from annuaire.db import Base


def test_models_match_migrations(engine: Engine) -> None:
    def modelled(name: str | None, type_: str, parent_names: dict) -> bool:
        # Run records are written with plain SQL (loaders/runs.py) and have no model.
        if type_ == "schema":
            return True
        table = name if type_ == "table" else parent_names.get("table_name")
        return table in Base.metadata.tables

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": modelled})
        assert compare_metadata(context, Base.metadata) == []
