"""Notifications: the in-app list, marking read, and the admin's view of the outbox."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from marshmallow import Schema, fields, validate

from engine.clock import from_db, to_db
from engine.errors import Forbidden
from forms.fields import Id, Integer, PlainText
from notifications.dispatch import OUTBOX_JOB
from notifications.feed import mark_read, notifications_of, outbox_rows, retry_failed
from notifications.models import Notification, NotificationStatus
from web.api import bp
from web.api.request import no_body, query, responds
from web.auth import current_user, requires
from web.extensions import db
from web.outbox import dispatch_pending
from web.runtime_access import actor, runtime


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


class NotificationQuery(Schema):
    """Filters of GET /notifications."""

    recipient = PlainText(load_default="me", max_length=64)
    process_instance_id = Id(load_default=None)
    task_id = PlainText(load_default=None, max_length=36)
    channel = PlainText(load_default=None, max_length=32)
    limit = Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class OutboxQuery(Schema):
    """Filters of GET /admin/outbox."""

    status = fields.String(load_default=None, validate=validate.OneOf(list(NotificationStatus)))
    limit = Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class NotificationOut(Schema):
    """A notification (outbox fields for admins)."""

    id = fields.Integer()
    channel = fields.String()
    recipient = fields.String()
    template = fields.String()
    subject = fields.String()
    body = fields.String()
    language = fields.String()
    process_instance_id = fields.Integer(allow_none=True)
    task_id = fields.String(allow_none=True)
    created_at = fields.String(metadata={"format": "date-time"})
    status = fields.String()


class NotificationPage(Schema):
    """Notifications, newest first."""

    items = fields.List(fields.Nested(NotificationOut))


@bp.get("/notifications")
@requires()
@query(NotificationQuery)
@responds(200, NotificationPage)
def list_notifications(args):
    """The signed-in user's notifications (admins may ask for anyone's, or all)."""
    user = current_user()
    wanted = args["recipient"]
    if wanted in {"me", user.username}:
        recipient: str | None = user.username
    elif "admin" not in user.group_names:
        raise Forbidden(
            f"user '{user.username}' may only read their own notifications (recipient=me)"
        )
    else:
        recipient = None if wanted == "all" else wanted
    rows = notifications_of(
        db.session,
        recipient,
        instance_id=args["process_instance_id"],
        task_id=args["task_id"] or None,
        channel=args["channel"] or None,
        limit=args["limit"],
    )
    return jsonify(items=[notification_view(r) for r in rows])


@bp.post("/notifications/<int:notification_id>/read")
@requires()
@no_body
@responds(200, NotificationOut)
def read_notification(notification_id: int):
    """Mark one of the user's in-app notifications read."""
    row = mark_read(db.session, notification_id, actor().username)
    db.session.commit()
    return jsonify(notification_view(row))


@bp.get("/admin/outbox")
@requires("admin")
@query(OutboxQuery)
@responds(200, NotificationPage)
def list_outbox(args):
    """Outbox rows by status (e.g. failed), newest first."""
    rows = outbox_rows(db.session, args["status"], args["limit"])
    return jsonify(items=[outbox_view(r) for r in rows])


@bp.post("/admin/outbox/<int:notification_id>/retry")
@requires("admin")
@no_body
@responds(200, NotificationOut)
def retry_notification(notification_id: int):
    """Queue a failed notification again."""
    row = retry_failed(db.session, notification_id, to_db(runtime().clock.now()))
    db.session.commit()
    return jsonify(outbox_view(row))
