"""Process instances: read one (status, open tasks, history), start one, messages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify
from marshmallow import Schema, fields

from engine.clock import from_db
from engine.errors import NotFound
from engine.inbox import OPEN_STATES
from engine.instances import start_instance
from engine.messages import deliver_message
from engine.models import AuditEvent, HumanTask, ProcessInstance
from web.api import bp
from web.api.request import load
from web.auth import requires
from web.extensions import db
from web.runtime_access import actor, runtime


def instance_view(row: ProcessInstance) -> dict:
    """An instance as the API shows it."""
    tasks = db.session.scalars(
        sa.select(HumanTask)
        .where(HumanTask.instance_id == row.id, HumanTask.status.in_(OPEN_STATES))
        .order_by(HumanTask.created_at)
    ).all()
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.instance_id == row.id).order_by(AuditEvent.seq)
    ).all()
    return {
        "id": row.id,
        "process_key": row.process_key,
        "version": row.version,
        "status": row.status,
        "business_key": row.business_key,
        "subject": row.subject,
        "revision": row.revision,
        "next_timer_at": from_db(row.next_timer_at),
        "error": (
            {"title": row.error.get("title"), "task": row.error.get("task")} if row.error else None
        ),
        "open_tasks": [
            {
                "id": t.id,
                "name": t.name,
                "title": t.title,
                "assignee": t.assignee,
                "candidate_groups": list(t.candidate_groups),
                "status": t.status,
                "due_at": from_db(t.due_at),
                "escalated": t.escalated,
            }
            for t in tasks
        ],
        "history": [
            {
                "element": e.element,
                "event": e.action,
                "user": e.actor,
                "at": from_db(e.at),
                "task_id": e.task_id,
            }
            for e in events
        ],
        "created_at": from_db(row.created_at),
        "updated_at": from_db(row.updated_at),
    }


@bp.get("/process-instances/<int:instance_id>")
@requires()
def get_instance(instance_id: int):
    """One instance with its open tasks and history."""
    row = db.session.get(ProcessInstance, instance_id)
    if row is None:
        raise NotFound(f"no process instance {instance_id}")
    return jsonify(instance_view(row))


class StartRequest(Schema):
    """Body of POST /process-instances."""

    process_key = fields.String(required=True)
    business_key = fields.String(load_default=None, allow_none=True)
    data = fields.Dict(keys=fields.String(), load_default=dict)


@bp.post("/process-instances")
@requires("process_designer", "admin")
def create_instance():
    """Start an instance of the latest version; a failing step leaves it in error."""
    from engine.errors import StepFailed

    body = load(StartRequest())
    try:
        change = start_instance(
            runtime(),
            db.session,
            body["process_key"],
            actor(),
            business_key=body["business_key"],
            data=body["data"],
        )
        db.session.commit()
        row = change.instance
    except StepFailed as failed:
        row = db.session.get(ProcessInstance, failed.extra["instance_id"])
    return jsonify(id=row.id, status=row.status, error=instance_view(row)["error"]), 201


class MessageRequest(Schema):
    """Body of POST /messages."""

    name = fields.String(required=True)
    correlation_key = fields.String(required=True)
    payload = fields.Dict(keys=fields.String(), load_default=dict)


@bp.post("/messages")
@requires()
def post_message():
    """Deliver a message to waiting instances, or keep it until one waits."""
    body = load(MessageRequest())
    delivered = deliver_message(
        runtime(), db.session, body["name"], body["correlation_key"], body["payload"], actor()
    )
    db.session.commit()
    return jsonify(delivered_to=delivered, pending=not delivered), 202
