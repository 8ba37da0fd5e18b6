"""Commands on process instances: start, complete, claim, unclaim."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine import audit
from engine.actor import Actor
from engine.advance import advance
from engine.audit import AuditEntry
from engine.clock import to_db
from engine.commands import complete_command, start_command
from engine.errors import Conflict, Forbidden, NotFound
from engine.inbox import OPEN_STATES, is_candidate
from engine.models import HumanTask, InstanceStatus, ProcessInstance, TaskStatus
from engine.runtime import Runtime
from engine.steps import Change

log = logging.getLogger(__name__)


def start_instance(
    rt: Runtime,
    session: so.Session,
    process_key: str,
    actor: Actor,
    business_key: str | None = None,
    subject: str | None = None,
    data: dict[str, Any] | None = None,
) -> Change:
    """Create an instance on the latest version and run it to its first wait state.

    A step that fails leaves the instance in `error` (see `change.failure`); the caller's own
    work in the same transaction stays.
    """
    bundle = rt.registry.latest(session, process_key)

    def fresh_workflow() -> BpmnWorkflow:
        workflow = BpmnWorkflow(
            bundle.spec, bundle.subprocess_specs, script_engine=rt.script_engine
        )
        workflow.get_tasks(state=TaskState.READY)[0].set_data(**(data or {}))
        return workflow

    workflow = fresh_workflow()
    now = rt.clock.now()
    # The first step writes the real state; the row only needs to exist before it runs.
    fields = dict(
        process_key=bundle.key,
        version=bundle.version,
        business_key=business_key,
        subject=subject,
        state="",
        started_by=actor.username,
    )
    row = ProcessInstance(
        status=InstanceStatus.RUNNING.value,
        revision=1,
        created_at=to_db(now),
        updated_at=to_db(now),
        **fields,
    )
    session.add(row)
    session.flush()
    started = AuditEntry(
        actor.username,
        "instance_started",
        row.id,
        subject=subject,
        data={"process_key": bundle.key, "version": bundle.version, "business_key": business_key},
    )
    return advance(
        rt,
        session,
        row,
        bundle,
        start_command(),
        actor.username,
        entries=[started],
        workflow=workflow,
        raise_engine_errors=True,
        initial_state=lambda: bundle.serializer.serialize_json(fresh_workflow()),
    )


def _task_row(session: so.Session, task_id: str) -> HumanTask:
    task = session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(f"no task with id '{task_id}'")
    return task


def instance_row(session: so.Session, instance_id: int) -> ProcessInstance:
    """A process instance by id.

    :raises NotFound: no such instance.
    """
    row = session.get(ProcessInstance, instance_id)
    if row is None:
        raise NotFound(f"no process instance {instance_id}")
    return row


def check_may_work(task: HumanTask, actor: Actor) -> None:
    if task.status not in OPEN_STATES:
        raise Conflict(f"task '{task.id}' is already {task.status}")
    if task.assignee and task.assignee != actor.username:
        raise Conflict(f"task '{task.id}' is claimed by {task.assignee}")
    if actor.username in (task.excluded_users or []):
        raise Forbidden(
            f"four-eyes rule: user '{actor.username}' already acted on this case and may not "
            f"work '{task.name}'"
        )
    if not is_candidate(task, actor.username, set(actor.groups)):
        raise Forbidden(
            f"user '{actor.username}' is not a candidate of task '{task.name}' "
            f"(candidate groups: {', '.join(task.candidate_groups)})"
        )


def complete_task(
    rt: Runtime, session: so.Session, task_id: str, actor: Actor, data: dict[str, Any]
) -> Change:
    """Complete a user task with validated data and advance the instance."""
    task_row = _task_row(session, task_id)
    check_may_work(task_row, actor)
    row = session.get(ProcessInstance, task_row.instance_id)
    if row.status == InstanceStatus.ERROR:
        raise Conflict(f"process instance {row.id} is in error; retry or cancel it first")
    bundle = rt.registry.get(session, row.process_key, row.version)
    change = advance(
        rt,
        session,
        row,
        bundle,
        complete_command(task_id, data, actor.username),
        actor.username,
        raise_engine_errors=True,
    )
    if change.failure is not None:
        raise change.failure
    return change


def claim_task(rt: Runtime, session: so.Session, task_id: str, actor: Actor) -> HumanTask:
    """Assign an open task to the actor (idempotent for the same user)."""
    task = _task_row(session, task_id)
    if task.assignee == actor.username and task.status == TaskStatus.CLAIMED:
        return task
    check_may_work(task, actor)
    result = session.execute(
        sa.update(HumanTask)
        .where(
            HumanTask.id == task_id,
            HumanTask.status == TaskStatus.OPEN.value,
            HumanTask.assignee.is_(None),
        )
        .values(assignee=actor.username, status=TaskStatus.CLAIMED.value)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(f"task '{task_id}' was claimed or completed by someone else")
    session.refresh(task)
    audit.append(
        session,
        rt.clock.now(),
        [
            AuditEntry(
                actor.username,
                "task_claimed",
                task.instance_id,
                task.id,
                task.name,
                _subject(session, task.instance_id),
            )
        ],
    )
    return task


def unclaim_task(
    rt: Runtime, session: so.Session, task_id: str, actor: Actor, may_override: bool = False
) -> HumanTask:
    """Give a claimed task back to its candidate groups."""
    task = _task_row(session, task_id)
    if task.status == TaskStatus.OPEN:
        if not (may_override or is_candidate(task, actor.username, set(actor.groups))):
            raise Forbidden(f"user '{actor.username}' is not a candidate of task '{task.name}'")
        return task
    if task.status != TaskStatus.CLAIMED:
        raise Conflict(f"task '{task_id}' is already {task.status}")
    if task.assignee != actor.username and not may_override:
        raise Forbidden(f"task '{task_id}' is claimed by {task.assignee}, not by you")
    task.assignee, task.status = None, TaskStatus.OPEN.value
    audit.append(
        session,
        rt.clock.now(),
        [
            AuditEntry(
                actor.username,
                "task_unclaimed",
                task.instance_id,
                task.id,
                task.name,
                _subject(session, task.instance_id),
            )
        ],
    )
    return task


def _subject(session: so.Session, instance_id: int) -> str | None:
    return session.scalar(
        sa.select(ProcessInstance.subject).where(ProcessInstance.id == instance_id)
    )
