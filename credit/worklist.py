"""The credit team's worklist: the engine's worklist searched by application number or customer."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.models import Customer
from engine.worklist import WorkFilter, WorkItem, worklist

# Processes whose business key is the application number a user types as "#12".
NUMBERED = ("credit_application",)


def customer_subjects(text: str) -> sa.Select:
    """Instance subjects ("customer:<id>") of customers whose name or USCC contains the text."""
    return sa.select(sa.literal("customer:") + sa.cast(Customer.id, sa.String)).where(
        sa.or_(
            Customer.name.icontains(text, autoescape=True),
            Customer.uscc.icontains(text, autoescape=True),
        )
    )


def search_worklist(
    session: so.Session,
    username: str,
    groups: set[str],
    flt: WorkFilter,
    now: dt.datetime,
    limit: int,
    offset: int = 0,
) -> list[WorkItem]:
    """One page of the user's worklist; the search text matches an application number or a
    customer's name or USCC."""
    subjects = customer_subjects(flt.q) if flt.q else None
    return worklist(session, username, groups, flt, now, limit, offset, subjects, NUMBERED)
