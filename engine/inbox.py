"""The human_task inbox: kept in step with each instance, queried without deserializing."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from engine.audit import plain
from engine.clock import to_db
from engine.models import HumanTask, HumanTaskCandidate, ProcessInstance, TaskStatus
from engine.registry import form_key_of, task_properties

OPEN_STATES = (TaskStatus.OPEN.value, TaskStatus.CLAIMED.value)

# Built once and run as Core statements: the inbox is synchronised in every engine step, and
# ORM objects (identity map, unit of work, per-row flush) cost more than the rows themselves.
_TASKS = HumanTask.__table__
_CANDIDATES = HumanTaskCandidate.__table__
_OPEN_ROW = sa.select(
    _TASKS.c.id,
    _TASKS.c.name,
    _TASKS.c.title,
    _TASKS.c.candidate_groups,
    _TASKS.c.candidate_users,
    _TASKS.c.excluded_users,
    _TASKS.c.assignee,
    _TASKS.c.context,
).where(_TASKS.c.status.in_(OPEN_STATES))
_OPEN_TASKS = _OPEN_ROW.where(_TASKS.c.instance_id == sa.bindparam("instance_id"))
_OPEN_TASKS_BY_ID = _OPEN_ROW.where(_TASKS.c.id.in_(sa.bindparam("ids", expanding=True)))
_CLOSE_TASK = (
    sa.update(_TASKS)
    .where(_TASKS.c.id == sa.bindparam("b_id"))
    .values(
        status=sa.bindparam("status"),
        completed_at=sa.bindparam("completed_at"),
        completed_by=sa.bindparam("completed_by"),
    )
)
_DROP_CANDIDATES = sa.delete(_CANDIDATES).where(
    _CANDIDATES.c.task_id.in_(sa.bindparam("ids", expanding=True))
)
_INSERT_TASKS = sa.insert(_TASKS)
_INSERT_CANDIDATES = sa.insert(_CANDIDATES)


@dataclass
class TaskChange:
    """A task that appeared in or left the inbox during a step (plain values of its row)."""

    id: str
    name: str
    title: str
    status: str
    candidate_groups: list[str]
    assignee: str | None = None
    completed_by: str | None = None
    candidate_users: list[str] = field(default_factory=list)
    excluded_users: list[str] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _expression_list(rt: Any, task: Any, expression: str | None) -> list[str]:
    if not expression:
        return []
    value = rt.script_engine.evaluate(task, expression)
    return sorted({str(v) for v in (value or []) if v})


def new_row(rt: Any, row: ProcessInstance, task: Any, now: dt.datetime) -> dict[str, Any]:
    """The column values of a ready user task's inbox row."""
    spec = task.task_spec
    props = task_properties(spec)
    groups = (
        _split(props.get("candidateGroups"))
        or _expression_list(rt, task, props.get("candidateGroupsExpression"))
        or ([spec.lane] if spec.lane else [])
    )
    due = rt.deadline(props, now) if rt.deadline and props.get("dueInBusinessDays") else None
    return {
        "id": str(task.id),
        "instance_id": row.id,
        "name": spec.name,
        "title": spec.bpmn_name or spec.name,
        "process_key": row.process_key,
        "business_key": row.business_key,
        "candidate_groups": groups,
        "candidate_users": _split(props.get("candidateUsers")),
        "excluded_users": _expression_list(rt, task, props.get("excludedUsers")),
        "assignee": None,
        "status": TaskStatus.OPEN.value,
        "priority": int(props.get("priority", 50)),
        "escalation_level": 0,
        "due_at": to_db(due) if due else None,
        "form_key": form_key_of(spec),
        "context": plain({k: task.data.get(k) for k in rt.context_keys if k in task.data}),
        "created_at": to_db(now),
        "completed_at": None,
        "completed_by": None,
        "subject": row.subject,
        "amount": _amount(task.data.get(rt.amount_key) if rt.amount_key else None),
    }


