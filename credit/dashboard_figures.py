"""The dashboard's counts: open tasks by title (waiting, overdue, escalated) and the portfolio."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.models import CreditApplication, Customer
from engine.clock import to_db
from engine.inbox import OPEN_STATES, visible_filter
from engine.models import HumanTask


@dataclass(frozen=True)
class TaskCounts:
    """Open tasks by title: all, past their due time, escalated."""

    waiting: dict[str, int]
    overdue: dict[str, int]
    escalated: dict[str, int]


@dataclass(frozen=True)
class Portfolio:
    """Credit applications in all and by status; customers by grade."""

    applications: int
    by_status: dict[str, int]
    by_grade: dict[str, int]


def task_counts(
    session: so.Session, username: str, groups: set[str], everyone: bool, now: dt.datetime
) -> TaskCounts:
    """Counts over the open tasks the user may work (``everyone``: all open tasks)."""
    where = [HumanTask.status.in_(OPEN_STATES)]
    if not everyone:
        where.append(visible_filter(username, groups))
    return TaskCounts(
        waiting=_grouped(session, HumanTask.title, *where),
        overdue=_grouped(session, HumanTask.title, *where, HumanTask.due_at < to_db(now)),
        escalated=_grouped(session, HumanTask.title, *where, HumanTask.escalation_level > 0),
    )


def portfolio(session: so.Session) -> Portfolio:
    """Applications by status and customers by grade."""
    by_status = _grouped(session, CreditApplication.status)
    return Portfolio(
        applications=sum(by_status.values()),
        by_status=by_status,
        by_grade=_grouped(session, Customer.grade),
    )


def _grouped(session: so.Session, column: Any, *where: Any) -> dict[str, int]:
    rows = session.execute(sa.select(column, sa.func.count()).where(*where).group_by(column))
    return {str(key if key is not None else "—"): count for key, count in rows}
