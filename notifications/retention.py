"""Retention of the outbox: delivered messages are kept for a while, then removed.

A sent email or webhook message and a read in-app notification have done their work; past the
retention period they go (their audit events stay). Pending, failed and unread rows stay.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.clock import to_db
from notifications.models import Channel, Notification, NotificationStatus

_DELIVERED = (NotificationStatus.SENT.value, NotificationStatus.LOGGED.value)
_PURGE = sa.delete(Notification).where(
    Notification.created_at < sa.bindparam("before"),
    sa.or_(
        sa.and_(Notification.channel != Channel.INAPP.value, Notification.status.in_(_DELIVERED)),
        sa.and_(
            Notification.channel == Channel.INAPP.value,
            Notification.status == NotificationStatus.READ.value,
        ),
    ),
)


def purge_delivered(session: so.Session, before: dt.datetime) -> int:
    """Remove messages delivered (or read, in-app) before `before`; commit; return how many."""
    removed = session.execute(
        _PURGE.execution_options(synchronize_session=False), {"before": to_db(before)}
    ).rowcount
    session.commit()
    return removed
