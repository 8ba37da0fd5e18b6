"""Admin endpoints of the business calendar: holidays and make-up workdays as data."""

from __future__ import annotations

import datetime as dt

from flask import jsonify
from marshmallow import Schema, fields, validate

from engine.calendar import DayKind, calendar_days, calendar_year, change_days, remove_day
from engine.errors import NotFound
from engine.models import CalendarDay
from forms.fields import Day, Integer, PlainText
from web.api import bp
from web.api.request import body, query, responds
from web.auth import requires
from web.extensions import db
from web.runtime_access import actor, runtime


class DaySchema(Schema):
    """One calendar row."""

    day = Day(required=True)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in DayKind]))
    name = PlainText(load_default="", max_length=120)


class CalendarQuery(Schema):
    """Query of GET /admin/calendar."""

    year = Integer(load_default=None, validate=validate.Range(min=1900, max=2199))


class CalendarOut(Schema):
    """Holidays and make-up workdays."""

    days = fields.List(fields.Nested(DaySchema))
    changed = fields.Integer()


class CalendarRequest(Schema):
    """Body of PUT /admin/calendar."""

    days = fields.List(fields.Nested(DaySchema), required=True, validate=validate.Length(max=1000))


def _view(row: CalendarDay) -> dict:
    return {"day": row.day.isoformat(), "kind": row.kind, "name": row.name}


@bp.get("/admin/calendar")
@requires("admin")
@query(CalendarQuery)
@responds(200, CalendarOut)
def get_calendar(args):
    """List holidays and make-up workdays (optionally ?year=2026)."""
    return jsonify(days=[_view(r) for r in calendar_year(db.session, args["year"])])


@bp.put("/admin/calendar")
@requires("admin")
@body(CalendarRequest)
@responds(200, CalendarOut)
def put_calendar(body):
    """Add or change calendar days; the engine uses them from the next deadline on."""
    days = [(d["day"], d["kind"], d["name"]) for d in body["days"]]
    changed = change_days(db.session, runtime().clock.now(), actor().username, days)
    db.session.commit()
    runtime().calendar.invalidate()
    entered = calendar_days(db.session, [d["day"] for d in body["days"]])
    return jsonify(changed=changed, days=[_view(row) for row in entered])


@bp.delete("/admin/calendar/<day>")
@requires("admin")
@responds(204)
def delete_calendar_day(day: str):
    """Remove a holiday or make-up workday: the date follows the Monday–Friday rule again."""
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise NotFound(f"'{day}' is not a date (YYYY-MM-DD)") from None
    if not remove_day(db.session, runtime().clock.now(), actor().username, date):
        raise NotFound(f"{day} is not in the calendar")
    db.session.commit()
    runtime().calendar.invalidate()
    return "", 204
