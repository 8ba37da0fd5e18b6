"""One engine step: load, apply a command, run until waiting, write state, inbox and audit."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy.orm.attributes import set_committed_value

from engine import audit
from engine.audit import AuditEntry
from engine.budget import run_bounded
from engine.clock import to_db
from engine.commands import Command, apply
from engine.db import savepoint
from engine.decisions import evaluate
from engine.errors import Conflict
from engine.inbox import TaskChange, find_task, ready_user_tasks, sync_inbox
from engine.live import forget, give_back, hold, take
from engine.models import InstanceStatus, ProcessInstance
from engine.registry import Bundle
from engine.runtime import Runtime
from engine.services import StepContext, enter_step, leave_step
from engine.subscriptions import sync_subscriptions, waiting_messages
from engine.timer_events import due_moment, zone_of

log = logging.getLogger(__name__)


@dataclass
class Change:
    """What one step did, handed to listeners and callers."""

    instance: ProcessInstance
    actor: str
    previous_status: str | None
    created: list[TaskChange] = field(default_factory=list)
    finished: list[TaskChange] = field(default_factory=list)
    effects: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    subscribed: list[tuple[str, str]] = field(default_factory=list)
    failure: Any = None


def step_context(
    rt: Runtime,
    session: so.Session,
    row: ProcessInstance,
    bundle: Bundle,
    actor: str,
    now: dt.datetime,
) -> StepContext:
    """Build the context service functions see during a step."""

    def decide(decision_id: str, inputs: dict[str, Any]) -> dict[str, Any]:
        return evaluate(bundle.decisions[decision_id], inputs, rt.script_engine)

    return StepContext(
        session=session,
        now=now,
        today=now.astimezone(rt.clock.tz).date(),
        instance_id=row.id,
        process_key=row.process_key,
        business_key=row.business_key,
        subject=row.subject,
        actor=actor,
        decide=decide,
    )


def load_workflow(rt: Runtime, session: so.Session, row: ProcessInstance, bundle: Bundle) -> Any:
    """The instance's workflow: live when current (this session's or the cache's), else loaded."""
    workflow = take(session, rt.cache, row.id, row.revision)
    if workflow is None:
        workflow = bundle.serializer.deserialize_json(row.state)
    workflow.script_engine = rt.script_engine
    return workflow


def release_workflow(rt: Runtime, session: so.Session, row: ProcessInstance, workflow: Any) -> None:
    """Give back a workflow that was only read."""
    give_back(session, rt.cache, row.id, row.revision, workflow)


def run_step(
    rt: Runtime,
    session: so.Session,
    row: ProcessInstance,
    bundle: Bundle,
    workflow: BpmnWorkflow,
    actor: str,
    command: Command,
    entries: list[AuditEntry] | None = None,
    release_lease: bool = False,
    guarded: bool = True,
) -> Change:
    """Apply a command and persist the result in a savepoint of the caller's transaction.

    On any error the savepoint is rolled back (the caller's own work stays) and the error
    propagates; the live workflow is forgotten. The cache gets the new workflow only when the
    caller's transaction commits.

    :param release_lease: clear the instance's timer lease in the same row update.
    :param guarded: False runs without the savepoint: on an error the caller must roll its whole
        transaction back (a batch that redoes its steps guarded when one fails).
    """
    now = rt.clock.now()
    if rt.calendar is not None:
        # Load (or refresh) the calendar now: inside a time-bounded script a database read can
        # be interrupted half-way.
        rt.calendar.get()
    ctx = step_context(rt, session, row, bundle, actor, now)
    waiting_before = {task.id for task, _ in waiting_messages(workflow)}
    ready_before = set(ready_user_tasks(workflow))
    nested = savepoint(session) if guarded else None
    token = enter_step(ctx)
    try:
        with rt.clock.frozen(now):
            apply(command, workflow, ctx)
            run_bounded(workflow, rt.limits)
            change = Change(instance=row, actor=actor, previous_status=row.status)
            persist(
                rt,
                session,
                row,
                bundle,
                workflow,
                change,
                ctx,
                now,
                entries or [],
                waiting_before,
                ready_before,
                release_lease,
            )
        if nested is not None:
            nested.commit()
    except BaseException:
        try:
            if nested is not None:
                nested.rollback()  # also after a failed flush deactivated it
        except sa.exc.ResourceClosedError:
            pass
        forget(session, rt.cache, row.id)
        session.expire(row)  # its in-memory values may name a revision that was rolled back
        raise
    finally:
        leave_step(token)
    return change


