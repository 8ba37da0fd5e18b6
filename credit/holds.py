"""Credit holds with their source; ``Customer.on_hold`` is true while any hold is not lifted.

Who may lift a hold depends on who placed it (credit-policy.md):

| hold source     | lifted by                                                         |
|-----------------|-------------------------------------------------------------------|
| collection      | the collection process that placed it (same ``ref``), a credit manager |
| early_warning   | a review, a credit manager                                        |
| review          | a review, a credit manager                                        |
| manual          | a credit manager                                                  |

A manual hold is placed by a credit manager. Group membership is read from the database,
never taken from the caller.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.credit_file import find_customer
from credit.ledger import audit_customer
from credit.models import Customer
from credit.receivable_models import CreditHold, HoldSource
from engine.clock import to_db
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.models import User

CREDIT_MANAGER = "credit_manager"


class Lifter(enum.StrEnum):
    """Who asks to lift a hold."""

    COLLECTION = "collection"
    REVIEW = "review"
    CREDIT_MANAGER = "credit_manager"


MAY_LIFT: dict[Lifter, frozenset[HoldSource]] = {
    Lifter.COLLECTION: frozenset({HoldSource.COLLECTION}),
    Lifter.REVIEW: frozenset({HoldSource.EARLY_WARNING, HoldSource.REVIEW}),
    Lifter.CREDIT_MANAGER: frozenset(HoldSource),
}


def active_holds(session: so.Session, customer_id: int) -> list[CreditHold]:
    """The customer's holds that are not lifted, oldest first."""
    return list(
        session.scalars(
            sa.select(CreditHold)
            .where(CreditHold.customer_id == customer_id, CreditHold.lifted_at.is_(None))
            .order_by(CreditHold.id)
        )
    )


def place_hold(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    customer_id: int,
    source: HoldSource | str,
    reason: str,
    ref: str | None = None,
) -> CreditHold:
    """Put the customer on credit hold; the same source and ref again returns the open hold.

    :raises NotFound: no such customer.
    :raises Invalid: unknown source or no reason.
    :raises Forbidden: a manual hold by someone who is not a credit manager.
    """
    customer = _customer(session, customer_id)
    if source not in set(HoldSource):
        raise Invalid.field("source", f"must be one of {', '.join(HoldSource)}")
    source = HoldSource(source)
    if not (reason or "").strip():
        raise Invalid.field("reason", "a credit hold needs a written reason")
    if source == HoldSource.MANUAL:
        _require_credit_manager(session, actor)
    for hold in active_holds(session, customer_id):
        if hold.source == source and hold.ref == ref:
            return hold
    hold = CreditHold(
        customer_id=customer_id,
        source=source.value,
        ref=ref,
        reason=reason.strip(),
        placed_by=actor,
        placed_at=to_db(now),
    )
    session.add(hold)
    customer.on_hold = True
    session.flush()
    audit_customer(
        session,
        now,
        actor,
        "credit_hold_placed",
        customer_id,
        hold_id=hold.id,
        source=source.value,
        ref=ref,
        reason=hold.reason,
    )
    return hold


def lift_hold(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    hold_id: int,
    by: Lifter | str,
    reason: str,
    ref: str | None = None,
) -> CreditHold:
    """Lift one hold if ``by`` may lift holds of its source (see the module's table).

    :raises NotFound: no such hold.
    :raises Conflict: already lifted.
    :raises Forbidden: ``by`` may not lift this hold, or the actor is not a credit manager.
    """
    hold = session.get(CreditHold, hold_id)
    if hold is None:
        raise NotFound(f"no credit hold with id {hold_id}")
    if hold.lifted_at is not None:
        raise Conflict(f"credit hold {hold_id} was already lifted")
    by = Lifter(by)
    if by == Lifter.CREDIT_MANAGER:
        _require_credit_manager(session, actor)
    if not _may_lift(by, hold, ref):
        allowed = sorted(lifter.value for lifter in Lifter if hold.source in MAY_LIFT[lifter])
        raise Forbidden(
            f"credit hold {hold.id} ({hold.source}, placed by {hold.ref or hold.placed_by}) "
            f"cannot be lifted by {by.value} {ref or ''}".rstrip()
            + f"; it can be lifted by: {', '.join(allowed)}"
        )
    if not (reason or "").strip():
        raise Invalid.field("reason", "lifting a credit hold needs a written reason")
    hold.lifted_at, hold.lifted_by, hold.lift_reason = to_db(now), actor, reason.strip()
    session.flush()
    customer = _customer(session, hold.customer_id)
    customer.on_hold = bool(active_holds(session, hold.customer_id))
    audit_customer(
        session,
        now,
        actor,
        "credit_hold_lifted",
        hold.customer_id,
        hold_id=hold.id,
        source=hold.source,
        by=by.value,
        reason=hold.lift_reason,
    )
    return hold


def lift_holds(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    customer_id: int,
    by: Lifter | str,
    reason: str,
    ref: str | None = None,
) -> list[CreditHold]:
    """Lift every active hold of the customer that ``by`` may lift; return those lifted."""
    by = Lifter(by)
    lifted = []
    for hold in active_holds(session, customer_id):
        if _may_lift(by, hold, ref):
            lifted.append(lift_hold(session, now, actor, hold.id, by, reason, ref))
    return lifted


def _may_lift(by: Lifter, hold: CreditHold, ref: str | None) -> bool:
    """A process lifts only the hold it placed itself; the others go by the source."""
    return hold.source in MAY_LIFT[by] and (by != Lifter.COLLECTION or hold.ref == ref)


def _customer(session: so.Session, customer_id: int) -> Customer:
    customer = find_customer(session, customer_id)
    if customer is None:
        raise NotFound(f"no customer with id {customer_id}")
    return customer


def _require_credit_manager(session: so.Session, username: str) -> None:
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None or not user.active or CREDIT_MANAGER not in user.group_names:
        raise Forbidden(f"user '{username}' is not a credit manager")
