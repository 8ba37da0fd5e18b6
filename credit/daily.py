"""Run a sweep once per day although the scheduler polls every 2 seconds."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.monitoring_models import DailyRun
from engine.clock import to_db


def is_due(session: so.Session, name: str, today: dt.date) -> bool:
    """Whether the sweep `name` has not yet finished for `today`."""
    last = session.scalar(sa.select(DailyRun.last_day).where(DailyRun.name == name))
    return last is None or last < today


def mark_done(session: so.Session, name: str, today: dt.date, now: dt.datetime) -> None:
    """Record that the sweep finished for `today` (a later day runs it again)."""
    row = session.get(DailyRun, name)
    if row is None:
        session.add(DailyRun(name=name, last_day=today, finished_at=to_db(now)))
    elif row.last_day < today:
        row.last_day, row.finished_at = today, to_db(now)
