"""Task page: the form-js form, the business context and the diagram with the current step."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template

from credit.applications import PROCESS_KEY, application_view
from credit.customers import customer_summary
from engine.errors import EngineError
from web.api.tasks import task_data, task_view, visible_task
from web.extensions import db
from web.runtime_access import runtime
from web.ui import bp
from web.ui.access import page, page_user
from web.ui.diagrams import file_with
from web.ui.monitoring import REVIEW_CONTEXTS, review_context


def business_context(process_key: str, business_key: str | None) -> dict[str, Any]:
    """The application and customer file behind a credit task (empty for other processes)."""
    if process_key in REVIEW_CONTEXTS and (business_key or "").isdigit():
        return review_context(process_key, int(business_key))
    if process_key != PROCESS_KEY or not (business_key or "").isdigit():
        return {}
    try:
        application = application_view(db.session, int(business_key))
        customer = customer_summary(
            db.session,
            application["customer_id"],
            runtime().clock.today(),
            current_app.config["CREDITFLOW"].fx_rates,
        )
    except EngineError:
        return {}
    return {"application": application, "customer": customer}


@bp.get("/tasks/<task_id>")
@page()
def task(task_id: str):
    """Show one task with its form, context and diagram."""
    row = visible_task(task_id)
    view = task_view(row, task_data(row))
    bundle = runtime().registry.get(db.session, *_instance_version(row.instance_id))
    diagram_name, xml = file_with(bundle.files, row.name, row.process_key)
    user = page_user()
    return render_template(
        "task.html",
        task=view,
        row=row,
        ctx=business_context(row.process_key, row.business_key),
        diagram={"name": diagram_name, "xml": xml, "active": [row.name], "completed": []},
        mine=row.assignee == user.username,
    )


def _instance_version(instance_id: int) -> tuple[str, int]:
    from engine.models import ProcessInstance

    inst = db.session.get(ProcessInstance, instance_id)
    return inst.process_key, inst.version
