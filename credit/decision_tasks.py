"""Service tasks of the ``credit_decision`` process (a blocked order's release decision).

They are privileged: each runs only inside a credit_decision instance and re-reads what it
relies on from the database (the blocked check, the customer, the recorded tier decisions),
never from task data. ``apply_credit_decision`` grants a release only when every tier the
approval matrix requires for the excess agreed, in order, each by a different person.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from credit.check_models import CheckDecision, CreditCheck, CreditRelease, ReleaseKind, ReleaseVote
from credit.credit_check import PROCESS_KEY
from credit.exposure import ZERO
from credit.models import Customer
from credit.releases import sales_rep_of
from engine.clock import to_db
from engine.errors import Conflict, Forbidden, Invalid
from engine.models import User
from engine.services import ServiceRegistry, StepContext

# An ungraded customer (e.g. one without a limit) is routed like grade D: the strictest tiers.
UNGRADED_AS = "D"


def _guard(ctx: StepContext) -> None:
    if ctx.process_key != PROCESS_KEY:
        raise Forbidden(f"this service runs only in {PROCESS_KEY}, not in {ctx.process_key}")


def _blocked_check(ctx: StepContext, data: dict[str, Any]) -> CreditCheck:
    check = ctx.session.get(CreditCheck, int(data["check_id"]))
    if (
        check is None
        or check.decision != CheckDecision.BLOCK
        or check.order_ref != ctx.business_key
    ):
        raise Conflict(
            f"credit check {data.get('check_id')} is not a blocked check "
            f"of order {ctx.business_key}"
        )
    return check


def _excess(check: CreditCheck) -> Decimal:
    """How far the order takes the exposure above the limit (CNY, 0 when within it)."""
    wanted = Decimal(check.exposure_before) + Decimal(check.amount_cny)
    return max(ZERO, wanted - Decimal(check.credit_limit or 0))


def _matrix_inputs(ctx: StepContext, check: CreditCheck) -> dict[str, Any]:
    customer = ctx.session.get(Customer, check.customer_id)
    # The matrix reads the excess like an application's requested limit.
    return {
        "grade": customer.grade or UNGRADED_AS,
        "requested_limit_cny": _excess(check),
        "limit_change": "application",
    }


def load_release_request(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Put the blocked check's facts into the process (and the approval matrix's inputs)."""
    _guard(ctx)
    check = _blocked_check(ctx, data)
    customer = ctx.session.get(Customer, check.customer_id)
    return {
        **_matrix_inputs(ctx, check),
        "customer_id": customer.id,
        "customer_name": customer.name,
        "order_ref": check.order_ref,
        "amount": check.amount,
        "currency": check.currency,
        "amount_cny": check.amount_cny,
        "credit_limit": check.credit_limit,
        "exposure": check.exposure_before,
        "excess_cny": _excess(check),
        "blocked_reasons": list(check.reasons),
        "deciders": [],
    }


