"""Navigation shown on every page: the user, role-aware links and inbox counts."""

from __future__ import annotations

from typing import Any

from engine.incidents import count_incidents
from engine.worklist import COUNT_CAP, worklist_counts
from notifications.feed import unread_count
from web.extensions import db
from web.ui.access import page_user

LINKS = [
    ("ui.dashboard", "Dashboard", None),
    ("ui.inbox", "Inbox", None),
    (
        "ui.customers",
        "Customers",
        {
            "sales",
            "credit_analyst",
            "credit_manager",
            "finance_director",
            "general_manager",
            "collector",
            "legal",
            "admin",
            "auditor",
        },
    ),
    ("ui.new_application", "New application", {"sales", "credit_analyst"}),
    (
        "ui.collections",
        "Collections",
        {
            "collector",
            "credit_manager",
            "legal",
            "finance_director",
            "general_manager",
            "auditor",
            "admin",
        },
    ),
    (
        "ui.warnings_board",
        "Warnings",
        {"credit_manager", "finance_director", "general_manager", "auditor", "admin", "sales"},
    ),
    (
        "ui.kpis",
        "KPIs",
        {"credit_manager", "finance_director", "general_manager", "auditor", "admin"},
    ),
    ("ui.designer", "Designer", {"process_designer", "admin"}),
    ("ui.incidents", "Incidents", {"process_designer", "admin"}),
    ("ui.audit", "Audit", {"auditor", "admin"}),
    ("ui.admin", "Admin", {"admin"}),
]


def nav_context() -> dict[str, Any]:
    """Template values of the navigation bar."""
    user = page_user()
    if user is None:
        return {"me": None, "nav": [], "counts": {}, "me_in": lambda *names: False}
    groups = user.group_names
    links = [
        (endpoint, label)
        for endpoint, label, allowed in LINKS
        if allowed is None or groups & allowed
    ]
    return {
        "me": user,
        "my_groups": sorted(groups),
        "nav": links,
        "me_in": lambda *names: bool(groups & set(names)),
        "counts": {
            **worklist_counts(db.session, user.username, groups),
            "incidents": min(count_incidents(db.session), COUNT_CAP + 1)
            if groups & {"process_designer", "admin"}
            else 0,
        },
        "unread": unread_count(db.session, user.username, COUNT_CAP),
    }
