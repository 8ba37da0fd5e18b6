"""Admin endpoints: the test clock and a synchronous tick of every scheduler job."""

from __future__ import annotations

import datetime as dt

from flask import current_app, jsonify
from marshmallow import Schema, ValidationError, fields, validates
from werkzeug.exceptions import NotFound

from engine.errors import Invalid
from web.api import bp
from web.api.request import body, no_body, responds
from web.auth import requires
from web.clock import set_test_clock
from web.extensions import db
from web.runtime_access import actor, runtime


def _test_clock_only() -> None:
    if not current_app.config["CREDITFLOW"].test_clock:
        raise NotFound("the test clock is off (start the server with CREDITFLOW_TEST_CLOCK=1)")


class ClockRequest(Schema):
    """Body of PUT /admin/clock."""

    now = fields.AwareDateTime(required=True)

    @validates("now")
    def _sane_year(self, value, **_):
        if not 1970 <= value.year <= 2199:
            raise ValidationError("must be between 1970 and 2199")


class ClockOut(Schema):
    """The clock's time."""

    now = fields.String(metadata={"format": "date-time"})


@bp.put("/admin/clock")
@requires("admin")
@body(ClockRequest)
@responds(200, ClockOut)
def set_clock(body):
    """Set the shared test clock."""
    _test_clock_only()
    moment = body["now"]
    if moment.tzinfo is None:
        raise Invalid.field("now", "give an offset, e.g. 2026-03-02T09:00:00+08:00")
    set_test_clock(moment.astimezone(dt.UTC), actor().username)
    db.session.commit()
    return jsonify(now=runtime().clock.now())


@bp.get("/admin/clock")
@requires("admin")
@responds(200, ClockOut)
def get_clock():
    """Read the test clock."""
    _test_clock_only()
    return jsonify(now=runtime().clock.now())


@bp.post("/admin/tick")
@requires("admin")
@no_body
@responds(200, {"type": "object", "properties": {"fired": {"type": "integer"}}})
def tick():
    """Run every scheduler job once at the clock's time."""
    _test_clock_only()
    from web.scheduling import run_all_jobs

    return jsonify(run_all_jobs(current_app._get_current_object()))
