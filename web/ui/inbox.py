"""Inbox page: my tasks and my groups' tasks, filters, sort, pages, claim and unclaim."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request

from credit.models import Customer
from engine.clock import to_db
from engine.errors import EngineError
from engine.inbox import OPEN_STATES, visible_filter
from engine.instances import claim_task, unclaim_task
from engine.models import HumanTask, ProcessInstance, TaskStatus
from web.api.request import int_arg
from web.api.tasks import priority_label
from web.extensions import db
from web.runtime_access import actor, runtime
from web.ui import bp
from web.ui.access import page, page_user

PAGE_SIZE = 25
SORTS = {  # plain columns so the (status, due_at) index can serve the sort; no due date sorts first
    "due": (HumanTask.due_at, HumanTask.priority.desc()),
    "priority": (HumanTask.priority.desc(), HumanTask.due_at),
}


def inbox_query(username: str, groups: set[str], args: dict) -> sa.Select:
    """The filtered task query of the inbox (indexed columns only, no workflow loading)."""
    query = sa.select(HumanTask)
    if args.get("scope") == "groups":
        # unclaimed tasks are 'open'; coalesce keeps the planner on the (status, due_at) index
        query = query.where(
            HumanTask.status == TaskStatus.OPEN.value,
            sa.func.coalesce(HumanTask.assignee, "") == "",
            visible_filter(username, groups),
        )
    else:
        query = query.where(HumanTask.status.in_(OPEN_STATES), HumanTask.assignee == username)
    if args.get("process"):
        query = query.where(HumanTask.process_key == args["process"])
    if text := (args.get("customer") or "").strip():
        ids = sa.select(Customer.id).where(
            sa.or_(
                Customer.name.icontains(text, autoescape=True),
                Customer.uscc.icontains(text, autoescape=True),
            )
        )
        subjects = sa.select(sa.literal("customer:") + sa.cast(Customer.id, sa.String)).where(
            Customer.id.in_(ids)
        )
        query = query.where(
            HumanTask.instance_id.in_(
                sa.select(ProcessInstance.id).where(ProcessInstance.subject.in_(subjects))
            )
        )
    if args.get("overdue"):
        query = query.where(HumanTask.due_at < to_db(runtime().clock.now()))
    if args.get("escalated"):
        query = query.where(HumanTask.escalation_level > 0)
    return query.order_by(*SORTS.get(args.get("sort", "due"), SORTS["due"]), HumanTask.id)


@bp.get("/inbox")
@page()
def inbox():
    """List the signed-in user's tasks or the unclaimed tasks of the user's groups."""
    user = page_user()
    args = {k: v for k, v in request.args.items() if v}
    args.setdefault("scope", "mine")
    offset = int_arg("offset", 0, 0, 10**9)
    rows = db.session.scalars(
        inbox_query(user.username, user.group_names, args).limit(PAGE_SIZE + 1).offset(offset)
    ).all()
    processes = db.session.scalars(sa.select(ProcessInstance.process_key).distinct()).all()
    now = to_db(runtime().clock.now())
    return render_template(
        "inbox.html",
        tasks=rows[:PAGE_SIZE],
        has_next=len(rows) > PAGE_SIZE,
        offset=offset,
        page_size=PAGE_SIZE,
        args=args,
        processes=sorted(processes),
        now=now,
        priority_label=priority_label,
    )


def _back() -> str:
    from web.ui.auth import safe_next

    return safe_next(request.form.get("next"), "ui.inbox")


@bp.post("/inbox/<task_id>/claim")
@page()
def claim(task_id: str):
    """Claim a task through the engine service and go back."""
    try:
        claim_task(runtime(), db.session, task_id, actor())
        db.session.commit()
    except EngineError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
    return redirect(_back())


@bp.post("/inbox/<task_id>/unclaim")
@page()
def unclaim(task_id: str):
    """Give a task back to its groups through the engine service."""
    user = page_user()
    try:
        unclaim_task(runtime(), db.session, task_id, actor(), "admin" in user.group_names)
        db.session.commit()
    except EngineError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
    return redirect(_back())
