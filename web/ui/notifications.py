"""The notification bell's page: the signed-in user's in-app notifications, mark read."""

from __future__ import annotations

from flask import redirect, render_template, url_for

from notifications.feed import mark_read, notifications_of
from notifications.models import Notification
from notifications.templates import render
from web.extensions import db
from web.ui import bp
from web.ui.access import page, page_user
from web.ui.i18n import locale


@bp.get("/notifications")
@page()
def notifications_page():
    """Newest in-app notifications of the signed-in user."""
    user = page_user()
    items = notifications_of(db.session, user.username, channel="inapp", limit=200)
    return render_template(
        "notifications.html",
        items=[(n, _subject(n, user.display_name or user.username)) for n in items],
    )


def _subject(row: Notification, name: str) -> str:
    """The notification's subject in the language the page is shown in."""
    values = {**((row.payload or {}).get("data") or {}), "name": name}
    try:
        return render(row.template, locale(), values).subject
    except KeyError:  # a template this version does not know: show what was sent
        return row.subject


@bp.post("/notifications/<int:notification_id>/read")
@page()
def notification_read(notification_id: int):
    """Mark one notification read and go back to the list."""
    mark_read(db.session, notification_id, page_user().username)
    db.session.commit()
    return redirect(url_for("ui.notifications_page"))
