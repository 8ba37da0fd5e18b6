"""Application / process instance page: diagram with completed and active steps, history, audit."""

from __future__ import annotations

from flask import render_template, request

from credit.case_view import after_completion, application_instance_id
from engine.audit import instance_events
from engine.models import ProcessInstance
from engine.progress import completed_elements as engine_completed_elements
from web.api.audit import event_view
from web.api.instances import instance_view, visible_instance
from web.extensions import db
from web.runtime_access import runtime
from web.ui import bp
from web.ui.access import page, page_user
from web.ui.diagrams import diagram_state
from web.ui.tasks import business_context

AUDIT_READERS = {"auditor", "admin"}


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
    row = visible_instance(instance_id)
    view = instance_view(row)
    # Audit data is for auditors and admins (the role table of GET /audit-events).
    show_audit = bool(page_user().group_names & AUDIT_READERS)
    events = instance_events(db.session, row.id) if show_audit else []
    return render_template(
        "instance.html",
        inst=view,
        ctx=business_context(row.process_key, row.business_key),
        diagram=diagram_state(row.id),
        after=after_completion(db.session, request.args["done"])
        if request.args.get("done")
        else None,
        events=[event_view(e) for e in events],
        show_audit=show_audit,
    )


@bp.get("/applications/<int:application_id>")
@page()
def application(application_id: int):
    """An application's page is its process instance page."""
    from flask import redirect, url_for

    instance_id = application_instance_id(db.session, application_id)
    return redirect(url_for("ui.instance", instance_id=instance_id))
