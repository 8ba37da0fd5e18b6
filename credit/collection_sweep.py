"""The daily overdue sweep: start escalations, and wake the ones whose ladder step is due.

One grouped query finds every customer with an open invoice past due and the oldest due date;
one query reads the running cases. Then:

- a customer late by at least the ladder's first day (``dunning_ladder``) with no running
  escalation gets a ``collection_escalation`` process (business key = customer id), which
  starts at the stage of its current days past due;
- a running case with nothing overdue any more gets ``payment_received`` (it closes);
- a running case whose ``next_check_on`` has come gets ``ladder_due`` when its step really
  changes (a new stage, a broken promise, a legal follow-up); otherwise only its next check day
  moves (e.g. the oldest invoice was paid, so the days past due went down).

Messages go only to an instance waiting for them (never kept for later); an instance in error
is left to its incident. Starts run in a savepoint each and commit in batches; each message
commits on its own; one failure never undoes the others, and a sweep run twice on a day does
nothing the second time.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.collection_ladder import Action, Facts, Ladder, next_check, plan
from credit.collection_models import CaseStatus, CollectionCase
from credit.collection_requests import SWEEPER, start_escalation
from credit.collections import PROCESS_KEY, load_ladder, state_of
from credit.errors import PolicyError
from credit.models import Customer
from credit.receivable_models import Invoice, InvoiceStatus
from engine.decisions import evaluate
from engine.errors import EngineError
from engine.messages import deliver_message
from engine.models import InstanceStatus, MessageSubscription, ProcessInstance
from engine.runtime import Runtime

log = logging.getLogger(__name__)
BATCH = 50  # escalations started per transaction


@dataclass
class SweepReport:
    """What one sweep did."""

    started: int = 0
    woken: int = 0
    closing: int = 0
    rescheduled: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the tick's answer and the CLI."""
        return {
            "started": self.started,
            "woken": self.woken,
            "closing": self.closing,
            "rescheduled": self.rescheduled,
            "skipped": self.skipped,
            "failed": len(self.failed),
        }


def overdue_customers(session: so.Session, today: dt.date) -> dict[int, tuple[dt.date, Decimal]]:
    """Customer id → (oldest due date, sum of open amounts) of open invoices past due."""
    rows = session.execute(
        sa.select(
            Invoice.customer_id, sa.func.min(Invoice.due_on), sa.func.sum(Invoice.open_amount)
        )
        .where(Invoice.status == InvoiceStatus.OPEN.value, Invoice.due_on < today)
        .group_by(Invoice.customer_id)
    )
    return {cid: (oldest, Decimal(total)) for cid, oldest, total in rows}


class _Ladders:
    """Ladders by (process version, grade), evaluated once per sweep."""

    def __init__(self, rt: Runtime, session: so.Session) -> None:
        self.rt, self.session = rt, session
        self.cache: dict[tuple[int, str | None], Ladder] = {}

    def get(self, version: int | None, grade: str | None) -> Ladder:
        bundle = (
            self.rt.registry.latest(self.session, PROCESS_KEY)
            if version is None
            else self.rt.registry.get(self.session, PROCESS_KEY, version)
        )
        key = (bundle.version, grade)
        if key not in self.cache:

            def decide(decision: str, inputs: dict[str, Any]) -> dict[str, Any]:
                return evaluate(bundle.decisions[decision], inputs, self.rt.script_engine)

            self.cache[key] = load_ladder(decide, grade)
        return self.cache[key]


def sweep_collections(
    session: so.Session,
    rt: Runtime,
    today: dt.date,
    progress: Callable[[str, int, int], None] | None = None,
) -> SweepReport:
    """Run the daily sweep for ``today`` (see the module's description)."""
    report = SweepReport()
    overdue = overdue_customers(session, today)
    ladders = _Ladders(rt, session)
    running = _running(session)
    session.commit()
    _start_new(session, rt, today, overdue, running, ladders, report, progress)
    _wake_running(session, rt, today, overdue, running, ladders, report, progress)
    return report


