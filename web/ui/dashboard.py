"""Dashboard per role: approvals waiting and overdue, applications by status, grades, SLA."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template

from credit.models import CreditApplication, Customer
from engine.calendar import coverage
from engine.clock import to_db
from engine.inbox import OPEN_STATES, visible_filter
from engine.incidents import count_incidents
from engine.models import HumanTask
from web.extensions import db
from web.runtime_access import runtime
from web.ui import bp
from web.ui.access import page, page_user
from web.ui.i18n import gettext

OVERSEERS = {"admin", "auditor"}


def _grouped(column, *where) -> dict[str, int]:
    rows = db.session.execute(sa.select(column, sa.func.count()).where(*where).group_by(column))
    return {str(key if key is not None else "—"): count for key, count in rows}


@bp.get("/dashboard")
@page()
def dashboard():
    """KPIs and charts for the signed-in user's role."""
    user = page_user()
    now = to_db(runtime().clock.now())
    open_tasks = [HumanTask.status.in_(OPEN_STATES)]
    if not user.group_names & OVERSEERS:
        open_tasks.append(visible_filter(user.username, user.group_names))
    waiting = _grouped(HumanTask.title, *open_tasks)
    overdue = _grouped(HumanTask.title, *open_tasks, HumanTask.due_at < now)
    escalated = _grouped(HumanTask.title, *open_tasks, HumanTask.escalation_level > 0)
    stats = {
        "waiting": sum(waiting.values()),
        "overdue": sum(overdue.values()),
        "escalated": sum(escalated.values()),
        "applications": db.session.scalar(
            sa.select(sa.func.count()).select_from(CreditApplication)
        ),
    }
    charts = {
        "tasks": {
            "labels": sorted(waiting),
            "waiting": [waiting[k] for k in sorted(waiting)],
            "overdue": [overdue.get(k, 0) for k in sorted(waiting)],
        },
        "status": {gettext(k): n for k, n in _grouped(CreditApplication.status).items()},
        "grades": dict(sorted(_grouped(Customer.grade).items())),
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
