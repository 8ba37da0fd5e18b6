"""The collectors' worklist: running escalations, most days past due first, with the next step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.collection_ladder import Stage, beyond
from credit.collection_models import CaseStatus, CollectionCase
from credit.exposure import CENT
from credit.models import Customer
from credit.receivable_models import Invoice, InvoiceStatus
from engine.inbox import OPEN_STATES
from engine.models import HumanTask


@dataclass(frozen=True)
class NextStep:
    """What happens next: an open task, the end of a promise, or the next ladder stage."""

    kind: str  # task | promise | stage | none
    stage: str | None = None
    on: dt.date | None = None
    task_id: str | None = None
    title: str | None = None
    assignee: str | None = None


@dataclass(frozen=True)
class WorkItem:
    """One running escalation as the worklist shows it."""

    case_id: int
    instance_id: int
    customer_id: int
    customer_name: str
    stage: str
    days_past_due: int
    overdue_amount: Decimal
    on_hold: bool
    promise_date: dt.date | None
    promise_amount: Decimal | None
    next_step: NextStep
    tasks: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Worklist:
    """A page of the worklist, the number of running escalations it pages through, by stage."""

    items: list[WorkItem]
    total: int
    by_stage: dict[str, int]


def worklist(
    session: so.Session, today: dt.date, stage: str | None = None, limit: int = 50, offset: int = 0
) -> Worklist:
    """Running escalations (optionally at one stage), oldest overdue first, a page at a time."""
    overdue = (
        sa.select(
            Invoice.customer_id.label("customer_id"),
            sa.func.min(Invoice.due_on).label("oldest"),
            sa.func.sum(sa.func.round(Invoice.open_amount * Invoice.fx_rate, 2)).label("amount"),
        )
        .where(Invoice.status == InvoiceStatus.OPEN.value, Invoice.due_on < today)
        .group_by(Invoice.customer_id)
        .subquery()
    )
    running = CollectionCase.status == CaseStatus.RUNNING.value
    where = [running] + ([CollectionCase.stage == stage] if stage else [])
    rows = session.execute(
        sa.select(
            CollectionCase, Customer.name, Customer.on_hold, overdue.c.oldest, overdue.c.amount
        )
        .join(Customer, Customer.id == CollectionCase.customer_id)
        .outerjoin(overdue, overdue.c.customer_id == CollectionCase.customer_id)
        .where(*where)
        .order_by(overdue.c.oldest.is_(None), overdue.c.oldest, CollectionCase.id)
        .limit(limit)
        .offset(offset)
    ).all()
    tasks = _open_tasks(session, [case.instance_id for case, *_ in rows])
    items = [
        WorkItem(
            case_id=case.id,
            instance_id=case.instance_id,
            customer_id=case.customer_id,
            customer_name=name,
            stage=case.stage or "",
            days_past_due=max((today - oldest).days, 0) if oldest else 0,
            overdue_amount=Decimal(str(amount or 0)).quantize(CENT),
            on_hold=bool(on_hold),
            promise_date=case.promise_date,
            promise_amount=case.promise_amount,
            next_step=next_step_of(case, tasks.get(case.instance_id, [])),
            tasks=tasks.get(case.instance_id, []),
        )
        for case, name, on_hold, oldest, amount in rows
    ]
    counts = dict(
        session.execute(
            sa.select(CollectionCase.stage, sa.func.count())
            .where(running)
            .group_by(CollectionCase.stage)
        ).all()
    )
    total = counts.get(stage, 0) if stage else sum(counts.values())
    return Worklist(items, total, counts)


def next_step_of(case: CollectionCase, tasks: list[dict[str, Any]]) -> NextStep:
    """The escalation's next step from its case and open tasks."""
    if tasks:
        task = tasks[0]
        return NextStep(
            "task",
            task_id=task["id"],
            title=task["title"],
            assignee=task["assignee"],
            stage=task["name"],
        )
    if case.stage == Stage.PAUSED_PROMISE and case.promise_ends_on:
        return NextStep("promise", on=case.promise_ends_on + dt.timedelta(days=1))
    if case.next_check_on:
        ladder = Stage(case.ladder_stage) if case.ladder_stage else None
        return NextStep("stage", stage=beyond(ladder).value, on=case.next_check_on)
    return NextStep("none")


def _open_tasks(session: so.Session, instance_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    if not instance_ids:
        return found
    rows = session.scalars(
        sa.select(HumanTask)
        .where(HumanTask.instance_id.in_(instance_ids), HumanTask.status.in_(OPEN_STATES))
        .order_by(HumanTask.created_at)
    )
    for task in rows:
        found.setdefault(task.instance_id, []).append(
            {"id": task.id, "name": task.name, "title": task.title, "assignee": task.assignee}
        )
    return found
