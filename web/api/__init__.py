"""REST API v1 blueprint; each module registers the routes of one area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from web.api import auth as _auth  # noqa: E402,F401
