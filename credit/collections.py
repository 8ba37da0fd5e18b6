"""Collection escalations in the database: overdue facts, cases, their history and views.

The process's service tasks (credit.collection_tasks), the daily sweep
(credit.collection_sweep) and the API requests (credit.collection_requests) share these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.collection_ladder import STAGE_TASKS, CaseState, Facts, Ladder, Stage
from credit.collection_models import CaseStatus, CollectionCase, CollectionEvent
from credit.exposure import ZERO, cny
from credit.models import Customer
from credit.receivable_models import Invoice, InvoiceStatus
from engine.audit import plain
from engine.clock import from_db, to_db
from engine.errors import Conflict, NotFound
from engine.inbox import OPEN_STATES
from engine.models import HumanTask, User
from engine.services import StepContext

PROCESS_KEY = "collection_escalation"
SYSTEM = "system"

Decide = Callable[[str, dict[str, Any]], dict[str, Any]]


def customer_of(session: so.Session, customer_id: int) -> Customer:
    """The customer, or NotFound."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"no customer with id {customer_id}")
    return customer


def step_customer(ctx: StepContext, customer_id: int) -> Customer:
    """The customer (NotFound), read from the database once per step."""
    customer = customer_of(ctx.session, customer_id)
    ctx.kept[Customer, customer_id] = customer
    return customer


def overdue_invoices(session: so.Session, customer_id: int, today: dt.date) -> list[Invoice]:
    """The customer's open invoices past due on ``today``, oldest due first."""
    return list(
        session.scalars(
            sa.select(Invoice)
            .where(
                Invoice.customer_id == customer_id,
                Invoice.status == InvoiceStatus.OPEN.value,
                Invoice.due_on < today,
            )
            .order_by(Invoice.due_on, Invoice.id)
        )
    )


def overdue_facts(session: so.Session, customer_id: int, today: dt.date) -> Facts:
    """The overdue amount in CNY (rounded per invoice) and the oldest due date on ``today``."""
    rows = session.execute(
        sa.select(Invoice.open_amount, Invoice.fx_rate, Invoice.due_on).where(
            Invoice.customer_id == customer_id,
            Invoice.status == InvoiceStatus.OPEN.value,
            Invoice.due_on < today,
        )
    ).all()
    amount = sum((cny(Decimal(a), Decimal(r)) for a, r, _ in rows), ZERO)
    return Facts(today, amount, min((due for _, _, due in rows), default=None))


def load_ladder(decide: Decide, grade: str | None) -> Ladder:
    """Evaluate the dunning_ladder and collection_terms tables for a customer's grade.

    :raises PolicyError: the tables do not describe a usable ladder.
    """
    stages = decide("dunning_ladder", {"grade": grade})
    terms = decide("collection_terms", {"grade": grade})
    return Ladder.from_tables(
        stages.get("stage") or [],
        stages.get("day") or [],
        terms.get("term") or [],
        terms.get("days") or [],
    )


def running_case(session: so.Session, customer_id: int) -> CollectionCase | None:
    """The customer's running escalation, if any."""
    return session.scalar(
        sa.select(CollectionCase).where(
            CollectionCase.customer_id == customer_id,
            CollectionCase.status == CaseStatus.RUNNING.value,
        )
    )


def latest_case(session: so.Session, customer_id: int) -> CollectionCase | None:
    """The customer's newest escalation, running or closed."""
    return session.scalar(
        sa.select(CollectionCase)
        .where(CollectionCase.customer_id == customer_id)
        .order_by(CollectionCase.id.desc())
        .limit(1)
    )


def state_of(case: CollectionCase) -> CaseState:
    """The ladder's view of a case row."""
    return CaseState(
        stage=Stage(case.stage) if case.stage else None,
        ladder_stage=Stage(case.ladder_stage) if case.ladder_stage else None,
        awaiting=case.awaiting,
        promise_ends_on=case.promise_ends_on,
        follow_up_on=case.follow_up_on,
    )


def record(
    session: so.Session,
    case: CollectionCase,
    kind: str,
    actor: str,
    now: dt.datetime,
    stage_changed: bool = False,
    **data: Any,
) -> CollectionEvent:
    """Append one entry to the case's history (the caller audits it)."""
    event = CollectionEvent(
        case_id=case.id,
        kind=kind,
        stage=case.stage or "",
        stage_changed=stage_changed,
        actor=actor,
        at=to_db(now),
        data=plain(data),
    )
    session.add(event)  # flushed with the step (its rows go out in one batch)
    case.updated_at = to_db(now)
    return event


def events_of(session: so.Session, case_id: int) -> list[CollectionEvent]:
    """A case's history, oldest first."""
    return list(
        session.scalars(
            sa.select(CollectionEvent)
            .where(CollectionEvent.case_id == case_id)
            .order_by(CollectionEvent.id)
        )
    )


