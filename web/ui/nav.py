"""Navigation shown on every page: the user, role-aware links and inbox counts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from engine.inbox import OPEN_STATES, visible_filter
from engine.models import HumanTask
from web.extensions import db
from web.ui.access import page_user

COUNT_CAP = 999
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


def inbox_counts(username: str, groups: set[str]) -> dict[str, int]:
    """Open tasks assigned to the user and unclaimed tasks offered to the user's groups."""
    mine = _capped(
        sa.select(HumanTask.id).where(
            HumanTask.assignee == username, HumanTask.status.in_(OPEN_STATES)
        )
    )
    offered = _capped(
        sa.select(HumanTask.id).where(
            HumanTask.assignee.is_(None), visible_filter(username, groups)
        )
    )
    return {"mine": mine, "groups": offered}


def _capped(query: sa.Select) -> int:
    """Count up to COUNT_CAP rows (the badge shows "999+" beyond), cheap on huge inboxes."""
    limited = query.limit(COUNT_CAP + 1).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(limited)) or 0


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
            **inbox_counts(user.username, groups),
            "incidents": incident_count() if groups & {"process_designer", "admin"} else 0,
        },
        "unread": unread_count(user.username),
    }


def incident_count() -> int:
    """Instances in error (the Incidents link's badge), capped like the inbox."""
    from engine.models import InstanceStatus, ProcessInstance

    return _capped(
        sa.select(ProcessInstance.id).where(ProcessInstance.status == InstanceStatus.ERROR.value)
    )


def unread_count(username: str) -> int:
    """Unread in-app notifications of the user (the bell's badge), capped like the inbox."""
    from notifications.models import Channel, Notification, NotificationStatus

    return _capped(
        sa.select(Notification.id).where(
            Notification.recipient == username,
            Notification.channel == Channel.INAPP.value,
            Notification.status == NotificationStatus.SENT.value,
        )
    )
