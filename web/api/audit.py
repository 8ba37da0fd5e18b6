"""Audit events and chain verification (auditor, admin)."""

from __future__ import annotations

import dataclasses

from flask import jsonify
from marshmallow import Schema, fields, validate

from credit.audit_trail import AuditFilter, audit_events
from engine.audit import verify
from engine.clock import from_db
from engine.models import AuditEvent
from forms.fields import Id, Integer, PlainText
from web.api import bp
from web.api.request import query, responds
from web.auth import requires
from web.extensions import db


def event_view(e: AuditEvent) -> dict:
    """An audit event as the API shows it."""
    return {
        "seq": e.seq,
        "at": from_db(e.at),
        "actor": e.actor,
        "action": e.action,
        "instance_id": e.instance_id,
        "task_id": e.task_id,
        "element": e.element,
        "subject": e.subject,
        "data": e.data,
        "prev_hash": e.prev_hash,
        "hash": e.hash,
    }


class AuditQuery(Schema):
    """Filters of GET /audit-events."""

    instance_id = Id(load_default=None)
    application_id = Id(load_default=None)
    customer_id = Id(load_default=None)
    actor = PlainText(load_default=None, max_length=64)
    action = PlainText(load_default=None, max_length=64)
    limit = Integer(load_default=1000, validate=validate.Range(min=1, max=10000))


class AuditEventOut(Schema):
    """One link of the audit chain."""

    seq = fields.Integer()
    at = fields.String(metadata={"format": "date-time"})
    actor = fields.String()
    action = fields.String()
    instance_id = fields.Integer(allow_none=True)
    task_id = fields.String(allow_none=True)
    element = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)
    data = fields.Dict()
    prev_hash = fields.String()
    hash = fields.String()


class AuditPage(Schema):
    """Audit events, oldest first."""

    items = fields.List(fields.Nested(AuditEventOut))
    total = fields.Integer()


class VerifyOut(Schema):
    """The result of recomputing the chains and the anchors."""

    ok = fields.Boolean()
    events = fields.Integer()
    first_bad_seq = fields.Integer(allow_none=True)
    first_bad_chain = fields.String(
        allow_none=True, metadata={"description": "the chain of the first broken link"}
    )
    first_bad_anchor = fields.Integer(
        allow_none=True, metadata={"description": "the first anchor that does not verify"}
    )
    chains = fields.Integer(metadata={"description": "audit chains (one per process instance)"})
    anchors = fields.Integer()
    anchor_hash = fields.String(
        metadata={"description": "the last anchor's hash: keep it elsewhere to pin the trail"}
    )


@bp.get("/audit-events")
@requires("auditor", "admin")
@query(AuditQuery)
@responds(200, AuditPage)
def list_events(args):
    """Audit events filtered by instance, customer, application, actor and time."""
    flt = AuditFilter(
        instance_id=args["instance_id"],
        application_id=args["application_id"],
        customer_id=args["customer_id"],
        actor=args["actor"],
        action=args["action"],
    )
    rows = audit_events(db.session, flt, args["limit"])
    return jsonify(items=[event_view(e) for e in rows], total=len(rows))


@bp.get("/audit/verify")
@requires("auditor", "admin")
@responds(200, VerifyOut)
def verify_chain():
    """Recompute the hash chains and the anchors; point at the first broken event."""
    return jsonify(dataclasses.asdict(verify(db.session)))
