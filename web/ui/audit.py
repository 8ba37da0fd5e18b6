"""Auditor page: search audit events, verify the hash chain, export CSV and JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import sqlalchemy as sa
from flask import Response, current_app, render_template, request

from engine.audit import verify
from engine.clock import to_db
from engine.models import AuditEvent, ProcessInstance
from web.api.audit import event_view
from web.extensions import db
from web.ui import bp
from web.ui.access import page
from web.ui.host import zone

AUDITORS = ("auditor", "admin")
COLUMNS = (
    "seq",
    "at",
    "actor",
    "action",
    "instance_id",
    "task_id",
    "element",
    "subject",
    "data",
    "prev_hash",
    "hash",
)


def _moment(text: str | None) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone())
    return moment


def search(args: dict, limit: int) -> list[AuditEvent]:
    """Audit events by customer, instance, user and time range, oldest first."""
    query = sa.select(AuditEvent)
    if (args.get("instance_id") or "").isdigit():
        query = query.where(AuditEvent.instance_id == int(args["instance_id"]))
    if (args.get("customer_id") or "").isdigit():
        subject = f"customer:{int(args['customer_id'])}"
        instances = sa.select(ProcessInstance.id).where(ProcessInstance.subject == subject)
        query = query.where(
            sa.or_(AuditEvent.subject == subject, AuditEvent.instance_id.in_(instances))
        )
    if args.get("actor"):
        query = query.where(AuditEvent.actor == args["actor"].strip())
    if start := _moment(args.get("since")):
        query = query.where(AuditEvent.at >= to_db(start))
    if end := _moment(args.get("until")):
        query = query.where(AuditEvent.at <= to_db(end))
    return list(db.session.scalars(query.order_by(AuditEvent.seq).limit(limit)))


@bp.get("/audit")
@page(*AUDITORS)
def audit():
    """Search form, results and (on request) the chain verification."""
    args = request.args.to_dict()
    result = verify(db.session) if args.get("verify") else None
    events = [event_view(e) for e in search(args, 500)]
    return render_template("audit.html", events=events, args=args, verification=result)


@bp.get("/audit/export.<fmt>")
@page(*AUDITORS)
def audit_export(fmt: str):
    """Download the matching events as CSV or JSON."""
    events = [event_view(e) for e in search(request.args.to_dict(), 100_000)]
    if fmt == "json":
        body = current_app.json.dumps({"items": events, "total": len(events)})
        return Response(
            body,
            mimetype="application/json",
            headers={"Content-Disposition": "attachment; filename=audit-events.json"},
        )
    if fmt != "csv":
        return Response("use .csv or .json", status=404)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for event in events:
        row = {
            **event,
            "data": json.dumps(
                json.loads(current_app.json.dumps(event["data"])),
                ensure_ascii=False,
                sort_keys=True,
            ),
        }
        at = row["at"]
        row["at"] = at.isoformat() if hasattr(at, "isoformat") else at
        writer.writerow([row[c] for c in COLUMNS])
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit-events.csv"},
    )
