"""Service tasks of collection_escalation that record people's decisions.

Calls, demand letters, legal review, write-off approvals, promises and disputes. Each checks the
case in the database (the stage it is at, the task it owes, who decided before) and the
decider's group from the database; money moves only through the ledger's own services
(credit notes, write-offs), which check the invoices themselves.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from credit.adjustments import issue_credit_note
from credit.adjustments import write_off as write_off_invoice
from credit.collection_ladder import Stage
from credit.collection_models import CollectionCase
from credit.collections import (
    case_of,
    customer_of,
    events_of,
    in_group,
    load_ladder,
    overdue_invoices,
)
from credit.collections import record as record_event
from credit.ledger import get_invoice, invoice_by_number
from credit.receivable_models import InvoiceStatus
from engine.errors import Conflict, Forbidden, Invalid
from engine.services import StepContext

CALL_OUTCOMES = ("reached", "not_reached", "promise_to_pay", "dispute")
LEGAL_DECISIONS = ("sue", "arbitrate", "settle", "write_off")
TIERS = ("finance_director", "general_manager")
APPROVAL_TASK = {tier: f"approve_write_off_{tier}" for tier in TIERS}


def _owed(case: CollectionCase, stage: Stage, task: str) -> None:
    if case.stage != stage or case.awaiting != task:
        raise Conflict(
            f"collection case {case.id} is at {case.stage} and owes {case.awaiting or 'no task'}, "
            f"not {task}"
        )


def _entered(ctx: StepContext) -> dict[str, Any]:
    """What the person entered in the task this step completed (never an earlier task's data)."""
    values = list(ctx.submitted.values())
    return dict(values[-1]) if values else {}


def _text(data: dict[str, Any], key: str) -> str:
    return str(data.get(key) or "").strip()


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise Invalid.field(field, "must be a decimal amount") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise Invalid.field(field, "must be greater than 0 with at most 2 decimal places")
    return amount


def _day(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise Invalid.field(field, "must be an ISO date (YYYY-MM-DD)") from None


def _audit(ctx: StepContext, case: CollectionCase, action: str, **data: Any) -> None:
    ctx.audit(action, {"customer_id": case.customer_id, "case_id": case.id, **data})


def record_call(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Record the collector's call; a promise or a dispute pauses the ladder next."""
    data = _entered(ctx)
    case = case_of(ctx)
    _owed(case, Stage.CALL, "call_customer")
    outcome, notes = _text(data, "outcome"), _text(data, "notes")
    if outcome not in CALL_OUTCOMES:
        raise Invalid.field("outcome", f"must be one of {', '.join(CALL_OUTCOMES)}")
    result: dict[str, Any] = {"stage_outcome": "done"}
    details: dict[str, Any] = {"outcome": outcome, "notes": notes}
    if outcome == "promise_to_pay":
        amount = _money(data.get("promise_amount"), "promise_amount")
        on = _day(data.get("promise_date"), "promise_date")
        if on < ctx.today:
            raise Invalid.field("promise_date", f"must be today ({ctx.today}) or later")
        result.update(stage_outcome="promise", promise={"amount": amount, "promise_date": on})
        details.update(promise_amount=amount, promise_date=on)
    elif outcome == "dispute":
        invoices = overdue_invoices(ctx.session, case.customer_id, ctx.today)
        if not invoices:
            raise Conflict(f"customer {case.customer_id} has no overdue invoice to dispute")
        reason = notes or "disputed in the collector's call"
        result.update(
            stage_outcome="dispute",
            dispute={"invoice_number": invoices[0].number, "reason": reason},
        )
        details.update(invoice_number=invoices[0].number)
    case.awaiting = None
    record_event(ctx.session, case, "call", ctx.actor, ctx.now, **details)
    _audit(ctx, case, "collection_call_recorded", **details)
    return result


def record_letter(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Record that the demand letter went out (when and how)."""
    data = _entered(ctx)
    case = case_of(ctx)
    _owed(case, Stage.DEMAND_LETTER, "send_demand_letter")
    sent_on = _day(data.get("sent_on"), "sent_on")
    if sent_on > ctx.today:
        raise Invalid.field("sent_on", f"must not be after today ({ctx.today})")
    channel = _text(data, "channel")
    if channel not in ("post", "email", "courier"):
        raise Invalid.field("channel", "must be one of post, email, courier")
    case.awaiting = None
    record_event(
        ctx.session, case, "letter_sent", ctx.actor, ctx.now, sent_on=sent_on, channel=channel
    )
    _audit(ctx, case, "collection_letter_sent", sent_on=sent_on, channel=channel)
    return {"stage_outcome": "done"}


def record_legal(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Record the legal officer's decision; a write-off goes to the approvals next."""
    data = _entered(ctx)
    case = case_of(ctx)
    _owed(case, Stage.LEGAL, "legal_review")
    if not in_group(ctx.session, ctx.actor, "legal"):
        raise Forbidden(f"user '{ctx.actor}' is not a legal officer")
    decision, comment = _text(data, "decision"), _text(data, "comment")
    if decision not in LEGAL_DECISIONS:
        raise Invalid.field("decision", f"must be one of {', '.join(LEGAL_DECISIONS)}")
    changed = decision == "write_off"
    if changed:
        case.stage, case.awaiting = Stage.WRITE_OFF.value, APPROVAL_TASK["finance_director"]
        case.next_check_on = None
    else:
        customer = customer_of(ctx.session, case.customer_id)
        follow_up = load_ladder(ctx.decide, customer.grade).terms["legal_follow_up"]
        case.awaiting = None
        case.follow_up_on = case.next_check_on = ctx.today + dt.timedelta(days=follow_up)
    record_event(
        ctx.session,
        case,
        "legal_decision",
        ctx.actor,
        ctx.now,
        stage_changed=changed,
        decision=decision,
        comment=comment,
    )
    _audit(ctx, case, "collection_legal_decision", decision=decision, comment=comment)
    return {"legal_decision": decision, "stage_outcome": "done", "write_off_approvers": []}


def _round_approvals(ctx: StepContext, case: CollectionCase) -> list[Any]:
    """Write-off approvals since the latest legal decision to write off (the current round)."""
    events = events_of(ctx.session, case.id)
    starts = [
        i
        for i, e in enumerate(events)
        if e.kind == "legal_decision" and (e.data or {}).get("decision") == "write_off"
    ]
    if not starts:
        return []
    return [e for e in events[starts[-1] + 1 :] if e.kind == "write_off_approval"]


def record_write_off_approval(ctx: StepContext, data: dict[str, Any], tier: str) -> dict:
    """Record one tier's write-off decision: finance director first, then general manager.

    The approver must be in the tier's group and must not have approved this round already.
    A rejection sends the case back to legal review.
    """
    if tier not in TIERS:
        raise Invalid.field("tier", f"must be one of {', '.join(TIERS)}")
    data = _entered(ctx)
    case = case_of(ctx)
    _owed(case, Stage.WRITE_OFF, APPROVAL_TASK[tier])
    if not in_group(ctx.session, ctx.actor, tier):
        raise Forbidden(f"user '{ctx.actor}' is not in the group {tier}")
    earlier = _round_approvals(ctx, case)
    if any(e.actor == ctx.actor for e in earlier):
        raise Forbidden(f"four-eyes rule: '{ctx.actor}' already approved this write-off")
    decision, comment = _text(data, "decision"), _text(data, "comment")
    if decision not in ("approve", "reject"):
        raise Invalid.field("decision", "must be approve or reject")
    if decision == "reject" and not comment:
        raise Invalid.field("comment", "a comment is required to reject")
    rejected = decision == "reject"
    if rejected:
        case.stage, case.awaiting = Stage.LEGAL.value, "legal_review"
    else:
        case.awaiting = APPROVAL_TASK["general_manager"] if tier == TIERS[0] else None
    record_event(
        ctx.session,
        case,
        "write_off_approval",
        ctx.actor,
        ctx.now,
        stage_changed=rejected,
        tier=tier,
        decision=decision,
        comment=comment,
    )
    _audit(
        ctx, case, "collection_write_off_decision", tier=tier, decision=decision, comment=comment
    )
    return {
        "approval_decision": decision,
        "stage_outcome": "again" if rejected else "done",
        "write_off_approvers": [e.actor for e in earlier] + [ctx.actor],
    }


def write_off(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Write off the overdue open amounts, dated today, after both approvals of this round."""
    case = case_of(ctx)
    if case.stage != Stage.WRITE_OFF or case.awaiting is not None:
        raise Conflict(f"collection case {case.id} is not ready for a write-off ({case.stage})")
    approvals = _round_approvals(ctx, case)
    by_tier = {e.data.get("tier"): e for e in approvals if e.data.get("decision") == "approve"}
    if set(by_tier) != set(TIERS) or [e.data.get("tier") for e in approvals] != list(TIERS):
        raise Forbidden(
            f"collection case {case.id}: the write-off needs the finance director's "
            "then the general manager's approval in this round"
        )
    people = {tier: by_tier[tier].actor for tier in TIERS}
    if len(set(people.values())) != len(TIERS) or not all(
        in_group(ctx.session, user, tier) for tier, user in people.items()
    ):
        raise Forbidden(f"collection case {case.id}: the approvals need two distinct approvers")
    written = []
    for invoice in overdue_invoices(ctx.session, case.customer_id, ctx.today):
        entry = write_off_invoice(
            ctx.session,
            ctx.now,
            ctx.actor,
            invoice.id,
            ctx.today,
            f"collection escalation {ctx.instance_id}: write-off approved by "
            f"{people['finance_director']} and {people['general_manager']}",
            reference=f"collection:{case.id}:{invoice.id}",
        )
        written.append({"invoice_number": invoice.number, "amount": entry.entry.amount})
    case.outcome = "written_off"
    record_event(ctx.session, case, "written_off", ctx.actor, ctx.now, invoices=written, **people)
    _audit(ctx, case, "collection_written_off", invoices=written, approvers=people)
    return {"stage_outcome": "again"}


def record_promise(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Pause the ladder until the promised date + the grace days (a new promise replaces one)."""
    case = case_of(ctx)
    if case.stage == Stage.PAUSED_DISPUTE:
        raise Conflict(f"collection case {case.id} is paused for a dispute")
    promise = data.get("promise") or {}
    amount = _money(promise.get("amount"), "amount")
    on = _day(promise.get("promise_date"), "promise_date")
    if on < ctx.today:
        raise Invalid.field("promise_date", f"must be today ({ctx.today}) or later")
    customer = customer_of(ctx.session, case.customer_id)
    grace = load_ladder(ctx.decide, customer.grade).terms["promise_grace"]
    changed = case.stage != Stage.PAUSED_PROMISE
    if changed:
        case.paused_from = case.stage
    case.stage = Stage.PAUSED_PROMISE.value
    case.promise_amount, case.promise_date = amount, on
    case.promise_ends_on = on + dt.timedelta(days=grace)
    case.next_check_on = case.promise_ends_on + dt.timedelta(days=1)
    by = promise.get("by") or ctx.actor
    details = {"amount": amount, "promise_date": on, "until": case.promise_ends_on, "by": by}
    record_event(ctx.session, case, "promise", ctx.actor, ctx.now, stage_changed=changed, **details)
    _audit(ctx, case, "collection_promise", **details)
    return {"stage_outcome": "done", "collection_stage": case.stage}


def record_dispute(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Pause the ladder for a dispute about one open invoice; the collector resolves it."""
    case = case_of(ctx)
    if case.stage == Stage.PAUSED_DISPUTE:
        raise Conflict(f"collection case {case.id} already has an open dispute")
    dispute = data.get("dispute") or {}
    invoice = invoice_by_number(ctx.session, case.customer_id, str(dispute.get("invoice_number")))
    if invoice.status != InvoiceStatus.OPEN:
        raise Invalid.field("invoice_number", f"invoice {invoice.number} is {invoice.status}")
    reason = str(dispute.get("reason") or "").strip()
    if not reason:
        raise Invalid.field("reason", "a dispute needs a reason")
    if case.stage != Stage.PAUSED_PROMISE:
        case.paused_from = case.stage
    case.stage = Stage.PAUSED_DISPUTE.value
    case.promise_amount = case.promise_date = case.promise_ends_on = None
    case.dispute_invoice_id, case.dispute_reason, case.next_check_on = invoice.id, reason, None
    by = dispute.get("by") or ctx.actor
    details = {"invoice_number": invoice.number, "reason": reason, "by": by}
    record_event(ctx.session, case, "dispute", ctx.actor, ctx.now, stage_changed=True, **details)
    _audit(ctx, case, "collection_dispute", **details)
    return {
        "stage_outcome": "done",
        "collection_stage": case.stage,
        "dispute_invoice_number": invoice.number,
        "dispute_reason": reason,
    }


def record_resolution(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Resolve the open dispute; a valid one gets a credit note of the given amount."""
    data = _entered(ctx)
    case = case_of(ctx)
    if case.stage != Stage.PAUSED_DISPUTE or case.dispute_invoice_id is None:
        raise Conflict(f"collection case {case.id} has no open dispute")
    if not in_group(ctx.session, ctx.actor, "collector", "credit_manager"):
        raise Forbidden(f"user '{ctx.actor}' may not resolve disputes")
    resolution, comment = _text(data, "resolution"), _text(data, "comment")
    if resolution not in ("valid", "invalid"):
        raise Invalid.field("resolution", "must be valid or invalid")
    invoice = get_invoice(ctx.session, case.dispute_invoice_id)
    details: dict[str, Any] = {"resolution": resolution, "invoice_number": invoice.number}
    if resolution == "valid":
        amount = _money(data.get("credit_note_amount"), "credit_note_amount")
        note = issue_credit_note(
            ctx.session,
            ctx.now,
            ctx.actor,
            invoice.id,
            amount,
            ctx.today,
            f"valid dispute: {case.dispute_reason}" + (f" ({comment})" if comment else ""),
            reference=f"dispute:{case.id}:{ctx.now.isoformat()}",
        )
        details.update(credit_note_amount=amount, credit_note_id=note.entry.id)
    details["comment"] = comment
    case.dispute_invoice_id = None
    record_event(ctx.session, case, "dispute_resolved", ctx.actor, ctx.now, **details)
    _audit(ctx, case, "collection_dispute_resolved", **details)
    return {"stage_outcome": "done"}
