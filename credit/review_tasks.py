"""Service-task functions of the `periodic_review` process.

prepare → ``review_customer`` (analyst) → assess → `tiered_approval` (the application's tier
tasks; ``record_approval`` records each decision on the review) → complete, reject or return.
Every function reads the review from the database and checks its state, the required tiers
(the approval matrix with the proposed limit) and four-eyes itself; they run only in
`periodic_review` instances.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from credit.holds import Lifter, lift_holds, place_hold
from credit.models import CreditApplication, CreditHistory, Customer
from credit.monitoring_models import (
    CreditReview,
    Recommendation,
    ReviewApproval,
    ReviewStage,
    ReviewStatus,
)
from credit.receivable_models import HoldSource
from credit.review_scoring import ANALYST_INPUTS, compare, previous_assessment, score_customer
from credit.terms import active_terms, add_months, to_base
from credit.watch import customer_changed
from engine.audit import plain
from engine.clock import to_db
from engine.errors import Conflict, Forbidden, Invalid, NotFound
from engine.services import StepContext

PROCESS_KEY = "periodic_review"
DECISIONS = ("approve", "reject", "return")
_FIXED = (Recommendation.KEEP.value, Recommendation.SUSPEND.value)


def review_of(ctx: StepContext, data: dict[str, Any], bind: bool = False) -> CreditReview:
    """The review this instance works on: the one whose process it is, of its customer."""
    raw = data.get("review_id")
    review = ctx.session.get(CreditReview, int(raw)) if str(raw).isdigit() else None
    if review is None:
        raise NotFound(f"no review {raw!r}")
    owner = review.process_instance_id
    if str(review.customer_id) != str(ctx.business_key) or not (
        owner == ctx.instance_id or (bind and owner is None)
    ):
        raise Forbidden(f"review {review.id} is not the review of instance {ctx.instance_id}")
    if review.status != ReviewStatus.RUNNING:
        raise Conflict(f"review {review.id} is {review.status}")
    return review


def _stage(review: CreditReview, *allowed: ReviewStage) -> None:
    if review.stage not in allowed:
        raise Conflict(
            f"review {review.id} is {review.stage}; this step needs "
            + " or ".join(str(stage) for stage in allowed)
        )


def prepare(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Recompute score and grade from today's data beside the previous assessment."""
    review = review_of(ctx, data, bind=True)
    review.process_instance_id = ctx.instance_id
    customer = ctx.session.get(Customer, review.customer_id)
    previous = previous_assessment(ctx, customer.id)
    scored = score_customer(ctx, customer, {k: previous.get(k) for k in ANALYST_INPUTS})
    review.previous = plain(
        {
            **previous,
            "credit_limit": customer.credit_limit,
            "payment_terms_days": customer.payment_terms_days,
            "review_due_on": customer.review_due_on,
        }
    )
    review.recomputed = {**scored.summary(), "changes": compare(previous, scored.summary())}
    return {
        "customer_id": customer.id,
        "customer_name": customer.name,
        "current_limit": customer.credit_limit,
        "currency": customer.currency,
        "grade": scored.grade,
        "score": scored.summary()["score"],
        "review_comparison": review.recomputed["changes"],
        "case_workers": [],
        "approvers": [],
    }


def assess(ctx: StepContext, data: dict[str, Any], rates: dict[str, str]) -> dict[str, Any]:
    """Score with the analyst's entries and record the recommendation for approval."""
    review = review_of(ctx, data)
    _stage(review, ReviewStage.IN_REVIEW, ReviewStage.RETURNED)
    customer = ctx.session.get(Customer, review.customer_id)
    recommendation = data.get("recommendation")
    if recommendation not in set(Recommendation):
        raise Invalid.field("recommendation", f"must be one of {', '.join(Recommendation)}")
    scored = score_customer(ctx, customer, data)
    override_grade = data.get("override_grade") or None
    override_terms = data.get("override_terms_days")
    reason = (data.get("override_reason") or "").strip()
    if (override_grade or override_terms not in (None, "")) and not reason:
        raise Invalid.field("override_reason", "a written reason is required to override")
    grade = override_grade or scored.grade
    terms = ctx.decide("grade_terms", {"grade": grade}) if override_grade else scored.terms
    current = Decimal(customer.credit_limit or 0)
    proposed = _proposed_limit(recommendation, data.get("proposed_limit"), current, grade)
    requested = _requested_terms(ctx, customer.id)
    terms_days = active_terms(int(terms["terms_days"]), requested)
    if override_terms not in (None, ""):
        terms_days = int(override_terms)
    review.analyst, review.recommendation = ctx.actor, recommendation
    review.score, review.grade, review.reason_codes = scored.score, grade, scored.reason_codes
    review.current_limit, review.proposed_limit, review.terms_days = current, proposed, terms_days
    review.assessment = plain(
        {
            **scored.summary(),
            "model_grade": scored.grade,
            "review_months": int(terms["review_months"]),
            "overrides": {
                k: v
                for k, v in {"grade": override_grade, "terms_days": override_terms}.items()
                if v not in (None, "")
            },
            "override_reason": reason or None,
            "comment": (data.get("comment") or "").strip() or None,
            "changes": compare(review.previous or {}, scored.summary()),
        }
    )
    review.stage = ReviewStage.IN_APPROVAL.value
    ctx.audit(
        "review_assessed",
        {
            "review_id": review.id,
            "customer_id": customer.id,
            "score": scored.score,
            "grade": grade,
            "recommendation": recommendation,
            "proposed_limit": proposed,
            "override_reason": reason or None,
        },
    )
    return {
        "grade": grade,
        "score": review.assessment["score"],
        "limit_change": recommendation,
        "requested_limit_cny": to_base(proposed, customer.currency or "CNY", rates),
        "approval_tiers": None,  # decided by the matrix in every approval round
    }


