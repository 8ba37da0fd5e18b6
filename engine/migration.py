"""Move a running instance to another version of its model, or say which elements block it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from engine.actor import Actor
from engine.clock import to_db
from engine.errors import Invalid, NotFound
from engine.inbox import OPEN_STATES, find_task, sync_inbox
from engine.incidents import compare_and_set, operated_row, record_operator_action
from engine.models import HumanTask, InstanceStatus, ProcessInstance
from engine.registry import Bundle, form_key_of
from engine.runtime import Runtime
from engine.steps import load_workflow
from engine.subscriptions import sync_subscriptions, waiting_messages

PREDICTED = TaskState.MAYBE | TaskState.LIKELY | TaskState.FUTURE
RUN = TaskState.COMPLETED | TaskState.STARTED
# Attributes whose change does not alter how a task that already ran behaves.
COSMETIC = {"bpmn_name", "documentation", "description", "lane"}


def _state(task: Any) -> str:
    return TaskState.get_name(task.state)


def _blockers(diff: Any, changes: dict[Any, list[str]], version: int, where: str) -> list[str]:
    """Elements of one (sub)workflow that cannot follow to the new spec."""
    problems = []
    for task in diff.removed:
        if not task.state & PREDICTED:
            problems.append(
                f"{where}element '{task.task_spec.name}' ({_state(task)}) does not exist in "
                f"version {version}"
            )
    for task, new in diff.alignment.items():
        old = task.task_spec
        if task.state & PREDICTED or (new.name, type(new)) == (old.name, type(old)):
            continue
        # Spiff aligned it by position with another element: it is not there any more.
        problems.append(
            f"{where}element '{old.name}' ({_state(task)}) does not exist in version {version}"
        )
    for task in diff.changed:
        if task.state & RUN and task not in diff.removed:
            changed = set(changes.get(task.task_spec, ["definition"])) - COSMETIC
            if changed:
                problems.append(
                    f"{where}element '{task.task_spec.name}' ({_state(task)}) already ran and "
                    f"changed in version {version}: {', '.join(sorted(changed))}"
                )
    return problems


def migration_plan(workflow: Any, target: Bundle) -> tuple[Any, dict[Any, Any], list[str]]:
    """Diff the workflow and its running called processes against the target version.

    :returns: (diff of the top workflow, diff per running subprocess, blockers).
    """
    registry = target.serializer.registry
    spec_diff = SpecDiff(registry, workflow.spec, target.spec)
    top = WorkflowDiff(workflow, spec_diff)
    blockers = _blockers(top, spec_diff.changed, target.version, "")
    subs = {}
    for sp_id, sub in workflow.subprocesses.items():
        name = sub.spec.name
        if name not in target.subprocess_specs:
            blockers.append(
                f"called process '{name}' is running and does not exist in version {target.version}"
            )
            continue
        sub_spec_diff = SpecDiff(registry, sub.spec, target.subprocess_specs[name])
        subs[sp_id] = WorkflowDiff(sub, sub_spec_diff)
        where = f"called process '{name}': "
        blockers.extend(_blockers(subs[sp_id], sub_spec_diff.changed, target.version, where))
    return top, subs, blockers


def _timer_states(workflow: Any) -> dict[Any, dict[str, Any]]:
    """Internal data of waiting tasks (due moments of timers), which a reset would clear."""
    return {
        task.id: dict(task.internal_data)
        for task in workflow.get_tasks(state=TaskState.WAITING)
        if task.internal_data
    }


def migrate_instance(
    rt: Runtime,
    session: so.Session,
    instance_id: int,
    actor: Actor,
    version: int,
    revision: int | None = None,
) -> ProcessInstance:
    """Move an unfinished instance to `version` of its process, keeping its state.

    Waiting timers keep their due moments; an instance in error stays in error (retry it on
    the new version).

    :raises Invalid: the version does not exist, is the current one, or elements block it
        (each named).
    """
    live = (InstanceStatus.RUNNING, InstanceStatus.WAITING, InstanceStatus.ERROR)
    row = operated_row(session, instance_id, revision, *(s.value for s in live))
    if version == row.version:
        raise Invalid.field("version", f"process instance {instance_id} is on version {version}")
    try:
        target = rt.registry.get(session, row.process_key, version)
    except NotFound:
        raise Invalid.field(
            "version", f"process model '{row.process_key}' has no version {version}"
        ) from None
    source = rt.registry.get(session, row.process_key, row.version)
    workflow = load_workflow(rt, session, row, source)
    top, subs, blockers = migration_plan(workflow, target)
    if blockers:
        raise Invalid(
            f"process instance {instance_id} cannot move to version {version}: "
            + "; ".join(blockers),
            {"version": blockers},
        )
    waiting = _timer_states(workflow)
    migrate_workflow(top, workflow, target.spec)
    for sp_id, sp_diff in subs.items():
        sub = workflow.subprocesses[sp_id]
        migrate_workflow(sp_diff, sub, target.subprocess_specs[sub.spec.name])
    workflow.subprocess_specs = target.subprocess_specs
    for task_id, internal in waiting.items():
        task = workflow.get_task_from_id(task_id)
        if task is not None and task.state == TaskState.WAITING:
            task.internal_data.update(internal)
    now = rt.clock.now()
    subject, previous = row.subject, row.version
    before = {task.id for task, _ in waiting_messages(workflow)}
    compare_and_set(
        session,
        row,
        version=version,
        state=target.serializer.serialize_json(workflow),
        updated_at=to_db(now),
    )
    sync_inbox(rt, session, row, workflow, actor.username, now)
    _retitle_open_tasks(session, instance_id, workflow)
    sync_subscriptions(rt, session, row, workflow, before)
    record_operator_action(
        rt,
        session,
        now,
        actor,
        "instance_migrated",
        instance_id,
        subject,
        {"from_version": previous, "to_version": version},
    )
    return row


def _retitle_open_tasks(session: so.Session, instance_id: int, workflow: Any) -> None:
    """Open inbox rows take the title and form of their task in the new version."""
    rows = session.scalars(
        sa.select(HumanTask).where(
            HumanTask.instance_id == instance_id, HumanTask.status.in_(OPEN_STATES)
        )
    )
    for task_row in rows:
        task = find_task(workflow, task_row.id)
        if task is not None:
            task_row.title = task.task_spec.bpmn_name or task.task_spec.name
            task_row.form_key = form_key_of(task.task_spec)
