"""Notifications: the in-app list, marking read, and the admin's view of the outbox."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine.clock import from_db, to_db
from engine.errors import Forbidden, Invalid
from notifications.dispatch import OUTBOX_JOB
from notifications.feed import mark_read, notifications_of, outbox_rows, retry_failed
from notifications.models import Notification, NotificationStatus
from web.api import bp
from web.auth import current_user, requires
from web.extensions import db
from web.outbox import dispatch_pending
from web.runtime_access import runtime


@bp.record_once
def _install_outbox_job(state: Any) -> None:
    """Let notifications.dispatch.dispatch_pending(app) (the scheduler's hook) reach web's job."""
    state.app.extensions[OUTBOX_JOB] = dispatch_pending


def notification_view(row: Notification) -> dict[str, Any]:
    """A notification as the API shows it."""
    return {
        "id": row.id,
        "channel": row.channel,
        "recipient": row.recipient,
        "template": row.template,
        "subject": row.subject,
        "body": row.body,
        "language": row.language,
        "process_instance_id": row.process_instance_id,
        "task_id": row.task_id,
        "created_at": from_db(row.created_at),
        "status": row.status,
    }


def outbox_view(row: Notification) -> dict[str, Any]:
    """An outbox row with its delivery state, for admins."""
    return {
        **notification_view(row),
        "idempotency_key": row.idempotency_key,
        "address": row.address,
        "attempts": row.attempts,
        "next_attempt_at": from_db(row.next_attempt_at),
        "last_error": row.last_error,
        "sent_at": from_db(row.sent_at),
    }


def _limit() -> int:
    return min(max(request.args.get("limit", 100, type=int), 1), 1000)


@bp.get("/notifications")
@requires()
def list_notifications():
    """The signed-in user's notifications (admins may ask for anyone's, or all)."""
    user = current_user()
    wanted = request.args.get("recipient", "me")
    if wanted in {"me", user.username}:
        recipient: str | None = user.username
    elif "admin" not in user.group_names:
        raise Forbidden(
            f"user '{user.username}' may only read their own notifications (recipient=me)"
        )
    else:
        recipient = None if wanted == "all" else wanted
    instance = request.args.get("process_instance_id")
    if instance is not None and not instance.isdigit():
        raise Invalid.field("process_instance_id", "must be an integer")
    rows = notifications_of(
        db.session,
        recipient,
        instance_id=int(instance) if instance else None,
        task_id=request.args.get("task_id") or None,
        channel=request.args.get("channel") or None,
        limit=_limit(),
    )
    return jsonify(items=[notification_view(r) for r in rows])


@bp.post("/notifications/<int:notification_id>/read")
@requires()
def read_notification(notification_id: int):
    """Mark one of the user's in-app notifications read."""
    row = mark_read(db.session, notification_id, current_user().username)
    db.session.commit()
    return jsonify(notification_view(row))


@bp.get("/admin/outbox")
@requires("admin")
def list_outbox():
    """Outbox rows by status (e.g. failed), newest first."""
    status = request.args.get("status") or None
    if status is not None and status not in set(NotificationStatus):
        raise Invalid.field("status", f"must be one of: {', '.join(NotificationStatus)}")
    return jsonify(items=[outbox_view(r) for r in outbox_rows(db.session, status, _limit())])


@bp.post("/admin/outbox/<int:notification_id>/retry")
@requires("admin")
def retry_notification(notification_id: int):
    """Queue a failed notification again."""
    row = retry_failed(db.session, notification_id, to_db(runtime().clock.now()))
    db.session.commit()
    return jsonify(outbox_view(row))
