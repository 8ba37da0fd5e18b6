"""Service tasks of collection_escalation that walk the ladder: open, next step, act, close.

Each reads the case and the ledger from the database, never trusting task data, and runs only
in collection_escalation instances (``register``). Decisions recorded by people (calls, letters,
legal review, write-off approvals, promises, disputes) are in credit.collection_decisions.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from credit import holds
from credit.collection_ladder import Action, Stage, next_check, plan, rank
from credit.collection_models import CaseStatus, CollectionCase
from credit.collections import (
    PROCESS_KEY,
    case_of,
    hold_ref,
    load_ladder,
    overdue_facts,
    record,
    running_case,
    stage_task,
    state_of,
    step_customer,
)
from credit.receivable_models import CreditHold, HoldSource
from engine.clock import to_db
from engine.errors import Conflict, Forbidden
from engine.services import ServiceRegistry, StepContext

REMINDERS = (Stage.REMINDER_1, Stage.REMINDER_2)


def open_case(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Open the case of a new escalation: one running escalation per customer."""
    customer = step_customer(ctx, int(ctx.business_key or 0))
    if running_case(ctx.session, customer.id) is not None:
        raise Conflict(f"customer {customer.id} already has a running collection escalation")
    case = CollectionCase(
        customer_id=customer.id,
        instance_id=ctx.instance_id,
        status=CaseStatus.RUNNING.value,
        started_on=ctx.today,
        started_at=to_db(ctx.now),
        updated_at=to_db(ctx.now),
    )
    ctx.session.add(case)
    ctx.session.flush()
    ctx.kept[CollectionCase] = case
    record(ctx.session, case, "opened", ctx.actor, ctx.now)
    ctx.audit("collection_opened", {"customer_id": customer.id, "case_id": case.id})
    return {"customer_id": customer.id, "customer_name": customer.name, "case_id": case.id}


