"""Periodic reviews: start one (on request, by an orange warning, when due), list and find them.

A review is a `periodic_review` process (business key = customer id) with a ``credit_review``
row; at most one runs per customer (a partial unique index backs the check under races).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.ledger import audit_customer
from credit.models import Customer
from credit.monitoring_models import CreditReview, ReviewStage, ReviewStatus, ReviewTrigger
from credit.scorecard import as_points
from engine.actor import Actor
from engine.clock import from_db, to_db
from engine.errors import Conflict, Invalid, NotFound
from engine.instances import start_instance
from engine.models import InstanceStatus, ProcessInstance
from engine.runtime import Runtime

PROCESS_KEY = "periodic_review"
_ENDED = (InstanceStatus.COMPLETED.value, InstanceStatus.CANCELLED.value)


def running_review(session: so.Session, customer_id: int) -> CreditReview | None:
    """The customer's running review; one whose process was cancelled is closed on the way."""
    review = session.scalar(
        sa.select(CreditReview).where(
            CreditReview.customer_id == customer_id,
            CreditReview.status == ReviewStatus.RUNNING.value,
        )
    )
    if review is None or review.process_instance_id is None:
        return review
    status = session.scalar(
        sa.select(ProcessInstance.status).where(ProcessInstance.id == review.process_instance_id)
    )
    if status in _ENDED:
        # An operator cancelled the process (a completed one closes its row itself).
        review.status = ReviewStatus.CANCELLED.value
        session.flush()
        return None
    return review


def start_review(
    session: so.Session,
    rt: Runtime,
    customer_id: int,
    trigger: ReviewTrigger | str,
    actor: str,
    reason: str = "",
) -> CreditReview:
    """Start a periodic review of a customer with a credit limit.

    :raises NotFound: no such customer.
    :raises Invalid: the customer has no credit limit to review, or the trigger is unknown.
    :raises Conflict: a review of the customer is running.
    """
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"no customer with id {customer_id}")
    if trigger not in set(ReviewTrigger):
        raise Invalid.field("trigger", f"must be one of {', '.join(ReviewTrigger)}")
    if customer.credit_limit is None:
        raise Invalid.field(
            "customer_id",
            f"customer {customer_id} has no credit limit to review; file a credit application",
        )
    running = running_review(session, customer_id)
    if running is not None:
        raise Conflict(
            f"review {running.id} of customer {customer_id} is running "
            f"(process instance {running.process_instance_id}); complete it first",
            process_instance_id=running.process_instance_id,
        )
    now = rt.clock.now()
    review = CreditReview(
        customer_id=customer_id,
        trigger=ReviewTrigger(trigger).value,
        reason=(reason or "").strip(),
        status=ReviewStatus.RUNNING.value,
        stage=ReviewStage.IN_REVIEW.value,
        requested_by=actor,
        current_limit=customer.credit_limit,
        previous={},
        recomputed={},
        reason_codes=[],
        assessment={},
        started_at=to_db(now),
    )
    try:
        with session.begin_nested():
            session.add(review)
            session.flush()
    except sa.exc.IntegrityError:
        raise Conflict(
            f"a review of customer {customer_id} was started by a concurrent request"
        ) from None
    audit_customer(
        session,
        now,
        actor,
        "review_started",
        customer_id,
        review_id=review.id,
        trigger=review.trigger,
        reason=review.reason,
    )
    change = start_instance(
        rt,
        session,
        PROCESS_KEY,
        Actor(actor),
        business_key=str(customer_id),
        subject=f"customer:{customer_id}",
        data={"customer_id": customer_id, "review_id": review.id},
    )
    review.process_instance_id = change.instance.id
    return review


def start_review_unless_running(
    session: so.Session,
    rt: Runtime,
    customer_id: int,
    trigger: ReviewTrigger | str,
    actor: str,
    reason: str = "",
) -> CreditReview | None:
    """Start a review unless one is running (an orange warning, the daily sweep)."""
    if running_review(session, customer_id) is not None:
        return None
    return start_review(session, rt, customer_id, trigger, actor, reason)


def due_for_review(session: so.Session, today: dt.date) -> list[int]:
    """Customers whose review is due today or earlier and not yet started since it fell due.

    A review started on or after the due date (by a warning, on request, or earlier by this
    sweep) counts, even if it was rejected: the sweep does not restart it every day.
    """
    started_since_due = sa.exists().where(
        CreditReview.customer_id == Customer.id,
        sa.or_(
            CreditReview.status == ReviewStatus.RUNNING.value,
            sa.func.date(CreditReview.started_at) >= Customer.review_due_on,
        ),
    )
    return list(
        session.scalars(
            sa.select(Customer.id)
            .where(
                Customer.credit_limit.is_not(None),
                Customer.review_due_on.is_not(None),
                Customer.review_due_on <= today,
                ~started_since_due,
            )
            .order_by(Customer.id)
        )
    )


def get_review(session: so.Session, customer_id: int, process_instance_id: int) -> CreditReview:
    """The customer's review run by a process instance; NotFound otherwise."""
    review = session.scalar(
        sa.select(CreditReview).where(
            CreditReview.customer_id == customer_id,
            CreditReview.process_instance_id == process_instance_id,
        )
    )
    if review is None:
        raise NotFound(
            f"customer {customer_id} has no review with process instance {process_instance_id}"
        )
    return review


def list_reviews(session: so.Session, customer_id: int) -> list[dict[str, Any]]:
    """Every review of a customer, newest first, as the API shows it."""
    if session.get(Customer, customer_id) is None:
        raise NotFound(f"no customer with id {customer_id}")
    running_review(session, customer_id)  # closes one whose process was cancelled
    rows = session.scalars(
        sa.select(CreditReview)
        .where(CreditReview.customer_id == customer_id)
        .order_by(CreditReview.id.desc())
    )
    return [review_view(row) for row in rows]


def review_view(review: CreditReview) -> dict[str, Any]:
    """One review as the API and the credit file show it."""
    return {
        "id": review.id,
        "process_instance_id": review.process_instance_id,
        "trigger": review.trigger,
        "reason": review.reason,
        "status": review.status,
        "stage": review.stage,
        "outcome": review.outcome,
        "requested_by": review.requested_by,
        "analyst": review.analyst,
        "recommendation": review.recommendation,
        "score": as_points(review.score),
        "grade": review.grade,
        "reason_codes": list(review.reason_codes or []),
        "current_limit": review.current_limit,
        "proposed_limit": review.proposed_limit,
        "approved_limit": review.approved_limit,
        "terms_days": review.terms_days,
        "review_due_on": review.review_due_on,
        "previous": review.previous or {},
        "recomputed": review.recomputed or {},
        "started_at": from_db(review.started_at),
        "completed_at": from_db(review.completed_at),
    }
