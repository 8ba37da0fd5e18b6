"""Outbox health for `creditflow doctor`: rows overdue for delivery, rows given up on."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.clock import to_db
from notifications.models import Notification, NotificationStatus

# The dispatcher runs every 2 s; a row due this long ago means no dispatcher is running.
OVERDUE_AFTER = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class OutboxHealth:
    """Pending rows overdue for delivery, and failed rows (out of attempts)."""

    overdue: int
    failed: int


def outbox_health(session: so.Session, now: dt.datetime) -> OutboxHealth:
    """Count overdue pending rows and failed rows."""
    status = Notification.status

    def count(*where: sa.ColumnElement[bool]) -> int:
        return session.scalar(sa.select(sa.func.count()).select_from(Notification).where(*where))

    return OutboxHealth(
        overdue=count(
            status == NotificationStatus.PENDING.value,
            Notification.next_attempt_at <= to_db(now - OVERDUE_AFTER),
        ),
        failed=count(status == NotificationStatus.FAILED.value),
    )
