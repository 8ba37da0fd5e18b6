"""Task page: the form (one language, empty), what the decision rests on, and the diagram."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template

from credit import preview
from credit.applications import PROCESS_KEY
from credit.case_view import decision_context
from engine.errors import EngineError
from web.api.tasks import task_view, visible_task
from web.extensions import db
from web.runtime_access import runtime
from web.ui import bp
from web.ui.access import page, page_user
from web.ui.diagrams import diagram_state
from web.ui.display import one_language
from web.ui.monitoring import REVIEW_CONTEXTS, review_context


def business_context(process_key: str, business_key: str | None) -> dict[str, Any]:
    """The application and customer file behind a credit task (empty for other processes)."""
    if process_key in REVIEW_CONTEXTS and (business_key or "").isdigit():
        return review_context(process_key, int(business_key))
    if process_key != PROCESS_KEY or not (business_key or "").isdigit():
        return {}
    rt = runtime()
    try:
        return decision_context(
            db.session,
            rt,
            int(business_key),
            rt.clock.today(),
            current_app.config["CREDITFLOW"].fx_rates,
        )
    except EngineError:
        return {}


def assessment_warnings(ctx: dict[str, Any]) -> list[dict[str, Any]]:
    """Missing or stale data of the application's customer (for the analyst's task)."""
    if not ctx.get("application"):
        return []
    return preview.assessment_warnings(
        db.session,
        runtime(),
        ctx["customer"]["id"],
        ctx["application"]["process_instance_id"],
    )


@bp.get("/tasks/<task_id>")
@page()
def task(task_id: str):
    """Show one task with its form, context and diagram."""
    row = visible_task(task_id)
    view = task_view(row, {})  # a form starts empty: nobody signs another task's answers
    view["form"] = one_language(view["form"])
    ctx = business_context(row.process_key, row.business_key)
    user = page_user()
    kind = (
        "assess"
        if row.name in ("assess_customer", "revise_application")
        else "approve"
        if row.name.startswith("approve_")
        else "other"
    )
    return render_template(
        "task.html",
        task=view,
        row=row,
        ctx=ctx,
        kind=kind,
        warnings=assessment_warnings(ctx) if kind == "assess" else [],
        diagram=diagram_state(row.instance_id, focus=row.name),
        mine=row.assignee == user.username,
        now=runtime().clock.now(),
    )
