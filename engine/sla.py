"""The approval SLA ladder's engine-generic operations: remind, escalate, reassign."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from engine.errors import NotFound
from engine.inbox import OPEN_STATES
from engine.models import Group, HumanTask, HumanTaskCandidate
from engine.services import ServiceRegistry, StepContext

ESCALATED_PRIORITY = 80


def open_task(ctx: StepContext, name: str) -> HumanTask:
    """The open inbox row of user task `name` in the step's instance (the attached task)."""
    row = ctx.session.scalar(
        sa.select(HumanTask)
        .where(
            HumanTask.instance_id == ctx.instance_id,
            HumanTask.name == name,
            HumanTask.status.in_(OPEN_STATES),
        )
        .order_by(HumanTask.created_at.desc())
        .limit(1)
    )
    if row is None:
        raise NotFound(f"instance {ctx.instance_id} has no open task '{name}' for the SLA step")
    return row


def supervisors(ctx: StepContext, groups: list[str]) -> list[str]:
    """The supervising groups of the given groups (a group without one supervises itself)."""
    found = dict(
        ctx.session.execute(
            sa.select(Group.name, Group.supervisor).where(Group.name.in_(groups or [""]))
        ).all()
    )
    return sorted({found.get(g) or g for g in groups})


def _recipients(task: HumanTask) -> dict[str, list[str]]:
    if task.assignee:
        return {"users": [task.assignee], "groups": []}
    return {"users": list(task.candidate_users), "groups": list(task.candidate_groups)}


def _ids(task: HumanTask, ctx: StepContext) -> dict[str, Any]:
    return {
        "task_id": task.id,
        "instance_id": ctx.instance_id,
        "task_name": task.name,
        "title": task.title,
        "business_key": task.business_key,
    }


def task_remind(ctx: StepContext, data: dict[str, Any], task: str) -> None:
    """Remind the assignee, or the candidates while the task is unclaimed."""
    row = open_task(ctx, task)
    recipients = _recipients(row)
    ctx.emit("task_reminder", **_ids(row, ctx), recipients=recipients)
    ctx.audit("sla_reminder", {"task_id": row.id, "task": row.name, "recipients": recipients})


def task_escalate(ctx: StepContext, data: dict[str, Any], task: str) -> None:
    """Mark the task escalated with high priority and notify the supervising group."""
    row = open_task(ctx, task)
    row.escalation_level = max(row.escalation_level, 1)
    row.priority = max(row.priority, ESCALATED_PRIORITY)
    groups = supervisors(ctx, list(row.candidate_groups))
    ctx.emit(
        "task_escalated",
        **_ids(row, ctx),
        recipients={"users": [], "groups": groups},
        escalation_level=row.escalation_level,
    )
    ctx.audit("sla_escalated", {"task_id": row.id, "task": row.name, "supervisors": groups})


def task_reassign(ctx: StepContext, data: dict[str, Any], task: str) -> None:
    """Offer the task to the supervising group instead; it keeps its name and its ladder."""
    row = open_task(ctx, task)
    before = list(row.candidate_groups)
    groups = supervisors(ctx, before)
    row.candidate_groups, row.assignee = groups, None
    row.status = OPEN_STATES[0]
    ctx.session.execute(sa.delete(HumanTaskCandidate).where(HumanTaskCandidate.task_id == row.id))
    ctx.session.add_all(
        HumanTaskCandidate(task_id=row.id, group_name=g, due_at=row.due_at, amount=row.amount)
        for g in groups
    )
    ctx.session.flush()
    ctx.emit(
        "task_reassigned",
        **_ids(row, ctx),
        recipients={"users": [], "groups": groups},
        previous_groups=before,
    )
    ctx.audit("sla_reassigned", {"task_id": row.id, "task": row.name, "from": before, "to": groups})


def register(services: ServiceRegistry) -> None:
    """Register the SLA operations under their engine.* names."""
    services.register("engine.task_remind", task_remind)
    services.register("engine.task_escalate", task_escalate)
    services.register("engine.task_reassign", task_reassign)
