"""Deliver due outbox rows with retries and exponential backoff.

Guarantee: at-least-once delivery with idempotency keys. Each row is locked
(`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, so several dispatchers never pick the same
row), sent, marked and committed on its own. A dispatcher that crashes after the send but
before the commit leaves the row pending, and the next run sends it again with the same
idempotency key (email header `X-Creditflow-Idempotency-Key` and Message-ID, webhook JSON
field `idempotency_key` and header), so receivers can drop the copy. A row that fails
`MAX_ATTEMPTS` times becomes `failed` and stays visible to admins.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.clock import to_db
from notifications.channels import ChannelSettings, deliver
from notifications.models import Notification, NotificationStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BASE_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(hours=1)


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try after `attempts` failed ones: 30 s × 2^(attempts−1), capped."""
    return min(BASE_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


def _claim_next(session: so.Session, now: dt.datetime) -> Notification | None:
    """Lock one due pending row that no other dispatcher holds."""
    return session.scalars(
        sa.select(Notification)
        .where(
            Notification.status == NotificationStatus.PENDING.value,
            Notification.next_attempt_at <= to_db(now),
        )
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()


def dispatch_pending_with(
    session: so.Session, now: dt.datetime, settings: ChannelSettings, limit: int = 500
) -> int:
    """Deliver up to `limit` due rows, one transaction each; return how many were delivered."""
    delivered = 0
    session.commit()
    for _ in range(limit):
        row = _claim_next(session, now)
        if row is None:
            break
        row.attempts += 1
        try:
            status = deliver(row, settings)
        except Exception as exc:  # any channel failure is retried, then reported as failed
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if row.attempts >= MAX_ATTEMPTS:
                row.status, row.next_attempt_at = NotificationStatus.FAILED.value, None
            else:
                row.next_attempt_at = to_db(now + backoff(row.attempts))
            log.warning(
                "notification %s (%s to %s) failed, attempt %s: %s",
                row.id,
                row.channel,
                row.recipient,
                row.attempts,
                row.last_error,
                extra={"instance": row.process_instance_id, "task": row.task_id},
            )
        else:
            row.status, row.sent_at, row.next_attempt_at = status.value, to_db(now), None
            row.last_error = None
            delivered += 1
        session.commit()
    return delivered


OUTBOX_JOB = "creditflow.outbox"


def dispatch_pending(app: Any) -> int:
    """Run the outbox job the host installed in app.extensions (web does); 0 when none."""
    job = getattr(app, "extensions", {}).get(OUTBOX_JOB)
    return int(job(app)) if job is not None else 0


__all__ = ["MAX_ATTEMPTS", "OUTBOX_JOB", "backoff", "dispatch_pending", "dispatch_pending_with"]
