"""ROR locations under /api/v1/locations: capacity and the history of its writes. Being written."""

from flask_smorest import Blueprint

blueprint = Blueprint(
    "locations", __name__, url_prefix="/api/v1", description="ROR locations and their capacity."
)
