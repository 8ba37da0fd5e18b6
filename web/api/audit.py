"""Audit events and chain verification (auditor, admin)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import jsonify, request

from credit.models import CreditApplication
from engine.audit import verify
from engine.clock import from_db
from engine.models import AuditEvent, ProcessInstance
from web.api import bp
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


@bp.get("/audit-events")
@requires("auditor", "admin")
def list_events():
    """Audit events filtered by instance, customer, application, actor and time."""
    query = sa.select(AuditEvent)
    args = request.args
    if args.get("instance_id"):
        query = query.where(AuditEvent.instance_id == args.get("instance_id", type=int))
    if args.get("application_id"):
        app = db.session.get(CreditApplication, args.get("application_id", type=int))
        query = query.where(AuditEvent.instance_id == (app.process_instance_id if app else -1))
    if args.get("customer_id"):
        subject = f"customer:{args.get('customer_id', type=int)}"
        instances = sa.select(ProcessInstance.id).where(ProcessInstance.subject == subject)
        query = query.where(
            sa.or_(AuditEvent.subject == subject, AuditEvent.instance_id.in_(instances))
        )
    if args.get("actor"):
        query = query.where(AuditEvent.actor == args["actor"])
    if args.get("action"):
        query = query.where(AuditEvent.action == args["action"])
    limit = min(max(args.get("limit", 1000, type=int), 1), 10000)
    rows = db.session.scalars(query.order_by(AuditEvent.seq).limit(limit)).all()
    return jsonify(items=[event_view(e) for e in rows], total=len(rows))


@bp.get("/audit/verify")
@requires("auditor", "admin")
def verify_chain():
    """Recompute the hash chain and point at the first broken event."""
    result = verify(db.session)
    return jsonify(ok=result.ok, events=result.events, first_bad_seq=result.first_bad_seq)
