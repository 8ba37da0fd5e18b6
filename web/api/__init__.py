"""REST API v1 blueprint; each module registers the routes of one area."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from web.api import admin as _admin  # noqa: E402,F401
from web.api import applications as _applications  # noqa: E402,F401
from web.api import audit as _audit  # noqa: E402,F401
from web.api import auth as _auth  # noqa: E402,F401
from web.api import calendar as _calendar  # noqa: E402,F401
from web.api import collections as _collections  # noqa: E402,F401
from web.api import credit_checks as _credit_checks  # noqa: E402,F401
from web.api import customers as _customers  # noqa: E402,F401
from web.api import documents as _documents  # noqa: E402,F401
from web.api import incidents as _incidents  # noqa: E402,F401
from web.api import instances as _instances  # noqa: E402,F401
from web.api import models as _models  # noqa: E402,F401
from web.api import monitoring as _monitoring  # noqa: E402,F401
from web.api import notifications as _notifications  # noqa: E402,F401
from web.api import openapi as _openapi  # noqa: E402,F401
from web.api import people as _people  # noqa: E402,F401
from web.api import receivables as _receivables  # noqa: E402,F401
from web.api import tasks as _tasks  # noqa: E402,F401