def next_timer(workflow: BpmnWorkflow) -> dt.datetime | None:
    """The earliest due moment among the workflow's waiting timers."""
    zone, moments = zone_of(workflow), []
    for event in workflow.waiting_events():
        if "Timer" in event.event_type and event.value:
            try:
                moments.append(due_moment(event.value, zone))
            except ValueError:
                continue
    return min(moments) if moments else None


@functools.cache
def _compare_and_set(columns: tuple[str, ...]) -> sa.Update:
    """UPDATE … WHERE id = :b_id AND revision = :b_revision, built once per column set.

    Statements built once keep SQLAlchemy's per-call construction and cache-key work off the
    hot path of every engine step.
    """
    table = ProcessInstance.__table__
    return (
        sa.update(table)
        .where(table.c.id == sa.bindparam("b_id"), table.c.revision == sa.bindparam("b_revision"))
        .values({name: sa.bindparam(name) for name in columns})
    )


def persist(
    rt: Runtime,
    session: so.Session,
    row: ProcessInstance,
    bundle: Bundle,
    workflow: BpmnWorkflow,
    change: Change,
    ctx: StepContext,
    now: dt.datetime,
    entries: list[AuditEntry],
    waiting_before: set[Any],
    ready_before: set[str],
    release_lease: bool = False,
) -> None:
    """Compare-and-set the instance row, then sync inbox, subscriptions and audit."""
    status = InstanceStatus.COMPLETED if workflow.completed else InstanceStatus.WAITING
    timer = next_timer(workflow)
    state = bundle.serializer.serialize_json(workflow)
    revision = row.revision
    values = {
        "state": state,
        "revision": revision + 1,
        "status": str(status),
        "error": None,
        "next_timer_at": to_db(timer) if timer else None,
        "updated_at": to_db(now),
    }
    if release_lease:
        values.update(lease_owner=None, lease_until=None)
    if row.id is None:
        raise RuntimeError("persist needs a flushed instance row")
    result = session.execute(
        _compare_and_set(tuple(values)), {**values, "b_id": row.id, "b_revision": revision}
    )
    if result.rowcount != 1:
        raise Conflict(
            f"process instance {row.id} was changed by someone else (revision {revision}); "
            "reload and try again"
        )
    for key, value in values.items():
        # The row was written above; record the values without marking it dirty again.
        set_committed_value(row, key, value)
    change.created, change.finished = sync_inbox(
        rt, session, row, workflow, ctx.actor, now, ready_before
    )
    change.subscribed = sync_subscriptions(rt, session, row, workflow, waiting_before)
    change.effects = ctx.effects
    change.data = workflow.data if workflow.completed else {}
    entries = list(entries)
    for task in change.finished:
        entries.append(
            AuditEntry(
                task.completed_by or ctx.actor,
                f"task_{task.status}",
                row.id,
                task.id,
                task.name,
                row.subject,
                ctx.submitted.get(task.id, {}),
            )
        )
    entries.extend(ctx.audit_entries)
    for task in change.created:
        entries.append(
            AuditEntry(
                ctx.actor,
                "task_created",
                row.id,
                task.id,
                task.name,
                row.subject,
                {"candidate_groups": task.candidate_groups, "title": task.title},
            )
        )
    if status == InstanceStatus.COMPLETED and change.previous_status != status:
        entries.append(AuditEntry(ctx.actor, "instance_completed", row.id, subject=row.subject))
    audit.append(session, now, entries)
    rt.notify(session, change)
    hold(session, rt.cache, row.id, row.revision, workflow)


__all__ = [
    "Change",
    "find_task",
    "load_workflow",
    "release_workflow",
    "run_step",
    "step_context",
]
