"""What the database says about an application's approvals: rounds, required tiers, four-eyes.

Service tasks that record decisions or activate limits check these facts themselves, so a
model that calls them with made-up task data cannot skip a tier, reuse an approver or raise
a limit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from credit.models import ApplicationStatus, Approval, CreditApplication
from credit.terms import to_base
from engine.errors import Conflict, Forbidden, NotFound
from engine.services import StepContext

PROCESS_KEY = "credit_application"


def application(ctx: StepContext, data: dict[str, Any]) -> CreditApplication:
    """The application of this instance: the id in the data must be the instance's own."""
    raw = data.get("application_id")
    if str(raw) != str(ctx.business_key) or not str(raw).isdigit():
        raise Forbidden(
            f"application {raw!r} is not the application of instance {ctx.instance_id} "
            f"(business key {ctx.business_key!r})"
        )
    app = ctx.session.get(CreditApplication, int(raw))
    if app is None or app.process_instance_id not in (None, ctx.instance_id):
        raise NotFound(f"credit application {raw} does not belong to instance {ctx.instance_id}")
    return app


def require_status(app: CreditApplication, *allowed: ApplicationStatus) -> None:
    """Refuse to act on an application in another state (a conflict: it moved on)."""
    if app.status not in allowed:
        raise Conflict(
            f"credit application {app.id} is {app.status}; this step needs "
            + " or ".join(str(s) for s in allowed)
        )


def current_round(ctx: StepContext, app: CreditApplication) -> int:
    """The approval round: one more than the number of times a tier returned the case."""
    returns = ctx.session.scalar(
        sa.select(sa.func.count()).where(
            Approval.application_id == app.id, Approval.decision == "return"
        )
    )
    return 1 + int(returns or 0)


def round_approvals(ctx: StepContext, app: CreditApplication, round_no: int) -> list[Approval]:
    """The decisions of one round, in order."""
    return list(
        ctx.session.scalars(
            sa.select(Approval)
            .where(Approval.application_id == app.id, Approval.round == round_no)
            .order_by(Approval.id)
        )
    )


def required_tiers(ctx: StepContext, app: CreditApplication, rates: dict[str, str]) -> list[str]:
    """The tiers the approval matrix (DMN) requires for this application's grade and limit."""
    limit_cny = to_base(Decimal(app.requested_limit), app.currency, rates)
    inputs = {"grade": app.grade, "requested_limit_cny": limit_cny, "limit_change": "application"}
    result = ctx.decide("approval_matrix", inputs)
    return [str(tier) for tier in result.get("approval_tiers") or []]


def excluded(app: CreditApplication) -> set[str]:
    """Who may not approve: the applicant and the analyst who assessed the case."""
    return {name for name in (app.applicant, app.analyst) if name}


def check_may_approve(
    ctx: StepContext, app: CreditApplication, tier: str, rates: dict[str, str]
) -> int:
    """Check the actor may decide this tier now (the next one due, four-eyes); return the round."""
    require_status(app, ApplicationStatus.IN_APPROVAL)
    if ctx.actor in excluded(app):
        raise Forbidden(f"four-eyes rule: {ctx.actor} applied for or assessed application {app.id}")
    round_no = current_round(ctx, app)
    done = round_approvals(ctx, app, round_no)
    if tier in {a.tier for a in done}:
        raise Conflict(f"tier '{tier}' of application {app.id} was decided meanwhile; reload")
    if ctx.actor in {a.user for a in done}:
        raise Forbidden(f"four-eyes rule: {ctx.actor} already decided a tier of this round")
    pending = [t for t in required_tiers(ctx, app, rates) if t not in {a.tier for a in done}]
    if not pending or pending[0] != tier:
        raise Forbidden(
            f"tier '{tier}' is not the next tier to decide on application {app.id} "
            f"(next: {pending[0] if pending else 'none'})"
        )
    return round_no


def approved_limit(ctx: StepContext, app: CreditApplication, rates: dict[str, str]) -> Decimal:
    """The limit every required tier approved in the current round, by distinct people.

    :raises Forbidden: when a tier is missing, or an approver is excluded or repeated.
    """
    require_status(app, ApplicationStatus.IN_APPROVAL)
    decisions = round_approvals(ctx, app, current_round(ctx, app))
    approvals = {a.tier: a for a in decisions if a.decision == "approve"}
    required = required_tiers(ctx, app, rates)
    missing = [tier for tier in required if tier not in approvals]
    if not required or missing:
        raise Forbidden(
            f"application {app.id} lacks the approval of {missing or 'any tier'} in this round"
        )
    people = [approvals[tier].user for tier in required]
    if len(set(people)) != len(people) or set(people) & excluded(app):
        raise Forbidden(f"four-eyes rule broken on application {app.id}: approvers {people}")
    if any(a.decision != "approve" for a in decisions):
        raise Forbidden(f"application {app.id} has a rejection or return in this round")
    limits = [approvals[t].approved_limit for t in required if approvals[t].approved_limit]
    return min([Decimal(app.requested_limit), *limits])


def limit_cap(ctx: StepContext, app: CreditApplication) -> Decimal:
    """The most the next approver may grant: the lowest limit approved so far this round."""
    decisions = round_approvals(ctx, app, current_round(ctx, app))
    limits = [a.approved_limit for a in decisions if a.approved_limit is not None]
    return min([Decimal(app.requested_limit), *limits])


def has_decision(ctx: StepContext, app: CreditApplication, decision: str) -> bool:
    """Whether the latest decision on the application is `decision` (reject / return)."""
    last = ctx.session.scalar(
        sa.select(Approval)
        .where(Approval.application_id == app.id)
        .order_by(Approval.id.desc())
        .limit(1)
    )
    return last is not None and last.decision == decision


def check_analyst(ctx: StepContext, app: CreditApplication) -> None:
    """Four-eyes on assessment: the applicant may not assess their own application."""
    if ctx.actor == app.applicant:
        raise Forbidden(
            f"four-eyes rule: {ctx.actor} filed application {app.id} and may not assess it"
        )