def record_decision_vote(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Record one tier's decision: a written reason; a temporary limit needs amount and date."""
    _guard(ctx)
    check = _blocked_check(ctx, data)
    decision, reason = data.get("decision"), (data.get("reason") or "").strip()
    if decision not in set(ReleaseKind):
        raise Invalid.field("decision", f"must be one of {', '.join(ReleaseKind)}")
    if not reason:
        raise Invalid.field("reason", "a credit decision needs a written reason")
    temporary, until = data.get("temporary_limit"), data.get("valid_until")
    if decision == ReleaseKind.TEMPORARY_LIMIT:
        if temporary in (None, "") or Decimal(str(temporary)) <= 0:
            raise Invalid.field("temporary_limit", "a temporary limit needs an amount above 0")
        if until in (None, "") or until < ctx.today:
            raise Invalid.field("valid_until", f"a temporary limit needs a date from {ctx.today}")
    tier = str(data["current_tier"])
    user = ctx.session.scalar(sa.select(User).where(User.username == ctx.actor))
    if user is None or tier not in user.group_names:
        raise Forbidden(f"user '{ctx.actor}' is not in the group {tier}")
    earlier = ctx.session.scalar(
        sa.select(ReleaseVote.tier).where(
            ReleaseVote.instance_id == ctx.instance_id, ReleaseVote.user == ctx.actor
        )
    )
    if earlier is not None:
        raise Forbidden(f"four-eyes rule: '{ctx.actor}' already decided as {earlier}")
    is_temporary = decision == ReleaseKind.TEMPORARY_LIMIT
    vote = ReleaseVote(
        instance_id=ctx.instance_id,
        check_id=check.id,
        tier=tier,
        user=ctx.actor,
        decision=decision,
        reason=reason,
        temporary_limit=Decimal(str(temporary)) if is_temporary else None,
        valid_until=until if is_temporary else None,
        at=to_db(ctx.now),
    )
    ctx.session.add(vote)
    ctx.audit(
        "credit_decision_vote",
        {
            "order_ref": check.order_ref,
            "customer_id": check.customer_id,
            "tier": tier,
            "decision": decision,
            "reason": reason,
            "temporary_limit": vote.temporary_limit,
            "valid_until": vote.valid_until,
        },
    )
    # The next tier's form starts empty (decision and reason are cleared after the gateway).
    return {"temporary_limit": None, "valid_until": None}


def apply_credit_decision(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Grant the release (or record the rejection) the recorded tier decisions support."""
    _guard(ctx)
    check = _blocked_check(ctx, data)
    votes = list(
        ctx.session.scalars(
            sa.select(ReleaseVote)
            .where(ReleaseVote.instance_id == ctx.instance_id)
            .order_by(ReleaseVote.id)
        )
    )
    final = _final_vote(ctx, check, votes)
    existing = ctx.session.scalar(
        sa.select(CreditRelease).where(CreditRelease.instance_id == ctx.instance_id)
    )
    if existing is not None:
        raise Conflict(f"credit decision {ctx.instance_id} was already applied")
    amount_cny = (
        final.temporary_limit if final.decision == ReleaseKind.TEMPORARY_LIMIT else check.amount_cny
    )
    release = CreditRelease(
        instance_id=ctx.instance_id,
        check_id=check.id,
        customer_id=check.customer_id,
        order_ref=check.order_ref,
        kind=final.decision,
        amount_cny=amount_cny,
        valid_until=final.valid_until,
        reason=final.reason,
        decided_by=final.user,
        decided_at=to_db(ctx.now),
    )
    ctx.session.add(release)
    ctx.session.flush()
    customer = ctx.session.get(Customer, check.customer_id)
    ctx.audit(
        "credit_decision_made",
        {
            "release_id": release.id,
            "order_ref": check.order_ref,
            "customer_id": customer.id,
            "decision": final.decision,
            "amount_cny": amount_cny,
            "valid_until": final.valid_until,
            "reason": final.reason,
            "tiers": [(vote.tier, vote.user, vote.decision) for vote in votes],
        },
    )
    ctx.emit(
        "credit_decision_made",
        order_ref=check.order_ref,
        customer_id=customer.id,
        customer_name=customer.name,
        decision=final.decision,
        reason=final.reason,
        amount=check.amount,
        currency=check.currency,
        temporary_limit=release.amount_cny
        if final.decision == ReleaseKind.TEMPORARY_LIMIT
        else None,
        valid_until=final.valid_until,
        sales_rep=sales_rep_of(ctx.session, customer.id),
    )
    return {"outcome": final.decision, "release_id": release.id}


def _final_vote(ctx: StepContext, check: CreditCheck, votes: list[ReleaseVote]) -> ReleaseVote:
    """A reject ends the decision; a release needs every required tier, in order."""
    if not votes:
        raise Conflict(f"credit decision {ctx.instance_id} has no recorded tier decision")
    if len({vote.user for vote in votes}) != len(votes):
        raise Forbidden("four-eyes rule: one person decided two tiers")
    rejected = [vote for vote in votes if vote.decision == ReleaseKind.REJECT]
    if rejected:
        return rejected[0]
    tiers = list(ctx.decide("approval_matrix", _matrix_inputs(ctx, check))["approval_tiers"])
    required = tiers if tiers[:1] == ["credit_manager"] else ["credit_manager", *tiers]
    decided = [vote.tier for vote in votes]
    if decided != required:
        raise Conflict(
            f"a release of {check.order_ref} needs the tiers {required}; decided: {decided}"
        )
    return votes[-1]


def register(services: ServiceRegistry) -> None:
    """Register the credit_decision operations, confined to `credit_decision` instances, which
    only `request_release` starts."""
    for name, function in {
        "credit.load_release_request": load_release_request,
        "credit.record_decision_vote": record_decision_vote,
        "credit.apply_credit_decision": apply_credit_decision,
    }.items():
        services.register(name, function, process_keys=(PROCESS_KEY,))
    services.started_by_domain(PROCESS_KEY)
