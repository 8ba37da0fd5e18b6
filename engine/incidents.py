"""Incidents an operator works: list instances in error, retry, cancel, correct their data."""

from __future__ import annotations

import datetime as dt
import json
import keyword
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow.util.task import TaskState

from engine import audit
from engine.actor import Actor
from engine.advance import advance, deliver_pending
from engine.audit import AuditEntry
from engine.clock import from_db, to_db
from engine.commands import start_command
from engine.errors import Conflict, Invalid, NotFound
from engine.inbox import OPEN_STATES
from engine.models import (
    HumanTask,
    HumanTaskCandidate,
    InstanceStatus,
    MessageSubscription,
    ProcessInstance,
    TaskStatus,
)
from engine.runtime import Runtime
from engine.steps import Change, load_workflow, release_workflow

MAX_DATA_KEYS = 50
MAX_DATA_BYTES = 64 * 1024
FINAL = (InstanceStatus.COMPLETED.value, InstanceStatus.CANCELLED.value)


@dataclass(frozen=True)
class Incident:
    """An instance in error as an operator sees it."""

    process_instance_id: int
    process_key: str
    version: int
    business_key: str | None
    subject: str | None
    revision: int
    element: str | None
    element_title: str | None
    title: str
    detail: str
    timers: list[str]
    at: dt.datetime | None
    first_at: dt.datetime | None
    attempts: int


def _moment(value: Any, fallback: dt.datetime) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if value else from_db(fallback)
    except (TypeError, ValueError):
        return from_db(fallback)


def incident_of(row: ProcessInstance) -> Incident:
    """The incident an instance in error carries."""
    error = row.error or {}
    return Incident(
        process_instance_id=row.id,
        process_key=row.process_key,
        version=row.version,
        business_key=row.business_key,
        subject=row.subject,
        revision=row.revision,
        element=error.get("task"),
        element_title=error.get("task_title"),
        title=error.get("title") or "unknown error",
        detail=error.get("detail") or error.get("title") or "",
        timers=list(error.get("timers") or []),
        at=_moment(error.get("at"), row.updated_at),
        first_at=_moment(error.get("first_at") or error.get("at"), row.updated_at),
        attempts=int(error.get("attempts") or 1),
    )


def list_incidents(session: so.Session, limit: int = 200) -> list[Incident]:
    """Instances in error, the most recent failure first."""
    rows = session.scalars(
        sa.select(ProcessInstance)
        .where(ProcessInstance.status == InstanceStatus.ERROR.value)
        .order_by(ProcessInstance.updated_at.desc(), ProcessInstance.id.desc())
        .limit(limit)
    )
    return [incident_of(row) for row in rows]


def count_incidents(session: so.Session) -> int:
    """How many instances are in error."""
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(ProcessInstance)
        .where(ProcessInstance.status == InstanceStatus.ERROR.value)
    )


def operated_row(
    session: so.Session, instance_id: int, revision: int | None, *statuses: str
) -> ProcessInstance:
    """The instance an operator acts on, in one of `statuses`, at the revision they saw.

    :raises NotFound: no such instance.
    :raises Conflict: another status, or it moved since the operator's `revision`.
    """
    row = session.get(ProcessInstance, instance_id)
    if row is None:
        raise NotFound(f"no process instance {instance_id}")
    if row.status not in statuses:
        raise Conflict(
            f"process instance {instance_id} is {row.status}; this needs it {' or '.join(statuses)}"
        )
    if revision is not None and revision != row.revision:
        raise Conflict(
            f"process instance {instance_id} moved on (revision {row.revision}, you saw "
            f"{revision}); reload it and decide again"
        )
    return row


