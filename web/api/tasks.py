"""The task inbox: list, read, claim, unclaim, complete."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from marshmallow import Schema, fields, validate

from engine import task_reads
from engine.clock import from_db
from engine.errors import Forbidden, Invalid
from engine.inbox import is_candidate
from engine.instances import check_may_work, claim_task, complete_task, unclaim_task
from engine.models import HumanTask, TaskStatus
from engine.task_reads import task_forms
from engine.tasklist import SORTS, TaskFilter, task_page
from forms import validate_submission
from forms.errors import FormInvalid
from forms.fields import Id, Integer, Money, PlainText
from web.api import bp
from web.api.request import body, no_body, query, responds
from web.auth import current_user, requires
from web.extensions import db
from web.runtime_access import actor, runtime

OVERSEERS = {"admin", "auditor"}


def priority_label(value: int) -> str:
    """Readable priority: high, normal or low."""
    return "high" if value >= 70 else "low" if value <= 30 else "normal"


def task_view(
    task: HumanTask, data: dict[str, Any] | None = None, form: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A task as the API shows it (form looked up when not given)."""
    return {
        "id": task.id,
        "name": task.name,
        "title": task.title,
        "process_instance_id": task.instance_id,
        "process_key": task.process_key,
        "business_key": task.business_key,
        "candidate_groups": list(task.candidate_groups),
        "assignee": task.assignee,
        "status": task.status,
        "due_at": from_db(task.due_at),
        "priority": priority_label(task.priority),
        "escalated": task.escalated,
        "escalation_level": task.escalation_level,
        "created_at": from_db(task.created_at),
        "form": form if form is not None else forms_of([task])[0],
        "data": data if data is not None else dict(task.context or {}),
    }


class TaskQuery(Schema):
    """Filters of GET /tasks."""

    scope = fields.String(load_default="all", validate=validate.OneOf(["mine", "candidate", "all"]))
    status = fields.String(
        load_default="open", validate=validate.OneOf(["open", "claimed", "completed", "cancelled"])
    )
    name = PlainText(load_default=None, max_length=128)
    business_key = PlainText(load_default=None, max_length=128)
    process_instance_id = Id(load_default=None)
    customer_id = Id(load_default=None, metadata={"description": "tasks of this customer's cases"})
    min_amount = Money(
        load_default=None, metadata={"description": "the case's amount in CNY, at least"}
    )
    max_amount = Money(load_default=None, metadata={"description": "the case's amount, at most"})
    sort = fields.String(
        load_default="priority",
        validate=validate.OneOf(SORTS),
        metadata={"description": "priority (then due date) or due (earliest first)"},
    )
    limit = Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = Integer(load_default=0, validate=validate.Range(min=0, max=10**9))


class TaskOut(Schema):
    """A task of the inbox with its form and data."""

    id = fields.String()
    name = fields.String()
    title = fields.String()
    process_instance_id = fields.Integer()
    process_key = fields.String()
    business_key = fields.String(allow_none=True)
    candidate_groups = fields.List(fields.String())
    assignee = fields.String(allow_none=True)
    status = fields.String()
    due_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    priority = fields.String(metadata={"enum": ["high", "normal", "low"]})
    escalated = fields.Boolean()
    escalation_level = fields.Integer()
    created_at = fields.String(metadata={"format": "date-time"})
    form = fields.Dict(allow_none=True)
    data = fields.Dict()


class TaskPage(Schema):
    """A page of tasks."""

    items = fields.List(fields.Nested(TaskOut))
    total = fields.Integer()


class CompleteRequest(Schema):
    """Body of POST /tasks/{id}/complete: the form's fields (validated against the form)."""

    data = fields.Dict(keys=fields.String(), load_default=dict)


class CompletedOut(Schema):
    """What completing a task did."""

    id = fields.String()
    status = fields.String()
    process_instance_id = fields.Integer()
    instance_status = fields.String()
    next_tasks = fields.List(fields.String())