def _amount(value: Any) -> Decimal | None:
    """A task's business amount as stored (bounded like every money column), or None."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01")) if value is not None else None
    except (ArithmeticError, ValueError):
        return None
    return amount if amount is not None and abs(amount) < Decimal("1e16") else None


def ready_user_tasks(workflow: Any) -> dict[str, Any]:
    """The workflow's ready user tasks by id (the tasks that have open inbox rows)."""
    return {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}


def sync_inbox(
    rt: Any,
    session: so.Session,
    row: ProcessInstance,
    workflow: Any,
    actor: str,
    now: dt.datetime,
    ready_before: Collection[str] | None = None,
) -> tuple[list[TaskChange], list[TaskChange]]:
    """Insert rows for new ready user tasks; close rows whose task is no longer ready.

    :param ready_before: the ready user tasks of the state the step started from. Inbox rows and
        state commit together, so the open rows are exactly these: only the tasks that left or
        joined them are read and written (a step that changes no task touches no row). None
        reads every open row of the instance (a workflow rebuilt outside a step).
    """
    ready = ready_user_tasks(workflow)
    if ready_before is None:
        existing = session.execute(_OPEN_TASKS, {"instance_id": row.id}).all()
        known = {task_row.id for task_row in existing}
    else:
        gone = [task_id for task_id in ready_before if task_id not in ready]
        existing = session.execute(_OPEN_TASKS_BY_ID, {"ids": gone}).all() if gone else []
        known = set(ready_before)
    at = to_db(now)
    finished: list[TaskChange] = []
    for task_row in existing:
        if task_row.id in ready:
            continue
        spiff_task = find_task(workflow, task_row.id)
        done = spiff_task is not None and spiff_task.state == TaskState.COMPLETED
        finished.append(
            TaskChange(
                task_row.id,
                task_row.name,
                task_row.title,
                TaskStatus.COMPLETED.value if done else TaskStatus.CANCELLED.value,
                list(task_row.candidate_groups or []),
                task_row.assignee,
                actor if done else None,
                list(task_row.candidate_users or []),
                list(task_row.excluded_users or []),
                dict(task_row.context or {}),
            )
        )
    if finished:
        closed = [
            {"b_id": t.id, "status": t.status, "completed_at": at, "completed_by": t.completed_by}
            for t in finished
        ]
        session.execute(_CLOSE_TASK, closed)
        session.execute(_DROP_CANDIDATES, {"ids": [t.id for t in finished]})
        _refresh_loaded(session, closed)
    new_rows = [new_row(rt, row, t, now) for task_id, t in ready.items() if task_id not in known]
    if new_rows:
        session.execute(_INSERT_TASKS, new_rows)
        candidates = [
            {
                "task_id": values["id"],
                "group_name": group,
                "due_at": values["due_at"],
                "amount": values["amount"],
            }  # fmt: skip
            for values in new_rows
            for group in values["candidate_groups"]
        ]
        if candidates:
            session.execute(_INSERT_CANDIDATES, candidates)
    created = [
        TaskChange(
            values["id"],
            values["name"],
            values["title"],
            values["status"],
            list(values["candidate_groups"]),
            candidate_users=values["candidate_users"],
            excluded_users=values["excluded_users"],
            context=values["context"],
        )
        for values in new_rows
    ]
    return created, finished


def _refresh_loaded(session: so.Session, closed: list[dict[str, Any]]) -> None:
    """Keep HumanTask objects this session already loaded in step with the Core update."""
    for values in closed:
        loaded = session.identity_map.get(identity_key(HumanTask, values["b_id"]))
        if loaded is not None:
            for name in ("status", "completed_at", "completed_by"):
                set_committed_value(loaded, name, values[name])


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


def open_tasks_of(session: so.Session, instance_id: int) -> list[HumanTask]:
    """The open (offered or claimed) tasks of one process instance, oldest first."""
    return list(
        session.scalars(
            sa.select(HumanTask)
            .where(HumanTask.instance_id == instance_id, HumanTask.status.in_(OPEN_STATES))
            .order_by(HumanTask.created_at)
        )
    )