def in_group(session: so.Session, username: str, *groups: str) -> bool:
    """Whether an active user belongs to one of the groups (read from the database)."""
    user = session.scalar(sa.select(User).where(User.username == username))
    return user is not None and user.active and bool(set(groups) & user.group_names)


def open_tasks(session: so.Session, instance_id: int) -> list[HumanTask]:
    """The open inbox tasks of an escalation's process instance."""
    return list(
        session.scalars(
            sa.select(HumanTask)
            .where(HumanTask.instance_id == instance_id, HumanTask.status.in_(OPEN_STATES))
            .order_by(HumanTask.created_at)
        )
    )


def task_view(task: HumanTask) -> dict[str, Any]:
    """An open task as the collection API lists it."""
    return {
        "id": task.id,
        "name": task.name,
        "title": task.title,
        "candidate_groups": list(task.candidate_groups),
        "assignee": task.assignee,
        "status": task.status,
        "created_at": from_db(task.created_at),
        "due_at": from_db(task.due_at),
    }


def event_view(event: CollectionEvent) -> dict[str, Any]:
    """One history entry."""
    return {
        "stage": event.stage,
        "stage_changed": event.stage_changed,
        "at": from_db(event.at),
        "event": event.kind,
        "actor": event.actor,
        "data": event.data or {},
    }


def case_view(session: so.Session, case: CollectionCase) -> dict[str, Any]:
    """An escalation with its stage history (stage changes) and every recorded event."""
    events = events_of(session, case.id)
    running = case.status == CaseStatus.RUNNING
    return {
        "id": case.id,
        "process_instance_id": case.instance_id,
        "status": case.status,
        "stage": case.stage if running else Stage.CLOSED.value,
        "ladder_stage": case.ladder_stage,
        "paused_from": case.paused_from,
        "outcome": case.outcome,
        "started_on": case.started_on,
        "closed_at": from_db(case.closed_at),
        "next_check_on": case.next_check_on,
        "history": [event_view(e) for e in events if e.stage_changed],
        "events": [event_view(e) for e in events],
    }


def collection_view(session: so.Session, customer_id: int, today: dt.date) -> dict[str, Any]:
    """GET /customers/{id}/collection: the latest escalation and the overdue facts today."""
    customer = customer_of(session, customer_id)
    facts = overdue_facts(session, customer_id, today)
    case = latest_case(session, customer_id)
    view: dict[str, Any] = {
        "customer_id": customer.id,
        "customer_name": customer.name,
        "stage": "none",
        "days_past_due": facts.days_past_due,
        "overdue_amount": facts.overdue_amount,
        "on_hold": bool(customer.on_hold),
        "promise_to_pay_until": None,
        "promise_amount": None,
        "open_tasks": [],
        "history": [],
    }
    if case is None:
        return view
    details = case_view(session, case)
    running = case.status == CaseStatus.RUNNING
    paused_promise = running and case.stage == Stage.PAUSED_PROMISE
    view.update(
        stage=details["stage"],
        promise_to_pay_until=case.promise_date if paused_promise else None,
        promise_amount=case.promise_amount if paused_promise else None,
        open_tasks=[task_view(t) for t in open_tasks(session, case.instance_id)] if running else [],
        history=details["history"],
        escalation=details,
    )
    return view


def escalations_of(session: so.Session, customer_id: int) -> list[dict[str, Any]]:
    """Every escalation of a customer, newest first, with its history (the credit file)."""
    cases = session.scalars(
        sa.select(CollectionCase)
        .where(CollectionCase.customer_id == customer_id)
        .order_by(CollectionCase.id.desc())
    ).all()
    return [case_view(session, case) for case in cases]


def case_of(ctx: StepContext) -> CollectionCase:
    """The running case of this step's instance (read from the database once per step)."""
    row = ctx.kept.get(CollectionCase)
    if row is None:
        row = ctx.session.scalar(
            sa.select(CollectionCase).where(CollectionCase.instance_id == ctx.instance_id)
        )
        if row is None:
            raise NotFound(f"process instance {ctx.instance_id} has no collection case")
        ctx.kept[CollectionCase] = row
    if row.status != CaseStatus.RUNNING:
        raise Conflict(f"collection case {row.id} is {row.status}")
    return row


def hold_ref(instance_id: int) -> str:
    """The ref of the hold an escalation places, so it lifts only its own."""
    return f"pi:{instance_id}"


def require_running(case: CollectionCase | None, customer_id: int) -> CollectionCase:
    """The case when it is running; Conflict otherwise."""
    if case is None or case.status != CaseStatus.RUNNING:
        raise Conflict(f"customer {customer_id} has no running collection escalation")
    return case


def stage_task(stage: Stage | None) -> str | None:
    """The user task a ladder stage opens (None for automatic stages)."""
    return STAGE_TASKS.get(stage) if stage else None
