"""Admin pages: users and groups (create, change, deactivate, reset password, supervisor),
the notification outbox (failed rows, retry) and the business calendar (add, change, remove)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from engine import identity
from engine.calendar import DayKind, calendar_year, change_days, remove_day
from engine.clock import to_db
from engine.errors import EngineError, NotFound
from notifications.feed import outbox_rows, retry_failed
from notifications.models import NotificationStatus
from web.api.request import int_arg
from web.auth import hash_password
from web.extensions import db
from web.runtime_access import actor, runtime
from web.ui import bp
from web.ui.access import page
from web.ui.customers import _errors
from web.ui.i18n import gettext


def _now_actor() -> tuple[dt.datetime, str]:
    return runtime().clock.now(), actor().username


@bp.get("/admin")
@page("admin")
def admin():
    """Users with their groups, and every group with its supervising group and members."""
    users, groups = identity.users_and_groups(db.session)
    members: dict[str, list[str]] = {g.name: [] for g in groups}
    for user in users:
        for name in sorted(user.group_names):
            members.setdefault(name, []).append(user.username)
    return render_template("admin.html", users=users, groups=groups, members=members)


def _user_values(new: bool) -> dict[str, Any]:
    form = request.form
    values: dict[str, Any] = {
        "display_name": form.get("display_name", "").strip(),
        "email": form.get("email", "").strip(),
        "language": form.get("language", "zh"),
        "groups": form.getlist("groups"),
    }
    if new:
        values["username"] = form.get("username", "").strip()
    else:
        values["active"] = bool(form.get("active"))
    return values


def _form(template: str, save: Callable[[], Any], **context: Any):
    """Show an admin form; on POST save it: back to the list, or the form with its errors."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            save()
            db.session.commit()
            flash(gettext("Saved."), "ok")
            return redirect(url_for("ui.admin"))
        except EngineError as exc:
            db.session.rollback()
            errors = _errors(exc)
    return render_template(template, errors=errors, **context), 422 if errors else 200


@bp.route("/admin/users/new", methods=["GET", "POST"])
@bp.route("/admin/users/<username>", methods=["GET", "POST"])
@page("admin")
def admin_user_form(username: str | None = None):
    """Create a user, or change one (name, email, language, groups, active)."""
    user = identity.get_user(db.session, username) if username else None
    _, groups = identity.users_and_groups(db.session)
    if request.method == "POST":
        values = _user_values(new=user is None)
    elif user is None:
        values = {"language": "zh", "groups": []}
    else:
        values = {
            "display_name": user.display_name,
            "email": user.email,
            "language": user.language,
            "groups": sorted(user.group_names),
            "active": user.active,
        }

    def save() -> None:
        if user is None:
            password = request.form.get("password", "")
            identity.check_password(password)
            identity.create_user(db.session, *_now_actor(), values, hash_password(password))
        else:
            identity.update_user(db.session, *_now_actor(), user.username, values)

    return _form("admin/user.html", save, user=user, groups=groups, values=values)


@bp.post("/admin/users/<username>/password")
@page("admin")
def admin_user_password(username: str):
    """Set a new password for a user."""
    password = request.form.get("password", "")
    try:
        identity.check_password(password)
        identity.reset_password(db.session, *_now_actor(), username, hash_password(password))
        db.session.commit()
        flash(gettext("The password of %(user)s was reset.", user=username), "ok")
    except EngineError as exc:
        db.session.rollback()
        flash(" ".join(" ".join(v) for v in _errors(exc).values()), "error")
    return redirect(url_for("ui.admin_user_form", username=username))


@bp.route("/admin/groups/new", methods=["GET", "POST"])
@bp.route("/admin/groups/<name>", methods=["GET", "POST"])
@page("admin")
def admin_group_form(name: str | None = None):
    """Create a group or change its titles and supervising group."""
    _, groups = identity.users_and_groups(db.session)
    group = next((g for g in groups if g.name == name), None)
    if name and group is None:
        raise NotFound(f"no group '{name}'")
    fields = ("name", "title_en", "title_zh", "supervisor")
    if request.method == "POST":
        values = {k: request.form.get(k, "").strip() for k in fields}
    else:
        values = {k: getattr(group, k) or "" for k in fields} if group else {}

    def save() -> None:
        identity.save_group(db.session, *_now_actor(), values)

    return _form("admin/group.html", save, group=group, groups=groups, values=values)


@bp.get("/admin/outbox")
@page("admin")
def admin_outbox():
    """Outbox rows by status, failed ones first."""
    status = request.args.get("status", "failed")
    if status not in {s.value for s in NotificationStatus}:
        status = ""
    rows = outbox_rows(db.session, status or None, 200)
    return render_template("admin/outbox.html", rows=rows, status=status)


@bp.post("/admin/outbox/<int:notification_id>/retry")
@page("admin")
def admin_outbox_retry(notification_id: int):
    """Queue a failed notification again (the same service as the API)."""
    try:
        retry_failed(db.session, notification_id, to_db(runtime().clock.now()))
        db.session.commit()
        flash(gettext("The notification is queued again."), "ok")
    except EngineError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
    return redirect(url_for("ui.admin_outbox"))


@bp.get("/admin/calendar")
@page("admin")
def admin_calendar():
    """The business calendar of a year: holidays and make-up working days."""
    year = int_arg("year", runtime().clock.today().year, 1900, 2199)
    return render_template(
        "admin/calendar.html",
        year=year,
        days=calendar_year(db.session, year),
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
        flash(
            gettext("Give a date (YYYY-MM-DD) and a kind: holiday or make-up working day."), "error"
        )
        return redirect(url_for("ui.admin_calendar"))
    change_days(db.session, *_now_actor(), [(day, kind, form.get("name", "").strip()[:120])])
    db.session.commit()
    runtime().calendar.invalidate()
    return redirect(url_for("ui.admin_calendar", year=day.year))


@bp.post("/admin/calendar/<day>/remove")
@page("admin")
def admin_calendar_remove(day: str):
    """Remove a calendar day: it follows the Monday–Friday rule again."""
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise NotFound(f"'{day}' is not a date (YYYY-MM-DD)") from None
    remove_day(db.session, *_now_actor(), date)
    db.session.commit()
    runtime().calendar.invalidate()
    flash(gettext("%(day)s follows the Monday–Friday rule again.", day=date.isoformat()), "ok")
    return redirect(url_for("ui.admin_calendar", year=date.year))
