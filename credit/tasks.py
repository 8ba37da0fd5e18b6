"""Service-task functions of the credit processes, registered by name with the engine."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from credit import approvals, limits, review_tasks, scorecard
from credit.models import (
    ApplicationStatus,
    Approval,
    CreditApplication,
    CreditHistory,
    Customer,
    Security,
)
from credit.scoring_inputs import scoring_inputs_for
from credit.terms import active_terms, add_months
from credit.watch import customer_changed
from engine.audit import plain
from engine.clock import to_db
from engine.errors import Forbidden, Invalid
from engine.services import ServiceRegistry, StepContext


def _application(ctx: StepContext, data: dict[str, Any]) -> CreditApplication:
    return approvals.application(ctx, data)


def load_application(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Put the application and customer facts into the process data."""
    app = _application(ctx, data)
    customer = ctx.session.get(Customer, app.customer_id)
    return {
        "customer_id": customer.id,
        "customer_name": customer.name,
        "requested_limit": app.requested_limit,
        "currency": app.currency,
        "requested_terms_days": app.requested_terms_days,
        "expected_monthly_purchases": app.expected_monthly_purchases,
        "applicant": app.applicant,
        "case_workers": [app.applicant],
        "approvers": [],
        "industry_risk": customer.industry_risk,
        "limit_change": "application",  # an approval_matrix input (reviews give theirs)
    }


