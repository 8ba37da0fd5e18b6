"""Releases granted by credit decisions: one-time order releases and temporary limits.

``consume_release_once`` is the only way a release of one order is used: one conditional
UPDATE, so of two concurrent checks at most one gets it (and the credit check holds the
customer's exposure lock while it asks). The temporary increases valid on a day are summed
into the customer's limit by the check's own read (credit.check_facts).
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


# Built once: the oldest unused release of the order that covers the amount, taken atomically.
_CANDIDATE = (
    sa.select(_TABLE.c.id)
    .where(
        _TABLE.c.order_ref == sa.bindparam("b_order_ref"),
        _TABLE.c.customer_id == sa.bindparam("b_customer_id"),
        _TABLE.c.kind == ReleaseKind.RELEASE_ONCE.value,
        _TABLE.c.consumed_at.is_(None),
        _TABLE.c.amount_cny >= sa.bindparam("b_amount_cny", type_=_TABLE.c.amount_cny.type),
    )
    .order_by(_TABLE.c.id)
    .limit(1)
    .scalar_subquery()
)
_CONSUME = (
    sa.update(_TABLE)
    .where(_TABLE.c.id == _CANDIDATE, _TABLE.c.consumed_at.is_(None))
    .values(
        consumed_at=sa.bindparam("b_now", type_=_TABLE.c.consumed_at.type),
        consumed_by=sa.bindparam("b_actor", type_=_TABLE.c.consumed_by.type),
    )
    .returning(_TABLE.c.id)
)


def consume_release_once(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    customer_id: int,
    order_ref: str,
    amount_cny: Decimal,
) -> int | None:
    """Use the oldest unused release of this order that covers the amount; return its id."""
    params = {
        "b_order_ref": order_ref,
        "b_customer_id": customer_id,
        "b_amount_cny": amount_cny,
        "b_now": to_db(now),
        "b_actor": actor,
    }
    return session.execute(_CONSUME, params).scalar()


def sales_rep_of(session: so.Session, customer_id: int) -> str | None:
    """The customer's sales rep: who filed its latest credit application."""
    return session.scalar(
        sa.select(CreditApplication.applicant)
        .where(CreditApplication.customer_id == customer_id)
        .order_by(CreditApplication.id.desc())
        .limit(1)
    )
