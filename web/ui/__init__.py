"""Server-rendered web UI: the `ui` blueprint (no url prefix) and its page modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint(
    "ui",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/ui/static",
)

from web.ui import admin as _admin  # noqa: E402,F401
from web.ui import audit as _audit  # noqa: E402,F401
from web.ui import auth as _auth  # noqa: E402,F401
from web.ui import collections as _collections  # noqa: E402,F401
from web.ui import credit_file as _credit_file  # noqa: E402,F401
from web.ui import customers as _customers  # noqa: E402,F401
from web.ui import dashboard as _dashboard  # noqa: E402,F401
from web.ui import designer as _designer  # noqa: E402,F401
from web.ui import inbox as _inbox  # noqa: E402,F401
from web.ui import incidents as _incidents  # noqa: E402,F401
from web.ui import instances as _instances  # noqa: E402,F401
from web.ui import kpis as _kpis  # noqa: E402,F401
from web.ui import monitoring as _monitoring  # noqa: E402,F401
from web.ui import notifications as _notifications  # noqa: E402,F401
from web.ui import tasks as _tasks  # noqa: E402,F401
from web.ui.host import init_ui  # noqa: E402

__all__ = ["bp", "init_ui"]
