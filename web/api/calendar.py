"""Admin endpoints of the business calendar: holidays and make-up workdays as data."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import jsonify, request
from marshmallow import Schema, fields, validate

from engine.calendar import DayKind, put_days
from engine.models import CalendarDay
from web.api import bp
from web.api.request import load
from web.auth import requires
from web.extensions import db
from web.runtime_access import runtime


class DaySchema(Schema):
    """One calendar row."""

    day = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in DayKind]))
    name = fields.String(load_default="", validate=validate.Length(max=120))


class CalendarRequest(Schema):
    """Body of PUT /admin/calendar."""

    days = fields.List(fields.Nested(DaySchema), required=True, validate=validate.Length(max=1000))


def _view(row: CalendarDay) -> dict:
    return {"day": row.day.isoformat(), "kind": row.kind, "name": row.name}


@bp.get("/admin/calendar")
@requires("admin")
def get_calendar():
    """List holidays and make-up workdays (optionally ?year=2026)."""
    query = sa.select(CalendarDay).order_by(CalendarDay.day)
    year = request.args.get("year", type=int)
    if year:
        query = query.where(CalendarDay.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    return jsonify(days=[_view(r) for r in db.session.scalars(query)])


@bp.put("/admin/calendar")
@requires("admin")
def put_calendar():
    """Add or change calendar days; the engine uses them from the next deadline on."""
    body = load(CalendarRequest())
    changed = put_days(db.session, [(d["day"], d["kind"], d["name"]) for d in body["days"]])
    db.session.commit()
    runtime().calendar.invalidate()
    return jsonify(
        changed=changed, days=[_view(db.session.get(CalendarDay, d["day"])) for d in body["days"]]
    )
