"""Process instances: read one (status, open tasks, history), start one, messages."""

from __future__ import annotations

import datetime as dt
import json

from flask import jsonify
from marshmallow import Schema, ValidationError, fields, validate, validates

from engine.audit import instance_events
from engine.clock import from_db
from engine.collaborations import instance_pools
from engine.errors import Forbidden
from engine.inbox import open_tasks_of
from engine.instances import instance_row, start_instance
from engine.messages import deliver_message
from engine.models import ProcessInstance
from forms.fields import PlainText
from web.api import bp
from web.api.request import body, responds
from web.auth import current_user, requires
from web.extensions import db
from web.runtime_access import actor, runtime

# The contract's role table: who may post messages (ERP payments, collectors, managers).
MESSAGE_SENDERS = ("integration", "collector", "credit_manager", "admin")
MESSAGE_PAYLOAD_MAX = 64 * 1024
# History events whose operator-given reason every reader of the instance sees.
REASONED = frozenset({"instance_cancelled"})


def error_view(row: ProcessInstance) -> dict | None:
    """The incident of an instance in error: what failed, where, how often."""
    if not row.error:
        return None
    error = row.error
    return {
        "title": error.get("title"),
        "task": error.get("task"),
        "detail": error.get("detail") or error.get("title"),
        "timers": list(error.get("timers") or []),
        "attempts": int(error.get("attempts") or 1),
        "at": _moment(error.get("at")),
    }


def _moment(value: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def instance_view(row: ProcessInstance) -> dict:
    """An instance as the API shows it."""
    tasks = open_tasks_of(db.session, row.id)
    events = instance_events(db.session, row.id)
    return {
        "id": row.id,
        "process_key": row.process_key,
        "version": row.version,
        "status": row.status,
        "business_key": row.business_key,
        "subject": row.subject,
        "revision": row.revision,
        "next_timer_at": from_db(row.next_timer_at),
        "error": error_view(row),
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
                # The reason an operator gave (cancel): part of the case, not audit-only data.
                "reason": (e.data or {}).get("reason") if e.action in REASONED else None,
            }
            for e in events
        ],
        "pools": instance_pools(runtime(), db.session, row),
        "created_at": from_db(row.created_at),
        "updated_at": from_db(row.updated_at),
    }


class InstanceOut(Schema):
    """A process instance with its open tasks and history."""

    id = fields.Integer()
    process_key = fields.String()
    version = fields.Integer()
    status = fields.String(
        metadata={"enum": ["running", "waiting", "completed", "cancelled", "error"]}
    )
    business_key = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)
    revision = fields.Integer()
    next_timer_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    error = fields.Dict(allow_none=True)
    open_tasks = fields.List(fields.Dict())
    history = fields.List(fields.Dict())
    pools = fields.List(
        fields.Dict(),
        allow_none=True,
        metadata={"description": "a collaboration's pools: process, title, status; else null"},
    )
    created_at = fields.String(metadata={"format": "date-time"})
    updated_at = fields.String(metadata={"format": "date-time"})


@bp.get("/process-instances/<int:instance_id>")
@requires()
@responds(200, InstanceOut)
def get_instance(instance_id: int):
    """One instance with its open tasks and history (a sales rep: their own cases only)."""
    return jsonify(instance_view(visible_instance(instance_id)))


def visible_instance(instance_id: int) -> ProcessInstance:
    """An instance the signed-in user may see: staff every one, others those they own."""
    from credit.visibility import application_of_instance, owns_application, sees_every_case

    row = instance_row(db.session, instance_id)
    user = current_user()
    if sees_every_case(user.group_names) or row.started_by == user.username:
        return row
    app = application_of_instance(db.session, row.id)
    if app is not None and owns_application(db.session, user.username, app):
        return row
    raise Forbidden(f"user '{user.username}' may not see process instance {instance_id}")


class StartRequest(Schema):
    """Body of POST /process-instances."""

    process_key = PlainText(required=True, max_length=128)
    business_key = PlainText(load_default=None, allow_none=True, max_length=128)
    data = fields.Dict(keys=PlainText(max_length=128), load_default=dict)


class StartedOut(Schema):
    """A started instance."""

    id = fields.Integer()
    status = fields.String()
    error = fields.Dict(allow_none=True)


@bp.post("/process-instances")
@requires("process_designer", "admin")
@body(StartRequest)
@responds(201, StartedOut)
def create_instance(body):
    """Start an instance of the active version; a failing step leaves it in error."""
    if runtime().services.is_domain_started(body["process_key"]):
        raise Forbidden(
            f"'{body['process_key']}' instances start only through their domain endpoint "
            "(e.g. POST /api/v1/credit-applications)"
        )
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
    return jsonify(id=row.id, status=row.status, error=error_view(row)), 201


class MessageRequest(Schema):
    """Body of POST /messages."""

    name = PlainText(required=True, max_length=128, validate=validate.Length(min=1))
    correlation_key = PlainText(required=True, max_length=255, validate=validate.Length(min=1))
    payload = fields.Dict(keys=PlainText(max_length=128), load_default=dict)

    @validates("payload")
    def _bounded(self, value: dict, **_: object) -> None:
        size = len(json.dumps(value, default=str))
        if size > MESSAGE_PAYLOAD_MAX:
            raise ValidationError(f"at most {MESSAGE_PAYLOAD_MAX} bytes of JSON, not {size}")


class DeliveredOut(Schema):
    """Where a message went."""

    delivered_to = fields.List(fields.Integer())
    pending = fields.Boolean()


@bp.post("/messages")
@requires(*MESSAGE_SENDERS)
@body(MessageRequest)
@responds(202, DeliveredOut)
def post_message(body):
    """Deliver a message to waiting instances, or keep it until one waits."""
    delivered = deliver_message(
        runtime(), db.session, body["name"], body["correlation_key"], body["payload"], actor()
    )
    db.session.commit()
    return jsonify(delivered_to=delivered, pending=not delivered), 202
