"""Scheduler heartbeats: each worker stamps its row on every pass; `doctor` reads the newest.

Stamped with the database server's clock (like timer leases): infrastructure time, which must
move while a test clock stands still.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.models import WorkerHeartbeat
from engine.timers import db_now

STALE_AFTER_DAYS = 7


def beat(session: so.Session, owner: str, kind: str) -> None:
    """Record that `owner` is alive (and forget workers silent for a week); commits."""
    now = db_now(session)
    updated = session.execute(
        sa.update(WorkerHeartbeat).where(WorkerHeartbeat.owner == owner).values(seen_at=now)
    )
    if updated.rowcount == 0:
        session.add(WorkerHeartbeat(owner=owner, kind=kind, started_at=now, seen_at=now))
        session.execute(
            sa.delete(WorkerHeartbeat).where(
                WorkerHeartbeat.seen_at < now - dt.timedelta(days=STALE_AFTER_DAYS)
            )
        )
    session.commit()


def last_heartbeat(session: so.Session) -> tuple[WorkerHeartbeat | None, float | None]:
    """The most recent heartbeat and its age in seconds on the database clock."""
    row = session.scalar(
        sa.select(WorkerHeartbeat).order_by(WorkerHeartbeat.seen_at.desc()).limit(1)
    )
    if row is None:
        return None, None
    return row, (db_now(session) - row.seen_at).total_seconds()