_CASE = CollectionCase.__table__.c
_RUNNING = (
    sa.select(
        _CASE.id,
        _CASE.customer_id,
        _CASE.instance_id,
        _CASE.stage,
        _CASE.ladder_stage,
        _CASE.awaiting,
        _CASE.promise_ends_on,
        _CASE.follow_up_on,
        _CASE.next_check_on,
        ProcessInstance.status.label("instance_status"),
        ProcessInstance.version,
        Customer.grade,
    )
    .join(ProcessInstance, ProcessInstance.id == _CASE.instance_id)
    .join(Customer, Customer.id == _CASE.customer_id)
    .where(_CASE.status == CaseStatus.RUNNING.value)
)


def _running(session: so.Session) -> list[Any]:
    """Running cases (plain rows: commits in the loop never reload them) with their instance's
    status and version and the customer's grade."""
    return list(session.execute(_RUNNING))


def _start_new(session, rt, today, overdue, running, ladders, report, progress) -> None:
    """Start an escalation for each late customer without one, committing every BATCH starts."""
    busy = {case.customer_id for case in running}
    late = sa.select(Invoice.customer_id).where(
        Invoice.status == InvoiceStatus.OPEN.value, Invoice.due_on < today
    )
    query = sa.select(Customer.id, Customer.grade).where(Customer.id.in_(late))
    grades = dict(session.execute(query).all())
    candidates = []
    for cid in sorted(set(grades) - busy):
        try:
            if (today - overdue[cid][0]).days >= ladders.get(None, grades[cid]).first_day:
                candidates.append(cid)
        except PolicyError as exc:
            report.failed.append(f"customer {cid}: {exc}")
    for n, customer_id in enumerate(candidates, 1):
        try:
            with session.begin_nested():  # one customer's failure undoes only its own start
                started = start_escalation(session, rt, customer_id, SWEEPER, known_late=True)
            report.started += started is not None
            report.skipped += started is None
        except EngineError as exc:
            report.failed.append(f"customer {customer_id}: {exc}")
            log.warning("collection escalation not started", extra={"customer": customer_id})
        if n % BATCH == 0 or n == len(candidates):
            session.commit()
        if progress:
            progress("start", n, len(candidates))


def _wake_running(session, rt, today, overdue, running, ladders, report, progress) -> None:
    for n, case in enumerate(running, 1):
        if progress:
            progress("wake", n, len(running))
        if case.instance_status != InstanceStatus.WAITING:
            continue
        found = overdue.get(case.customer_id)
        if found is None:
            _send(session, rt, case, "payment_received", {"noticed_by": "sweep"}, report)
            continue
        if case.next_check_on is None or case.next_check_on > today:
            continue
        facts = Facts(today, found[1], found[0])
        try:
            ladder = ladders.get(case.version, case.grade)
        except PolicyError as exc:
            report.failed.append(f"case {case.id}: {exc}")
            continue
        step = plan(state_of(case), facts, ladder)
        if step.action == Action.WAIT:
            session.execute(
                sa.update(CollectionCase.__table__)
                .where(_CASE.id == case.id)
                .values(next_check_on=next_check(state_of(case), facts, ladder))
            )
            session.commit()
            report.rescheduled += 1
            continue
        _send(session, rt, case, "ladder_due", {"day": today.isoformat()}, report)


def _send(session, rt, case, name: str, payload: dict[str, Any], report: SweepReport) -> None:
    """Deliver a message to the case's instance if it waits for it; commit on its own."""
    waiting = session.scalar(
        sa.select(MessageSubscription.id).where(
            MessageSubscription.instance_id == case.instance_id, MessageSubscription.name == name
        )
    )
    if waiting is None:
        report.skipped += 1
        return
    try:
        deliver_message(rt, session, name, str(case.customer_id), payload, SWEEPER)
        session.commit()
        if name == "payment_received":
            report.closing += 1
        else:
            report.woken += 1
    except EngineError as exc:
        session.rollback()
        report.failed.append(f"case {case.id}: {exc}")
        log.warning("collection escalation not woken", extra={"instance": case.instance_id})
