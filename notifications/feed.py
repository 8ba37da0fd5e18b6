"""Reading the outbox: a user's notifications, the admin's outbox view, marking read."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.errors import Conflict, NotFound
from notifications.models import Channel, Notification, NotificationStatus

ALL = None


def notifications_of(
    session: so.Session,
    recipient: str | None,
    *,
    instance_id: int | None = None,
    task_id: str | None = None,
    channel: str | None = None,
    limit: int = 100,
) -> list[Notification]:
    """Notifications newest first; recipient None means everyone's."""
    query = sa.select(Notification)
    if recipient is not None:
        query = query.where(Notification.recipient == recipient)
    if instance_id is not None:
        query = query.where(Notification.process_instance_id == instance_id)
    if task_id is not None:
        query = query.where(Notification.task_id == task_id)
    if channel is not None:
        query = query.where(Notification.channel == channel)
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return list(session.scalars(query))


def outbox_rows(session: so.Session, status: str | None, limit: int = 100) -> list[Notification]:
    """Outbox rows in a status (all when None), newest first, for admins."""
    query = sa.select(Notification)
    if status is not None:
        query = query.where(Notification.status == NotificationStatus(status).value)
    return list(
        session.scalars(
            query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
        )
    )


def mark_read(session: so.Session, notification_id: int, username: str) -> Notification:
    """Mark the user's in-app notification read (idempotent)."""
    row = session.get(Notification, notification_id)
    if row is None or row.recipient != username:
        raise NotFound(f"notification {notification_id} not found among {username}'s notifications")
    if row.channel != Channel.INAPP:
        raise Conflict(
            f"notification {notification_id} is a {row.channel} message; "
            "only in-app notifications can be marked read"
        )
    row.status = NotificationStatus.READ.value
    return row


def retry_failed(session: so.Session, notification_id: int, now_db: object) -> Notification:
    """Put a failed row back in the queue with a fresh attempt budget."""
    row = session.get(Notification, notification_id)
    if row is None:
        raise NotFound(f"notification {notification_id} does not exist")
    if row.status != NotificationStatus.FAILED:
        raise Conflict(f"notification {notification_id} is {row.status}, not failed")
    row.status, row.attempts, row.next_attempt_at = NotificationStatus.PENDING.value, 0, now_db
    return row


def unread_count(session: so.Session, username: str, cap: int) -> int:
    """Unread in-app notifications of the user, counted up to `cap` + 1 (a badge shows "cap+")."""
    unread = (
        sa.select(Notification.id)
        .where(
            Notification.recipient == username,
            Notification.channel == Channel.INAPP.value,
            Notification.status == NotificationStatus.SENT.value,
        )
        .limit(cap + 1)
        .subquery()
    )
    return session.scalar(sa.select(sa.func.count()).select_from(unread)) or 0
