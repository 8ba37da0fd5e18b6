"""Admin page: users, groups and the business calendar (holidays, make-up working days)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for

from engine.calendar import DayKind, change_days
from engine.models import CalendarDay, Group, User
from web.api.request import int_arg
from web.extensions import db
from web.runtime_access import runtime
from web.ui import bp
from web.ui.access import page, page_user


@bp.get("/admin")
@page("admin")
def admin():
    """List users with their groups and every group with its supervisor."""
    users = db.session.scalars(sa.select(User).order_by(User.username)).all()
    groups = db.session.scalars(sa.select(Group).order_by(Group.name)).all()
    members: dict[str, list[str]] = {g.name: [] for g in groups}
    for user in users:
        for group in user.groups:
            members.setdefault(group.name, []).append(user.username)
    year = int_arg("year", runtime().clock.today().year, 1900, 2199)
    days = db.session.scalars(
        sa.select(CalendarDay)
        .where(CalendarDay.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        .order_by(CalendarDay.day)
    ).all()
    return render_template(
        "admin.html",
        users=users,
        groups=groups,
        members=members,
        year=year,
        days=days,
        kinds=[k.value for k in DayKind],
    )


@bp.post("/admin/calendar")
@page("admin")
def admin_calendar_day():
    """Add or change one calendar day (the same service as PUT /api/v1/admin/calendar)."""
    form = request.form
    try:
        day = dt.date.fromisoformat(form.get("day", ""))
        kind = DayKind(form.get("kind", "")).value
    except ValueError:
        flash("day must be a date (YYYY-MM-DD) and kind one of: holiday, workday", "error")
        return redirect(url_for("ui.admin"))
    name = form.get("name", "").strip()[:120]
    change_days(db.session, runtime().clock.now(), page_user().username, [(day, kind, name)])
    db.session.commit()
    runtime().calendar.invalidate()
    return redirect(url_for("ui.admin", year=day.year))
