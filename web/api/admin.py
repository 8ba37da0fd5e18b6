"""Admin endpoints: the test clock and a synchronous tick of every scheduler job."""

from __future__ import annotations

import datetime as dt

from flask import current_app, jsonify
from marshmallow import Schema, fields
from werkzeug.exceptions import NotFound

from engine.errors import Invalid
from web.api import bp
from web.api.request import load
from web.auth import requires
from web.clock import write_test_clock
from web.extensions import db
from web.runtime_access import runtime


def _test_clock_only() -> None:
    if not current_app.config["CREDITFLOW"].test_clock:
        raise NotFound("the test clock is off (start the server with CREDITFLOW_TEST_CLOCK=1)")


class ClockRequest(Schema):
    """Body of PUT /admin/clock."""

    now = fields.AwareDateTime(required=True)


@bp.put("/admin/clock")
@requires("admin")
def set_clock():
    """Set the shared test clock."""
    _test_clock_only()
    moment = load(ClockRequest())["now"]
    if moment.tzinfo is None:
        raise Invalid.field("now", "give an offset, e.g. 2026-03-02T09:00:00+08:00")
    write_test_clock(moment.astimezone(dt.UTC))
    db.session.commit()
    return jsonify(now=runtime().clock.now())


@bp.get("/admin/clock")
@requires("admin")
def get_clock():
    """Read the test clock."""
    _test_clock_only()
    return jsonify(now=runtime().clock.now())


@bp.post("/admin/tick")
@requires("admin")
def tick():
    """Run every scheduler job once at the clock's time."""
    _test_clock_only()
    from web.scheduling import run_all_jobs

    return jsonify(run_all_jobs(current_app._get_current_object()))