@bp.get("/tasks")
@requires()
@query(TaskQuery)
@responds(200, TaskPage)
def list_tasks(args):
    """Tasks of the signed-in user: scope mine, candidate or all; business filters; `total`
    counts up to 10,000."""
    user = current_user()
    customer = args["customer_id"]
    flt = TaskFilter(
        scope=args["scope"],
        status=args["status"],
        name=args["name"],
        business_key=args["business_key"],
        instance_id=args["process_instance_id"],
        subject=f"customer:{customer}" if customer else None,
        min_amount=args["min_amount"],
        max_amount=args["max_amount"],
        sort=args["sort"],
    )
    groups = user.group_names
    rows, total = task_page(
        db.session,
        user.username,
        groups,
        flt,
        args["limit"],
        args["offset"],
        overseer=bool(groups & OVERSEERS),
    )
    forms = forms_of(rows)
    return jsonify(
        items=[task_view(t, form=f) for t, f in zip(rows, forms, strict=True)], total=total
    )


def forms_of(tasks: list[HumanTask]) -> list[dict[str, Any] | None]:
    """The forms of a page of tasks."""
    return task_forms(runtime(), db.session, tasks)


def task_row(task_id: str) -> HumanTask:
    """The inbox row of a task id; 404 for an unknown or malformed id."""
    return task_reads.task_row(db.session, task_id)


def visible_task(task_id: str) -> HumanTask:
    """A task the signed-in user may see (candidate, assignee, completer, overseer)."""
    task = task_row(task_id)
    user = current_user()
    if not (
        user.group_names & OVERSEERS
        or is_candidate(task, user.username, user.group_names)
        or task.completed_by == user.username
    ):
        raise Forbidden(f"user '{user.username}' is not a candidate of task '{task.name}'")
    return task


def task_data(task: HumanTask) -> dict[str, Any]:
    """The live data of an open task (its business context for the form)."""
    return task_reads.task_data(runtime(), db.session, task)


@bp.get("/tasks/<task:task_id>")
@requires()
@responds(200, TaskOut)
def get_task(task_id: str):
    """One task with its form and data."""
    task = visible_task(task_id)
    return jsonify(task_view(task, task_data(task)))


@bp.post("/tasks/<task:task_id>/claim")
@requires()
@no_body
@responds(200, TaskOut)
def claim(task_id: str):
    """Claim a task."""
    task = claim_task(runtime(), db.session, task_id, actor())
    db.session.commit()
    return jsonify(task_view(task))


@bp.post("/tasks/<task:task_id>/unclaim")
@requires()
@no_body
@responds(200, TaskOut)
def unclaim(task_id: str):
    """Give a claimed task back to its groups (its assignee, or an admin)."""
    user = current_user()
    visible_task(task_id)
    task = unclaim_task(runtime(), db.session, task_id, actor(), "admin" in user.group_names)
    db.session.commit()
    return jsonify(task_view(task))


def submit_task(task_id: str, submitted: Any) -> dict[str, Any]:
    """Validate a completion against the task's form and complete it (API and UI)."""
    task = task_row(task_id)
    check_may_work(task, actor())
    if not isinstance(submitted, dict):
        raise Invalid.field("data", "must be an object with the form's fields")
    form = forms_of([task])[0]
    try:
        clean = validate_submission(form, submitted) if form else dict(submitted)
    except FormInvalid as exc:
        raise Invalid("the task data is invalid", exc.errors) from None
    clean = {k: v for k, v in clean.items() if v is not None}
    change = complete_task(runtime(), db.session, task_id, actor(), clean)
    db.session.commit()
    return {
        "id": task_id,
        "status": TaskStatus.COMPLETED.value,
        "process_instance_id": change.instance.id,
        "instance_status": change.instance.status,
        "next_tasks": [t.id for t in change.created],
    }


@bp.post("/tasks/<task:task_id>/complete")
@requires()
@body(CompleteRequest)
@responds(200, CompletedOut)
def complete(task_id: str, body):
    """Complete a task with {"data": {...}} validated against its form."""
    return jsonify(submit_task(task_id, body["data"]))
