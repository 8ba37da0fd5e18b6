"""The notification bell's page: the signed-in user's in-app notifications, mark read."""

from __future__ import annotations

from flask import redirect, render_template, url_for

from notifications.feed import mark_read, notifications_of
from web.extensions import db
from web.ui import bp
from web.ui.access import page, page_user


@bp.get("/notifications")
@page()
def notifications_page():
    """Newest in-app notifications of the signed-in user."""
    user = page_user()
    items = notifications_of(db.session, user.username, channel="inapp", limit=200)
    return render_template("notifications.html", items=items)


@bp.post("/notifications/<int:notification_id>/read")
@page()
def notification_read(notification_id: int):
    """Mark one notification read and go back to the list."""
    mark_read(db.session, notification_id, page_user().username)
    db.session.commit()
    return redirect(url_for("ui.notifications_page"))
