"""SAS search of care offers under /api/v1/offers. Being written."""

from flask_smorest import Blueprint

blueprint = Blueprint("offers", __name__, url_prefix="/api/v1", description="ROR care offers.")