def _proposed_limit(recommendation: str, given: Any, current: Decimal, grade: str) -> Decimal:
    if recommendation == Recommendation.KEEP:
        return current
    if recommendation == Recommendation.SUSPEND:
        return Decimal(0)
    if given in (None, ""):
        raise Invalid.field("proposed_limit", f"a proposed limit is needed to {recommendation}")
    proposed = Decimal(str(given))
    if proposed < 0 or not proposed.is_finite():
        raise Invalid.field("proposed_limit", "must be 0 or more")
    if recommendation == Recommendation.INCREASE:
        if proposed <= current:
            raise Invalid.field("proposed_limit", f"an increase must exceed the limit {current}")
        if grade == "E":
            raise Invalid.field("recommendation", "a grade E customer gets no increase")
    elif proposed >= current:
        raise Invalid.field("proposed_limit", f"a decrease must be below the limit {current}")
    return proposed


def _requested_terms(ctx: StepContext, customer_id: int) -> int | None:
    """The terms the customer asked for in its latest application (a cap on the grade's)."""
    return ctx.session.scalar(
        sa.select(CreditApplication.requested_terms_days)
        .where(CreditApplication.customer_id == customer_id)
        .order_by(CreditApplication.id.desc())
        .limit(1)
    )


def _round(ctx: StepContext, review: CreditReview) -> tuple[int, list[ReviewApproval]]:
    returns = ctx.session.scalar(
        sa.select(sa.func.count()).where(
            ReviewApproval.review_id == review.id, ReviewApproval.decision == "return"
        )
    )
    round_no = 1 + int(returns or 0)
    done = ctx.session.scalars(
        sa.select(ReviewApproval)
        .where(ReviewApproval.review_id == review.id, ReviewApproval.round == round_no)
        .order_by(ReviewApproval.id)
    )
    return round_no, list(done)


def required_tiers(ctx: StepContext, review: CreditReview, rates: dict[str, str]) -> list[str]:
    """The tiers the approval matrix requires for the review's grade and proposed limit."""
    customer = ctx.session.get(Customer, review.customer_id)
    limit_cny = to_base(Decimal(review.proposed_limit or 0), customer.currency or "CNY", rates)
    result = ctx.decide(
        "approval_matrix",
        {
            "grade": review.grade,
            "requested_limit_cny": limit_cny,
            "limit_change": review.recommendation,
        },
    )
    return [str(tier) for tier in result.get("approval_tiers") or []]


def record_approval(
    ctx: StepContext, data: dict[str, Any], rates: dict[str, str]
) -> dict[str, Any]:
    """Record one tier's decision on the review (the next tier due, four-eyes)."""
    review = review_of(ctx, data)
    _stage(review, ReviewStage.IN_APPROVAL)
    tier, decision = str(data.get("current_tier")), data.get("decision")
    if decision not in DECISIONS:
        raise Invalid.field("decision", f"must be one of {', '.join(DECISIONS)}")
    if ctx.actor == review.analyst:
        raise Forbidden(f"four-eyes rule: {ctx.actor} assessed review {review.id}")
    round_no, done = _round(ctx, review)
    if ctx.actor in {a.user for a in done}:
        raise Forbidden(f"four-eyes rule: {ctx.actor} already decided a tier of this round")
    pending = [t for t in required_tiers(ctx, review, rates) if t not in {a.tier for a in done}]
    if not pending or pending[0] != tier:
        raise Forbidden(
            f"tier '{tier}' is not the next tier to decide on review {review.id} "
            f"(next: {pending[0] if pending else 'none'})"
        )
    comment = (data.get("comment") or "").strip()
    if decision in ("reject", "return") and not comment:
        raise Invalid.field("comment", f"a comment is required to {decision}")
    limit = _approved_limit(review, done, data.get("approved_limit"))
    ctx.session.add(
        ReviewApproval(
            review_id=review.id,
            round=round_no,
            tier=tier,
            user=ctx.actor,
            decision=decision,
            comment=comment,
            approved_limit=limit if decision == "approve" else None,
            at=to_db(ctx.now),
        )
    )
    ctx.session.flush()
    ctx.audit(
        "review_approval_recorded",
        {"review_id": review.id, "tier": tier, "decision": decision, "approved_limit": limit},
    )
    return {"approvers": list(data.get("approvers") or []) + [ctx.actor], "approved_limit": None}


