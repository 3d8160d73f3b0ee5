"""JSON API under /api/v1 with its OpenAPI document (placeholder until the API lands)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the JSON API blueprints to `app`."""
