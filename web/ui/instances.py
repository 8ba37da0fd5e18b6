"""Application / process instance page: diagram with completed and active steps, history, audit."""

from __future__ import annotations

import sqlalchemy as sa
from flask import render_template, request

from credit.models import CreditApplication
from engine.errors import NotFound
from engine.models import AuditEvent, ProcessInstance
from engine.retention import completed_elements as engine_completed_elements
from web.api.audit import event_view
from web.api.instances import instance_view
from web.extensions import db
from web.runtime_access import runtime
from web.ui import bp
from web.ui.access import page
from web.ui.diagrams import bpmn_files, element_ids, file_with
from web.ui.tasks import business_context


def completed_elements(row: ProcessInstance) -> set[str]:
    """Names of the finished steps of one instance (loads this one workflow, never a list)."""
    try:
        return engine_completed_elements(runtime(), db.session, row)
    except Exception:  # a broken state must not hide the page; the audit trail still shows
        return set()


@bp.get("/process-instances/<int:instance_id>")
@page()
def instance(instance_id: int):
    """Show an instance's diagram, open tasks, history timeline and audit events."""
    row = db.session.get(ProcessInstance, instance_id)
    if row is None:
        raise NotFound(f"no process instance {instance_id}")
    view = instance_view(row)
    bundle = runtime().registry.get(db.session, row.process_key, row.version)
    diagrams = bpmn_files(bundle.files)
    name = request.args.get("diagram")
    if name not in diagrams:
        name, _ = file_with(bundle.files, None, row.process_key)
    xml = diagrams.get(name, "")
    ids = element_ids(xml)
    active = sorted({t["name"] for t in view["open_tasks"]} & ids)
    done = completed_elements(row) | {
        h["element"] for h in view["history"] if h["element"] and h["event"] == "task_completed"
    }
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.instance_id == row.id).order_by(AuditEvent.seq)
    ).all()
    return render_template(
        "instance.html",
        inst=view,
        ctx=business_context(row.process_key, row.business_key),
        diagram={
            "name": name,
            "xml": xml,
            "active": active,
            "completed": sorted((done & ids) - set(active)),
        },
        diagram_names=list(diagrams),
        events=[event_view(e) for e in events],
    )


@bp.get("/applications/<int:application_id>")
@page()
def application(application_id: int):
    """An application's page is its process instance page."""
    from flask import redirect, url_for

    app = db.session.get(CreditApplication, application_id)
    if app is None or app.process_instance_id is None:
        raise NotFound(f"no credit application with id {application_id}")
    return redirect(url_for("ui.instance", instance_id=app.process_instance_id))
