"""Dashboard per role: approvals waiting and overdue, applications by status, grades, SLA."""

from __future__ import annotations

from flask import render_template

from credit.dashboard_figures import portfolio, task_counts
from engine.calendar import coverage
from engine.incidents import count_incidents
from web.extensions import db
from web.runtime_access import runtime
from web.ui import bp
from web.ui.access import page, page_user
from web.ui.i18n import gettext

OVERSEERS = {"admin", "auditor"}


@bp.get("/dashboard")
@page()
def dashboard():
    """KPIs and charts for the signed-in user's role."""
    user = page_user()
    everyone = bool(user.group_names & OVERSEERS)
    tasks = task_counts(
        db.session, user.username, user.group_names, everyone, runtime().clock.now()
    )
    cases = portfolio(db.session)
    waiting, overdue = tasks.waiting, tasks.overdue
    stats = {
        "waiting": sum(waiting.values()),
        "overdue": sum(overdue.values()),
        "escalated": sum(tasks.escalated.values()),
        "applications": cases.applications,
    }
    charts = {
        "tasks": {
            "labels": sorted(waiting),
            "waiting": [waiting[k] for k in sorted(waiting)],
            "overdue": [overdue.get(k, 0) for k in sorted(waiting)],
        },
        "status": {gettext(k): n for k, n in cases.by_status.items()},
        "grades": dict(sorted(cases.by_grade.items())),
        "sla": {
            "overdue": stats["overdue"],
            "escalated": stats["escalated"],
            "on_time": max(stats["waiting"] - stats["overdue"], 0),
        },
    }
    operator = bool(user.group_names & {"process_designer", "admin"})
    stats["incidents"] = count_incidents(db.session) if operator else None
    calendar = (
        coverage(db.session, runtime().clock.today()) if "admin" in user.group_names else None
    )
    return render_template(
        "dashboard.html",
        stats=stats,
        charts=charts,
        calendar=calendar if calendar and calendar.warning else None,
        warnings=_warning_counts(user),
    )


def _warning_counts(user) -> dict[str, int] | None:
    """Customers per warning level for those who read the board (sales: their own)."""
    from credit.warning_views import level_counts
    from web.api.monitoring import BOARD_READERS

    if user.group_names & set(BOARD_READERS):
        return level_counts(db.session)
    if "sales" in user.group_names:
        return level_counts(db.session, sales_rep=user.username)
    return None