def next_step(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Decide the next ladder step from the case and the ledger; take stage changes."""
    case = case_of(ctx)
    customer = step_customer(ctx, case.customer_id)
    ladder = load_ladder(ctx.decide, customer.grade)
    facts = overdue_facts(ctx.session, case.customer_id, ctx.today)
    step = plan(state_of(case), facts, ladder)
    context = {
        "overdue_amount": facts.overdue_amount,
        "days_past_due": facts.days_past_due,
        "stage_outcome": "done",
    }
    if step.action == Action.CLOSE:
        return {**context, "step": "close", "collection_stage": case.stage}
    if step.action == Action.WAIT:
        case.next_check_on = step.next_check_on
        return {**context, "step": "wait", "collection_stage": case.stage}
    if step.reason == "promise_broken":
        record(ctx.session, case, "promise_broken", ctx.actor, ctx.now, date=case.promise_date)
        ctx.emit(
            "notice",
            template="collection_promise_broken",
            key=f"collection_promise_broken:{case.id}:{case.promise_date}",
            groups=["collector"],
            values=_values(customer, facts),
        )
    previous = case.stage
    case.stage = case.ladder_stage = step.stage.value
    case.paused_from = case.promise_amount = case.promise_date = case.promise_ends_on = None
    case.dispute_invoice_id = case.dispute_reason = None
    if step.action == Action.ENTER:
        case.awaiting = stage_task(step.stage)
        if step.stage == Stage.LEGAL:
            case.follow_up_on = None
    case.next_check_on = next_check(state_of(case), facts, ladder)
    record(
        ctx.session,
        case,
        "stage_entered" if step.action == Action.ENTER else "resumed",
        ctx.actor,
        ctx.now,
        stage_changed=previous != case.stage,
        reason=step.reason,
        days_past_due=facts.days_past_due,
        overdue_amount=facts.overdue_amount,
    )
    ctx.audit(
        "collection_stage_changed",
        {
            "customer_id": customer.id,
            "case_id": case.id,
            "from": previous,
            "to": case.stage,
            "reason": step.reason,
            "days_past_due": facts.days_past_due,
            "overdue_amount": facts.overdue_amount,
        },
    )
    result = step.stage.value if step.action == Action.ENTER else "wait"
    return {**context, "step": result, "collection_stage": case.stage}


def send_reminder(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Email the stage's reminder to the customer's contacts, once per stage."""
    case = case_of(ctx)
    if case.stage not in REMINDERS:
        raise Conflict(f"collection case {case.id} is at {case.stage}, not at a reminder")
    customer = step_customer(ctx, case.customer_id)
    facts = overdue_facts(ctx.session, case.customer_id, ctx.today)
    contacts = [
        {"name": str(c.get("name") or ""), "email": str(c["email"])}
        for c in customer.contacts or []
        if isinstance(c, dict) and c.get("email")
    ]
    ctx.emit(
        "notice",
        template=f"collection_{case.stage}",
        key=f"collection_{case.stage}:{case.id}",
        addresses=contacts,
        values=_values(customer, facts),
    )
    emails = [c["email"] for c in contacts]
    record(ctx.session, case, "reminder_sent", ctx.actor, ctx.now, recipients=emails)
    ctx.audit(
        "collection_reminder_sent",
        {"customer_id": customer.id, "case_id": case.id, "stage": case.stage, "to": emails},
    )
    return {"stage_outcome": "done"}


def place_hold(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """Put the customer on credit hold for this escalation and tell the credit managers.

    Runs on entering hold and every later stage (a customer first found at 50 days past due
    is held too); an escalation places its hold once: a hold a credit manager lifted stays
    lifted.
    """
    case = case_of(ctx)
    if rank(Stage(case.ladder_stage or Stage.CLOSED)) < rank(Stage.HOLD):
        raise Forbidden(f"collection case {case.id} has not reached the hold stage")
    ref = hold_ref(ctx.instance_id)
    placed_before = ctx.session.scalar(
        sa.select(CreditHold.id).where(
            CreditHold.customer_id == case.customer_id,
            CreditHold.source == HoldSource.COLLECTION.value,
            CreditHold.ref == ref,
        )
    )
    if placed_before is not None:
        return {"stage_outcome": "done"}
    facts = overdue_facts(ctx.session, case.customer_id, ctx.today)
    if facts.overdue_amount <= 0:
        raise Conflict(f"customer {case.customer_id} has nothing overdue to hold for")
    hold = holds.place_hold(
        ctx.session,
        ctx.now,
        ctx.actor,
        case.customer_id,
        HoldSource.COLLECTION,
        f"collection escalation {ctx.instance_id}: {facts.days_past_due} days past due, "
        f"{facts.overdue_amount} CNY overdue",
        ref=ref,
    )
    customer = step_customer(ctx, case.customer_id)
    record(ctx.session, case, "hold_placed", ctx.actor, ctx.now, hold_id=hold.id)
    ctx.emit(
        "notice",
        template="collection_hold",
        key=f"collection_hold:{case.id}:{hold.id}",
        groups=["credit_manager"],
        values=_values(customer, facts),
    )
    return {"stage_outcome": "done"}


def close_case(ctx: StepContext, data: dict[str, Any]) -> dict[str, Any]:
    """End the escalation once nothing is overdue; lift its own hold (kept after a write-off)."""
    case = case_of(ctx)
    facts = overdue_facts(ctx.session, case.customer_id, ctx.today)
    if facts.overdue_amount > 0:
        raise Conflict(f"customer {case.customer_id} still has {facts.overdue_amount} overdue")
    case.outcome = case.outcome or "cleared"
    lifted = []
    if case.outcome != "written_off":
        lifted = holds.lift_holds(
            ctx.session,
            ctx.now,
            ctx.actor,
            case.customer_id,
            holds.Lifter.COLLECTION,
            f"collection escalation {ctx.instance_id} closed: nothing overdue",
            ref=hold_ref(ctx.instance_id),
        )
    previous = case.stage
    case.status, case.stage = CaseStatus.CLOSED.value, Stage.CLOSED.value
    case.closed_at, case.next_check_on, case.awaiting = to_db(ctx.now), None, None
    record(
        ctx.session,
        case,
        "closed",
        ctx.actor,
        ctx.now,
        stage_changed=True,
        outcome=case.outcome,
        holds_lifted=[h.id for h in lifted],
    )
    ctx.audit(
        "collection_closed",
        {
            "customer_id": case.customer_id,
            "case_id": case.id,
            "from": previous,
            "outcome": case.outcome,
            "holds_lifted": [h.id for h in lifted],
        },
    )
    return {"collection_stage": Stage.CLOSED.value}


def _values(customer: Any, facts: Any) -> dict[str, Any]:
    """What the collection notices say about the customer."""
    return {
        "customer_id": customer.id,
        "customer_name": customer.name,
        "overdue_amount": str(facts.overdue_amount),
        "days_past_due": facts.days_past_due,
    }


def register(services: ServiceRegistry) -> None:
    """Register the collection service tasks, confined to `collection_escalation` instances,
    which only the daily sweep and the collections API start."""
    from credit import collection_decisions as decisions

    for name, function in {
        "collection.open_case": open_case,
        "collection.next_step": next_step,
        "collection.send_reminder": send_reminder,
        "collection.place_hold": place_hold,
        "collection.close_case": close_case,
        "collection.record_call": decisions.record_call,
        "collection.record_letter": decisions.record_letter,
        "collection.record_legal": decisions.record_legal,
        "collection.record_write_off_approval": decisions.record_write_off_approval,
        "collection.write_off": decisions.write_off,
        "collection.record_promise": decisions.record_promise,
        "collection.record_dispute": decisions.record_dispute,
        "collection.record_resolution": decisions.record_resolution,
    }.items():
        services.register(name, function, process_keys=(PROCESS_KEY,))
    services.started_by_domain(PROCESS_KEY)
