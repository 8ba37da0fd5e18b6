"""Auditor page: search audit events, verify the hash chain, export CSV and JSON."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from flask import Response, current_app, render_template, request

from credit.audit_trail import AuditFilter, audit_events
from credit.credit_file import ROW_ID_MAX
from engine.audit import verify
from engine.models import AuditEvent
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
    flt = AuditFilter(
        instance_id=_id(args.get("instance_id")),
        customer_id=_id(args.get("customer_id")),
        actor=(args.get("actor") or "").strip() or None,
        since=_moment(args.get("since")),
        until=_moment(args.get("until")),
    )
    return audit_events(db.session, flt, limit)


def _id(text: str | None) -> int | None:
    """A row id typed into the form; a number beyond any id matches nothing (-1)."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    return int(text) if len(text) <= 10 and int(text) <= ROW_ID_MAX else -1


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