def compare_and_set(session: so.Session, row: ProcessInstance, **values: Any) -> None:
    """Write values to the instance row if it is still at the revision read; bump it.

    :raises Conflict: someone else committed a newer revision meanwhile.
    """
    revision = row.revision
    result = session.execute(
        sa.update(ProcessInstance)
        .where(ProcessInstance.id == row.id, ProcessInstance.revision == revision)
        .values(revision=revision + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(
            f"process instance {row.id} was changed by someone else (revision {revision}); "
            "reload and try again"
        )
    session.expire(row)


def record_operator_action(
    rt: Runtime,
    session: so.Session,
    now: dt.datetime,
    actor: Actor,
    action: str,
    instance_id: int,
    subject: str | None,
    data: dict[str, Any],
) -> None:
    """Audit an operator's change of an instance and drop its live workflow."""
    rt.cache.evict(instance_id)
    audit.append(
        session, now, [AuditEntry(actor.username, action, instance_id, subject=subject, data=data)]
    )


def retry_instance(
    rt: Runtime, session: so.Session, instance_id: int, actor: Actor, revision: int | None = None
) -> Change:
    """Run the failed command again on the instance's last committed state.

    The retry is audited first, so a retry that fails again shows as retried, then failed
    (the incident's attempts go up).
    """
    row = operated_row(session, instance_id, revision, InstanceStatus.ERROR.value)
    bundle = rt.registry.get(session, row.process_key, row.version)
    stored = (row.error or {}).get("command")
    command = bundle.serializer.registry.restore(stored) if stored else start_command()
    audit.append(
        session,
        rt.clock.now(),
        [
            AuditEntry(
                actor.username,
                "instance_retried",
                row.id,
                element=(row.error or {}).get("task"),
                subject=row.subject,
                data={"attempts": (row.error or {}).get("attempts", 1)},
            )
        ],
    )
    step_actor = command.get("actor") or actor.username
    change = advance(rt, session, row, bundle, command, step_actor)
    if change.failure is None:
        # Messages that arrived while the instance was in error were kept for it.
        waiting = session.execute(
            sa.select(MessageSubscription.name, MessageSubscription.correlation_key).where(
                MessageSubscription.instance_id == instance_id
            )
        ).all()
        deliver_pending(rt, session, row, bundle, [tuple(w) for w in waiting])
    return change


def cancel_instance(
    rt: Runtime,
    session: so.Session,
    instance_id: int,
    actor: Actor,
    reason: str,
    revision: int | None = None,
) -> ProcessInstance:
    """Cancel an unfinished instance with a reason; its open tasks and subscriptions go."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid.field("reason", "say why the instance is cancelled")
    if len(reason) > 1000:
        raise Invalid.field("reason", "at most 1000 characters")
    live = [s.value for s in InstanceStatus if s.value not in FINAL]
    row = operated_row(session, instance_id, revision, *live)
    now = rt.clock.now()
    subject, previous = row.subject, row.status
    compare_and_set(
        session,
        row,
        status=InstanceStatus.CANCELLED.value,
        next_timer_at=None,
        lease_owner=None,
        lease_until=None,
        updated_at=to_db(now),
    )
    tasks = session.scalars(
        sa.select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.status.in_(OPEN_STATES)
        )
    ).all()
    for task in tasks:
        task.status, task.completed_at = TaskStatus.CANCELLED.value, to_db(now)
        session.execute(sa.delete(HumanTaskCandidate).where(HumanTaskCandidate.task_id == task.id))
    session.execute(
        sa.delete(MessageSubscription).where(MessageSubscription.instance_id == instance_id)
    )
    record_operator_action(
        rt,
        session,
        now,
        actor,
        "instance_cancelled",
        instance_id,
        subject,
        {"reason": reason, "previous_status": previous},
    )
    return row


def _check_values(values: Any) -> dict[str, Any]:
    if not isinstance(values, dict) or not values:
        raise Invalid.field("set", 'give an object of variables to set, e.g. {"score": 70}')
    if len(values) > MAX_DATA_KEYS:
        raise Invalid.field("set", f"at most {MAX_DATA_KEYS} variables at once")
    for key in values:
        if not (isinstance(key, str) and key.isidentifier()) or keyword.iskeyword(key):
            raise Invalid.field(f"set.{key}", "a variable name is a Python identifier")
        if key.startswith("_") or key.startswith("spiff"):
            raise Invalid.field(f"set.{key}", "names starting with '_' or 'spiff' are reserved")
    try:
        size = len(json.dumps(values))
    except (TypeError, ValueError):
        raise Invalid.field("set", "values must be JSON") from None
    if size > MAX_DATA_BYTES:
        raise Invalid.field("set", f"at most {MAX_DATA_BYTES} bytes of JSON")
    return values


def set_instance_data(
    rt: Runtime,
    session: so.Session,
    instance_id: int,
    actor: Actor,
    values: Any,
    revision: int | None = None,
) -> ProcessInstance:
    """Correct variables of an instance in error before a retry.

    The values go into the data of every task that runs next (ready and waiting tasks, in
    called processes too, and the task a waiting one takes its data from). A user's submitted
    answers in a failed completion stay theirs: a retry applies them over these values.
    """
    values = _check_values(values)
    row = operated_row(session, instance_id, revision, InstanceStatus.ERROR.value)
    bundle = rt.registry.get(session, row.process_key, row.version)
    workflow = load_workflow(rt, session, row, bundle)
    tasks = workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)
    if not tasks:
        raise Conflict(f"process instance {instance_id} has no task waiting to run")
    before = {key: tasks[0].data.get(key) for key in values}
    for task in tasks:
        task.set_data(**values)
        if task.state == TaskState.WAITING and task.parent is not None:
            # A waiting task merges its parent's data again when it runs: correct it there too.
            task.parent.set_data(**values)
    now = rt.clock.now()
    subject = row.subject
    compare_and_set(
        session, row, state=bundle.serializer.serialize_json(workflow), updated_at=to_db(now)
    )
    record_operator_action(
        rt,
        session,
        now,
        actor,
        "instance_data_changed",
        instance_id,
        subject,
        {"before": audit.plain(before), "after": audit.plain(values)},
    )
    return row


def next_data(rt: Runtime, session: so.Session, row: ProcessInstance) -> dict[str, Any]:
    """The variables the instance's next tasks run with (what a data correction changes)."""
    bundle = rt.registry.get(session, row.process_key, row.version)
    workflow = load_workflow(rt, session, row, bundle)
    try:
        data: dict[str, Any] = {}
        for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING):
            data.update(task.data)
    finally:
        release_workflow(rt, session, row, workflow)
    return {k: v for k, v in audit.plain(data).items() if not k.startswith("spiff__")}