def _approved_limit(review: CreditReview, done: list[ReviewApproval], chosen: Any) -> Decimal:
    """The limit this approver grants: at most what the analyst and earlier tiers proposed."""
    cap = min(
        [Decimal(review.proposed_limit or 0)]
        + [Decimal(a.approved_limit) for a in done if a.approved_limit is not None]
    )
    if chosen in (None, ""):
        return cap
    limit = Decimal(str(chosen))
    if review.recommendation in _FIXED and limit != cap:
        raise Invalid.field(
            "approved_limit", f"a review that recommends {review.recommendation} sets {cap}"
        )
    if limit > cap or limit < 0:
        raise Invalid.field("approved_limit", f"must be from 0 to {cap} (only lowered)")
    return limit


def complete(ctx: StepContext, data: dict[str, Any], rates: dict[str, str]) -> dict[str, Any]:
    """Apply the approved review: limit, grade, terms, next review date (suspend: hold)."""
    review = review_of(ctx, data)
    _stage(review, ReviewStage.IN_APPROVAL)
    round_no, done = _round(ctx, review)
    approvals = {a.tier: a for a in done if a.decision == "approve"}
    required = required_tiers(ctx, review, rates)
    people = [approvals[t].user for t in required if t in approvals]
    if not required or len(people) != len(required) or any(a.decision != "approve" for a in done):
        raise Forbidden(f"review {review.id} lacks the approvals of {required} in round {round_no}")
    if len(set(people)) != len(people) or review.analyst in people:
        raise Forbidden(f"four-eyes rule broken on review {review.id}: approvers {people}")
    customer = ctx.session.get(Customer, review.customer_id)
    limit = min(Decimal(approvals[t].approved_limit) for t in required)
    if review.recommendation == Recommendation.KEEP:
        limit = Decimal(customer.credit_limit or 0)
    months = int((review.assessment or {})["review_months"])
    review_due = add_months(ctx.today, months)
    customer.credit_limit, customer.payment_terms_days = limit, review.terms_days
    customer.grade, customer.score, customer.review_due_on = review.grade, review.score, review_due
    review.approved_limit, review.review_due_on = limit, review_due
    review.status, review.stage = ReviewStatus.COMPLETED.value, ReviewStage.DONE.value
    review.outcome, review.completed_at = review.recommendation, to_db(ctx.now)
    ctx.session.add(
        CreditHistory(
            customer_id=customer.id,
            review_id=review.id,
            grade=review.grade,
            score=review.score,
            credit_limit=limit,
            payment_terms_days=review.terms_days,
            review_due_on=review_due,
            effective_on=ctx.today,
            at=to_db(ctx.now),
        )
    )
    reason = f"periodic review {review.id}: {review.recommendation}"
    if review.recommendation == Recommendation.SUSPEND:
        place_hold(
            ctx.session,
            ctx.now,
            ctx.actor,
            customer.id,
            HoldSource.REVIEW,
            reason,
            f"review:{review.id}",
        )
    else:
        lift_holds(ctx.session, ctx.now, ctx.actor, customer.id, Lifter.REVIEW, reason)
    customer_changed(ctx.session, customer.id)
    ctx.audit(
        "review_completed",
        {
            "review_id": review.id,
            "customer_id": customer.id,
            "outcome": review.outcome,
            "credit_limit": limit,
            "grade": review.grade,
            "payment_terms_days": review.terms_days,
            "review_due_on": review_due,
        },
    )
    return {"approved_limit_final": limit, "review_due_on": review_due}


def _latest_decision(ctx: StepContext, review: CreditReview) -> str | None:
    return ctx.session.scalar(
        sa.select(ReviewApproval.decision)
        .where(ReviewApproval.review_id == review.id)
        .order_by(ReviewApproval.id.desc())
        .limit(1)
    )


def reject(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Close a review a tier rejected: nothing changes on the customer."""
    review = review_of(ctx, data)
    _stage(review, ReviewStage.IN_APPROVAL)
    if _latest_decision(ctx, review) != "reject":
        raise Forbidden(f"no tier rejected review {review.id}")
    review.status, review.stage = ReviewStatus.COMPLETED.value, ReviewStage.DONE.value
    review.outcome, review.completed_at = "rejected", to_db(ctx.now)
    ctx.audit("review_rejected", {"review_id": review.id, "customer_id": review.customer_id})
    return {}


def mark_returned(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Send a review a tier returned back to the analyst."""
    review = review_of(ctx, data)
    _stage(review, ReviewStage.IN_APPROVAL)
    if _latest_decision(ctx, review) != "return":
        raise Forbidden(f"no tier returned review {review.id}")
    review.stage = ReviewStage.RETURNED.value
    return {}
