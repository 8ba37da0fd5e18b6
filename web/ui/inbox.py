"""Inbox page: one list of my and my groups' work; search, saved filters, claim (one or many)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from credit.worklist import search_worklist
from engine.clock import to_db
from engine.errors import EngineError
from engine.instances import unclaim_task
from engine.worklist import (
    WorkFilter,
    claim_many,
    delete_filter,
    process_keys,
    save_filter,
    saved_filters,
)
from web.api.request import int_arg
from web.api.tasks import priority_label
from web.extensions import db
from web.runtime_access import actor, runtime
from web.ui import bp
from web.ui.access import page, page_user
from web.ui.i18n import gettext

PAGE_SIZE = 25


@bp.get("/inbox")
@page()
def inbox():
    """List the signed-in user's tasks and the unclaimed tasks of the user's groups."""
    user = page_user()
    flt = WorkFilter.from_args(request.args)
    offset = int_arg("offset", 0, 0, 10**9)
    now = runtime().clock.now()
    rows = search_worklist(
        db.session, user.username, user.group_names, flt, now, PAGE_SIZE + 1, offset
    )
    return render_template(
        "inbox.html",
        items=rows[:PAGE_SIZE],
        has_next=len(rows) > PAGE_SIZE,
        offset=offset,
        page_size=PAGE_SIZE,
        flt=flt,
        args=flt.args(),
        processes=process_keys(db.session),
        filters=saved_filters(db.session, user.username),
        now=now,
        now_db=to_db(now),
        priority_label=priority_label,
    )


def _back() -> str:
    from web.ui.auth import safe_next

    return safe_next(request.form.get("next"), "ui.inbox")


@bp.post("/inbox/<task_id>/claim")
@page()
def claim(task_id: str):
    """Claim a task and open it; say why not when someone else was faster."""
    claimed, failed = claim_many(runtime(), db.session, [task_id], actor())
    db.session.commit()
    if claimed:
        return redirect(url_for("ui.task", task_id=task_id))
    flash(gettext("Could not claim the task: %(why)s", why=failed[task_id]), "error")
    return redirect(_back())


@bp.post("/inbox/claim")
@page()
def claim_selected():
    """Claim every selected task (each on its own) and report what happened."""
    ids = request.form.getlist("task_id")
    if not ids:
        flash(gettext("Select the tasks to claim first."), "error")
        return redirect(_back())
    try:
        claimed, failed = claim_many(runtime(), db.session, ids, actor())
    except EngineError as exc:
        flash(exc.detail, "error")
        return redirect(_back())
    db.session.commit()
    if claimed:
        flash(
            gettext("%(n)s tasks claimed; they are now in “Assigned to me”.", n=len(claimed)), "ok"
        )
    for why in failed.values():
        flash(gettext("Could not claim the task: %(why)s", why=why), "error")
    return redirect(_back())


@bp.post("/inbox/<task_id>/unclaim")
@page()
def unclaim(task_id: str):
    """Give a claimed task back to its groups (not a decision on the case)."""
    user = page_user()
    try:
        unclaim_task(runtime(), db.session, task_id, actor(), "admin" in user.group_names)
        db.session.commit()
        flash(gettext("The task is back in the group's list for anyone to claim."), "ok")
    except EngineError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
    return redirect(_back())


@bp.post("/inbox/filters")
@page()
def inbox_save_filter():
    """Save the current filter under a name."""
    flt = WorkFilter.from_args(request.form)
    try:
        save_filter(
            db.session, runtime().clock.now(), page_user().username, request.form.get("name"), flt
        )
        db.session.commit()
    except EngineError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
    return redirect(url_for("ui.inbox", **flt.args()))


@bp.post("/inbox/filters/<int:filter_id>/delete")
@page()
def inbox_delete_filter(filter_id: int):
    """Delete one of my saved filters."""
    try:
        delete_filter(db.session, page_user().username, filter_id)
        db.session.commit()
    except EngineError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
    return redirect(url_for("ui.inbox"))
