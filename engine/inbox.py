"""The human_task inbox: kept in step with each instance, queried without deserializing."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow.util.task import TaskState

from engine.audit import plain
from engine.clock import to_db
from engine.models import HumanTask, HumanTaskCandidate, ProcessInstance, TaskStatus
from engine.registry import form_key_of, task_properties

OPEN_STATES = (TaskStatus.OPEN.value, TaskStatus.CLAIMED.value)
# Built once: the inbox is synchronised in every engine step.
_OPEN_TASKS = sa.select(HumanTask).where(
    HumanTask.instance_id == sa.bindparam("instance_id"), HumanTask.status.in_(OPEN_STATES)
)


@dataclass
class TaskChange:
    """A task that appeared in or left the inbox during a step."""

    id: str
    name: str
    title: str
    status: str
    candidate_groups: list[str]
    assignee: str | None = None
    completed_by: str | None = None
    audit_data: dict[str, Any] = field(default_factory=dict)
    row: HumanTask | None = None


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _expression_list(rt: Any, task: Any, expression: str | None) -> list[str]:
    if not expression:
        return []
    value = rt.script_engine.evaluate(task, expression)
    return sorted({str(v) for v in (value or []) if v})


def new_row(rt: Any, row: ProcessInstance, task: Any, now: dt.datetime) -> HumanTask:
    """Build the inbox row of a ready user task."""
    spec = task.task_spec
    props = task_properties(spec)
    groups = (
        _split(props.get("candidateGroups"))
        or _expression_list(rt, task, props.get("candidateGroupsExpression"))
        or ([spec.lane] if spec.lane else [])
    )
    due = rt.deadline(props, now) if rt.deadline and props.get("dueInBusinessDays") else None
    return HumanTask(
        id=str(task.id),
        instance_id=row.id,
        name=spec.name,
        title=spec.bpmn_name or spec.name,
        process_key=row.process_key,
        business_key=row.business_key,
        candidate_groups=groups,
        candidate_users=_split(props.get("candidateUsers")),
        excluded_users=_expression_list(rt, task, props.get("excludedUsers")),
        assignee=None,
        status=TaskStatus.OPEN.value,
        priority=int(props.get("priority", 50)),
        escalation_level=0,
        due_at=to_db(due) if due else None,
        form_key=form_key_of(spec),
        context=plain({k: task.data.get(k) for k in rt.context_keys if k in task.data}),
        created_at=to_db(now),
    )


def sync_inbox(
    rt: Any,
    session: so.Session,
    row: ProcessInstance,
    workflow: Any,
    actor: str,
    now: dt.datetime,
) -> tuple[list[TaskChange], list[TaskChange]]:
    """Insert rows for new ready user tasks; close rows whose task is no longer ready."""
    ready = {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    existing = session.scalars(_OPEN_TASKS, {"instance_id": row.id}).all()
    created: list[TaskChange] = []
    finished: list[TaskChange] = []
    known = set()
    for task_row in existing:
        known.add(task_row.id)
        if task_row.id in ready:
            continue
        spiff_task = find_task(workflow, task_row.id)
        done = spiff_task is not None and spiff_task.state == TaskState.COMPLETED
        task_row.status = TaskStatus.COMPLETED.value if done else TaskStatus.CANCELLED.value
        task_row.completed_at = to_db(now)
        task_row.completed_by = actor if done else None
        session.execute(
            sa.delete(HumanTaskCandidate).where(HumanTaskCandidate.task_id == task_row.id)
        )
        finished.append(
            TaskChange(
                task_row.id,
                task_row.name,
                task_row.title,
                task_row.status,
                list(task_row.candidate_groups),
                task_row.assignee,
                task_row.completed_by,
                row=task_row,
            )
        )
    for task_id, task in ready.items():
        if task_id in known:
            continue
        task_row = new_row(rt, row, task, now)
        session.add(task_row)
        session.add_all(
            HumanTaskCandidate(task_id=task_id, group_name=g) for g in task_row.candidate_groups
        )
        created.append(
            TaskChange(
                task_id,
                task_row.name,
                task_row.title,
                task_row.status,
                list(task_row.candidate_groups),
                row=task_row,
            )
        )
    session.flush()
    return created, finished


def find_task(workflow: Any, task_id: str) -> Any | None:
    """A task of the workflow or one of its called processes by id, or None."""
    try:
        return workflow.get_task_from_id(UUID(task_id))
    except Exception:
        return None


def not_excluded(username: str) -> Any:
    """SQL condition: the user is not in the task's four-eyes exclusion list.

    The list is a JSON array written by json.dumps on both SQLite and PostgreSQL (a `json`
    column keeps the text as written), so an element equals the user exactly when its JSON
    encoding appears in the text; LIKE wildcards in the name are escaped.
    """
    quoted = json.dumps(username).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    text = sa.cast(HumanTask.excluded_users, sa.Text)
    return sa.or_(HumanTask.excluded_users.is_(None), ~text.like(f"%{quoted}%", escape="\\"))


def visible_filter(username: str, groups: set[str]) -> Any:
    """SQL condition: assigned to the user, or open, offered to one of the user's groups and
    not excluded from the user by four-eyes."""
    offered = sa.and_(
        HumanTask.status == TaskStatus.OPEN.value,
        HumanTask.assignee.is_(None),
        sa.exists().where(
            HumanTaskCandidate.task_id == HumanTask.id,
            HumanTaskCandidate.group_name.in_(sorted(groups) or [""]),
        ),
        not_excluded(username),
    )
    return sa.or_(HumanTask.assignee == username, offered)


def is_candidate(task: HumanTask, username: str, groups: set[str]) -> bool:
    """Whether a user may see, claim and complete the task (never one four-eyes excludes)."""
    if task.assignee:
        return task.assignee == username
    if username in (task.excluded_users or []):
        return False
    return bool(groups & set(task.candidate_groups)) or username in task.candidate_users