def scoring_inputs(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Ratios of the latest statement, the latest credit report and our payment history."""
    app = _application(ctx, data)
    customer = ctx.session.get(Customer, app.customer_id)
    return {
        **scoring_inputs_for(ctx.session, customer, ctx.today, data.get("years_in_business")),
        # Spiff merges COLLECT lists into existing ones; clear the last run's rows first.
        "factor": None,
        "points": None,
        "max_points": None,
        "reason_code": None,
    }


def total_score(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Sum the scorecard rows and rank the reason codes."""
    score, reasons = scorecard.score_and_reasons(data)
    return {"score": score, "reason_codes": reasons}


def suggest_terms(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Suggested limit and terms from the grade or the override, saved on the application."""
    app = _application(ctx, data)
    approvals.require_status(app, ApplicationStatus.IN_ASSESSMENT, ApplicationStatus.RETURNED)
    approvals.check_analyst(ctx, app)
    overrides = {
        k: data.get(k) for k in ("override_grade", "override_limit", "override_terms_days")
    }
    overriding = {k: v for k, v in overrides.items() if v not in (None, "")}
    reason = (data.get("override_reason") or "").strip()
    if overriding and not reason:
        raise Invalid.field(
            "override_reason",
            "a written reason is required to override "
            + ", ".join(k.removeprefix("override_") for k in overriding),
        )
    model_grade = data["grade"]
    grade = overriding.get("override_grade") or model_grade
    terms = ctx.decide("grade_terms", {"grade": grade}) if grade != model_grade else data
    on = ctx.today
    securities = ctx.session.scalars(
        sa.select(Security).where(Security.customer_id == app.customer_id)
    ).all()
    weights = {
        kind: ctx.decide("security_cover", {"kind": kind})["weight"]
        for kind in {s.kind for s in securities}
    }
    cover = limits.security_cover(
        [(s.kind, s.amount, s.expires_on) for s in securities], weights, on
    )
    suggested = limits.suggested_limit(
        data.get("equity"),
        app.expected_monthly_purchases,
        Decimal(str(terms["limit_factor"])),
        cover,
    )
    computed = suggested
    if "override_limit" in overriding:
        suggested = Decimal(str(overriding["override_limit"]))
    suggested_terms = active_terms(int(terms["terms_days"]), app.requested_terms_days)
    if "override_terms_days" in overriding:
        suggested_terms = int(overriding["override_terms_days"])
    app.score, app.grade, app.reason_codes = data["score"], grade, list(data["reason_codes"])
    app.suggested_limit, app.suggested_terms_days = suggested, suggested_terms
    app.analyst = ctx.actor  # who completed the assessment in this step, not task data
    app.status = ApplicationStatus.IN_APPROVAL.value
    app.assessment = plain(
        {
            "ratios": data.get("ratios"),
            "model_grade": model_grade,
            "computed_limit": computed,
            "security_cover": cover,
            "review_months": int(terms["review_months"]),
            "grade_terms_days": terms["terms_days"],
            "overrides": overriding,
            "override_reason": reason or None,
            "years_in_business": data.get("years_in_business"),
            "qualitative_rating": data.get("qualitative_rating"),
            "external_score": data.get("external_score"),
            "max_days_past_due": data.get("max_days_past_due"),
            "altman_zone": data.get("altman_zone"),
            "industry_risk": data.get("industry_risk"),
            "comment": data.get("comment"),
            "factors": scorecard.factor_rows(data),
        }
    )
    if overriding:
        ctx.audit(
            "assessment_overridden",
            {"application_id": app.id, **overriding, "reason": reason, "model_grade": model_grade},
        )
    ctx.audit(
        "application_scored",
        {
            "application_id": app.id,
            "score": data["score"],
            "grade": grade,
            "suggested_limit": suggested,
        },
    )
    return {
        "grade": grade,
        "suggested_limit": suggested,
        "suggested_terms_days": suggested_terms,
        "review_months": terms["review_months"],
        "limit_factor": terms["limit_factor"],
        "terms_days": terms["terms_days"],
        "approval_tiers": None,  # re-decided by the matrix in every approval round
    }


def record_approval(
    ctx: StepContext, data: dict[str, Any], rates: dict[str, str]
) -> dict[str, Any]:
    """Record one tier's decision; an approver may lower the limit, never raise it.

    The tiers of `tiered_approval` serve applications and periodic reviews alike; a review's
    decision is recorded on the review (credit.review_tasks). For an application the tier must
    be the next one the approval matrix requires, the approver neither the applicant, the
    analyst nor an earlier approver of the round (all read from the database).
    """
    if ctx.process_key == review_tasks.PROCESS_KEY:
        return review_tasks.record_approval(ctx, data, rates)
    app = _application(ctx, data)
    tier = str(data.get("current_tier"))
    round_no = approvals.check_may_approve(ctx, app, tier, rates)
    decision = data["decision"]
    comment = (data.get("comment") or "").strip()
    if decision in ("reject", "return") and not comment:
        raise Invalid.field("comment", f"a comment is required to {decision}")
    cap = approvals.limit_cap(ctx, app)
    chosen = data.get("approved_limit")
    limit = cap if chosen in (None, "") else Decimal(str(chosen))
    if limit > cap:
        raise Invalid.field(
            "approved_limit", f"may not exceed {cap} (an approver may only lower it)"
        )
    ctx.session.add(
        Approval(
            application_id=app.id,
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
        "approval_recorded",
        {
            "application_id": app.id,
            "tier": tier,
            "decision": decision,
            "approved_limit": limit,
            "comment": comment,
        },
    )
    return {
        "approvers": list(data.get("approvers") or []) + [ctx.actor],
        "approved_limit_cap": limit if decision == "approve" else cap,
        "approved_limit": None,
        "approval_round": round_no + (1 if decision == "return" else 0),
    }


def activate_limit(ctx: StepContext, data: dict[str, Any], rates: dict[str, str]) -> dict[str, Any]:
    """Make the approved limit, terms, grade and next review date active on the customer.

    Everything comes from the database: the application must be in approval and every tier the
    matrix requires must have approved it in this round, by distinct people other than the
    applicant and the analyst; the limit is the lowest one they approved.
    """
    app = _application(ctx, data)
    limit = approvals.approved_limit(ctx, app, rates)
    customer = ctx.session.get(Customer, app.customer_id)
    on = ctx.today
    review_due = add_months(on, int((app.assessment or {})["review_months"]))
    app.status, app.approved_limit = ApplicationStatus.APPROVED.value, limit
    app.approved_terms_days, app.decided_at = app.suggested_terms_days, to_db(ctx.now)
    customer.credit_limit, customer.currency = limit, app.currency
    customer.payment_terms_days = app.suggested_terms_days
    customer.grade, customer.score = app.grade, app.score
    customer.review_due_on, customer.limit_active_since = review_due, on
    ctx.session.add(
        CreditHistory(
            customer_id=customer.id,
            application_id=app.id,
            grade=app.grade,
            score=app.score,
            credit_limit=limit,
            payment_terms_days=app.suggested_terms_days,
            review_due_on=review_due,
            effective_on=on,
            at=to_db(ctx.now),
        )
    )
    ctx.audit(
        "limit_activated",
        {
            "application_id": app.id,
            "customer_id": customer.id,
            "credit_limit": limit,
            "grade": app.grade,
            "payment_terms_days": app.suggested_terms_days,
            "review_due_on": review_due,
        },
    )
    customer_changed(ctx.session, customer.id)
    ctx.emit(
        "application_decided",
        application_id=app.id,
        decision="approved",
        applicant=app.applicant,
        approved_limit=str(limit),
        currency=app.currency,
        terms_days=app.suggested_terms_days,
        grade=app.grade,
    )
    return {"approved_limit_final": limit, "review_due_on": review_due}


def reject_application(ctx: StepContext, data: dict[str, Any], automatic: Any = False) -> dict:
    """Close the application as rejected (by a tier, or automatically for grade E)."""
    app = _application(ctx, data)
    approvals.require_status(app, ApplicationStatus.IN_APPROVAL)
    if automatic and app.grade != "E":
        raise Forbidden(f"application {app.id} is grade {app.grade}; only grade E is automatic")
    if not automatic and not approvals.has_decision(ctx, app, "reject"):
        raise Forbidden(f"no tier rejected application {app.id}")
    app.status, app.decided_at = ApplicationStatus.REJECTED.value, to_db(ctx.now)
    customer_changed(ctx.session, app.customer_id)
    ctx.audit(
        "application_rejected",
        {
            "application_id": app.id,
            "automatic": bool(automatic),
            "reason_codes": list(app.reason_codes or []),
        },
    )
    ctx.emit(
        "application_decided", application_id=app.id, decision="rejected", applicant=app.applicant
    )
    return {"rejected_automatically": bool(automatic)}


def set_status(ctx: StepContext, data: dict[str, Any], status: str) -> dict[str, Any]:
    """Mark the application returned for information, after a tier returned it."""
    app = _application(ctx, data)
    if status != ApplicationStatus.RETURNED:
        raise Forbidden(f"set_status may only mark an application returned, not {status!r}")
    approvals.require_status(app, ApplicationStatus.IN_APPROVAL)
    if not approvals.has_decision(ctx, app, "return"):
        raise Forbidden(f"no tier returned application {app.id}")
    app.status = ApplicationStatus(status).value
    if status == ApplicationStatus.RETURNED:
        ctx.emit(
            "application_decided",
            application_id=app.id,
            decision="returned",
            applicant=app.applicant,
        )
    return {}


def register(services: ServiceRegistry, rates: dict[str, str]) -> None:
    """Register every credit operation under its BPMN name, confined to the credit processes.

    :param rates: the configured exchange rates (the approval matrix reads limits in CNY).
    """
    services.started_by_domain(approvals.PROCESS_KEY, review_tasks.PROCESS_KEY)

    def with_rates(function: Any) -> Any:
        def run(ctx: StepContext, data: dict[str, Any], **params: Any) -> Any:
            return function(ctx, data, dict(rates), **params)

        return run

    for name, function in {
        "credit.load_application": load_application,
        "credit.scoring_inputs": scoring_inputs,
        "credit.total_score": total_score,
        "credit.suggest_terms": suggest_terms,
        "credit.activate_limit": with_rates(activate_limit),
        "credit.reject_application": reject_application,
        "credit.set_status": set_status,
    }.items():
        services.register(name, function, process_keys=(approvals.PROCESS_KEY,))
    # tiered_approval records its decisions for applications and for periodic reviews.
    services.register(
        "credit.record_approval",
        with_rates(record_approval),
        process_keys=(approvals.PROCESS_KEY, review_tasks.PROCESS_KEY),
    )
    for name, function in {
        "review.prepare": review_tasks.prepare,
        "review.assess": with_rates(review_tasks.assess),
        "review.complete": with_rates(review_tasks.complete),
        "review.reject": review_tasks.reject,
        "review.mark_returned": review_tasks.mark_returned,
    }.items():
        services.register(name, function, process_keys=(review_tasks.PROCESS_KEY,))
