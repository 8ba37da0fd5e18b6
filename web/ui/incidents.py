"""Incidents page: instances in error, one in detail with its diagram, and what to do."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for

from engine.errors import EngineError
from engine.incidents import (
    cancel_instance,
    incident_of,
    list_incidents,
    next_data,
    retry_instance,
    set_instance_data,
)
from engine.instances import instance_row
from engine.migration import migrate_instance
from engine.models import InstanceStatus
from web.api.instances import instance_view
from web.extensions import db
from web.runtime_access import actor, runtime
from web.ui import bp
from web.ui.access import page
from web.ui.diagrams import element_ids, file_with
from web.ui.i18n import gettext as _
from web.ui.instances import completed_elements

OPERATORS = ("process_designer", "admin")


@bp.get("/incidents")
@page(*OPERATORS)
def incidents():
    """List the instances in error: element, error, when and how often."""
    return render_template("incidents.html", incidents=list_incidents(db.session))


@bp.get("/incidents/<int:instance_id>")
@page(*OPERATORS)
def incident(instance_id: int):
    """One incident: the error, the diagram with the failing element, data and actions."""
    row = instance_row(db.session, instance_id)
    if row.status != InstanceStatus.ERROR:
        return redirect(url_for("ui.instance", instance_id=instance_id))
    rt = runtime()
    found = incident_of(row)
    bundle = rt.registry.get(db.session, row.process_key, row.version)
    name, xml = file_with(bundle.files, found.element, row.process_key)
    ids = element_ids(xml)
    active = {t["name"] for t in instance_view(row)["open_tasks"]} & ids
    failed = [found.element] if found.element in ids else []
    versions = [
        v for v in rt.registry.versions(db.session).get(row.process_key, []) if v != row.version
    ]
    return render_template(
        "incident.html",
        incident=found,
        data=next_data(rt, db.session, row),
        versions=versions,
        diagram={
            "name": name,
            "xml": xml,
            "failed": failed,
            "active": sorted(active - set(failed)),
            "completed": sorted((completed_elements(row) & ids) - active - set(failed)),
        },
    )


def _act(instance_id: int, action: Callable[[int | None], Any], done: str) -> Any:
    """Run an operator action with the revision the page showed; flash the outcome.

    Back to the incident while the instance is still in error, else to the instance page.
    """
    revision = request.form.get("revision", type=int)
    try:
        action(revision)
        db.session.commit()
    except EngineError as exc:
        db.session.rollback()
        flash(exc.detail, "error")
        return redirect(url_for("ui.incident", instance_id=instance_id))
    flash(done, "ok")
    if instance_row(db.session, instance_id).status == InstanceStatus.ERROR:
        return redirect(url_for("ui.incident", instance_id=instance_id))
    return redirect(url_for("ui.instance", instance_id=instance_id))


@bp.post("/incidents/<int:instance_id>/retry")
@page(*OPERATORS)
def incident_retry(instance_id: int):
    """Run the failed step again."""
    return _act(
        instance_id,
        lambda rev: retry_instance(runtime(), db.session, instance_id, actor(), rev),
        _("Retried: the failed step ran again."),
    )


@bp.post("/incidents/<int:instance_id>/cancel")
@page(*OPERATORS)
def incident_cancel(instance_id: int):
    """Cancel the instance with a reason."""
    reason = request.form.get("reason", "")
    return _act(
        instance_id,
        lambda rev: cancel_instance(runtime(), db.session, instance_id, actor(), reason, rev),
        _("Cancelled."),
    )


@bp.post("/incidents/<int:instance_id>/data")
@page(*OPERATORS)
def incident_data(instance_id: int):
    """Correct variables (a JSON object) before retrying."""
    try:
        values = json.loads(request.form.get("set") or "")
    except ValueError:
        flash(_('Variables must be a JSON object, e.g. {"count": 2}.'), "error")
        return redirect(url_for("ui.incident", instance_id=instance_id))
    return _act(
        instance_id,
        lambda rev: set_instance_data(runtime(), db.session, instance_id, actor(), values, rev),
        _("Variables saved."),
    )


@bp.post("/incidents/<int:instance_id>/migrate")
@page(*OPERATORS)
def incident_migrate(instance_id: int):
    """Move the instance to another version of its model."""
    version = request.form.get("version", type=int) or 0
    return _act(
        instance_id,
        lambda rev: migrate_instance(runtime(), db.session, instance_id, actor(), version, rev),
        _("Moved to version %(v)s.", v=version),
    )
