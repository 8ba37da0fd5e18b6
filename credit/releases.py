"""Releases granted by credit decisions: one-time order releases and temporary limits.

``consume_release_once`` is the only way a release of one order is used: one conditional
UPDATE, so of two concurrent checks at most one gets it (and the credit check holds the
customer's exposure lock while it asks). ``temporary_limits_cny`` adds the temporary increases
valid on a day to the customer's limit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.check_models import CreditRelease, ReleaseKind
from credit.models import CreditApplication
from engine.clock import to_db

_TABLE = CreditRelease.__table__


def consume_release_once(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    customer_id: int,
    order_ref: str,
    amount_cny: Decimal,
) -> int | None:
    """Use the oldest unused release of this order that covers the amount; return its id."""
    candidate = (
        sa.select(_TABLE.c.id)
        .where(
            _TABLE.c.order_ref == order_ref,
            _TABLE.c.customer_id == customer_id,
            _TABLE.c.kind == ReleaseKind.RELEASE_ONCE.value,
            _TABLE.c.consumed_at.is_(None),
            _TABLE.c.amount_cny >= amount_cny,
        )
        .order_by(_TABLE.c.id)
        .limit(1)
        .scalar_subquery()
    )
    return session.scalar(
        sa.update(_TABLE)
        .where(_TABLE.c.id == candidate, _TABLE.c.consumed_at.is_(None))
        .values(consumed_at=to_db(now), consumed_by=actor)
        .returning(_TABLE.c.id)
    )


def temporary_limits_cny(session: so.Session, customer_id: int, today: dt.date) -> Decimal:
    """The sum of the customer's temporary limit increases valid on ``today`` (CNY)."""
    total = session.scalar(
        sa.select(sa.func.sum(_TABLE.c.amount_cny)).where(
            _TABLE.c.customer_id == customer_id,
            _TABLE.c.kind == ReleaseKind.TEMPORARY_LIMIT.value,
            _TABLE.c.valid_until >= today,
        )
    )
    return Decimal(total or 0)


def sales_rep_of(session: so.Session, customer_id: int) -> str | None:
    """The customer's sales rep: who filed its latest credit application."""
    return session.scalar(
        sa.select(CreditApplication.applicant)
        .where(CreditApplication.customer_id == customer_id)
        .order_by(CreditApplication.id.desc())
        .limit(1)
    )
