"""Timers fire several instances per transaction; one failing firing is its own incident and
the others of its transaction still fire, each exactly once."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sample_models import END, START, T0, deploy, process, service, set_clock, start, timer

from engine.audit import verify
from engine.models import AuditEvent, ProcessInstance
from engine.timers import fire_due
from web.extensions import db

LATE_MARK = process(
    "late_mark",
    [
        START,
        timer("wait", "Wait an hour", "PT1H"),
        service("mark", "credit.set_status", {"status": "'returned'"}),
        END,
    ],
)
JUST_WAIT = process("just_wait", [START, timer("wait", "Wait an hour", "PT1H"), END])


def test_a_failing_firing_is_an_incident_and_the_rest_of_its_transaction_fires(app, api):
    deploy(api, {"late_mark.bpmn": LATE_MARK})
    deploy(api, {"just_wait.bpmn": JUST_WAIT})
    set_clock(api, T0)
    fine = [start(api, "just_wait")["id"] for _ in range(4)]
    # no application 999999: the service task after the timer fails
    bad = start(api, "late_mark", data={"application_id": 999999})["id"]
    set_clock(api, T0 + dt.timedelta(hours=2))
    with app.app_context():
        rt = app.extensions["creditflow.runtime"]
        report = fire_due(rt, db.session, "tester", per_transaction=10)
        assert (report.leased, report.fired, report.failed) == (5, 4, 1)
        statuses = dict(
            db.session.execute(sa.select(ProcessInstance.id, ProcessInstance.status)).all()
        )
        assert [statuses[i] for i in fine] == ["completed"] * 4
        assert statuses[bad] == "error"
        fired = db.session.execute(
            sa.select(AuditEvent.instance_id, sa.func.count())
            .where(AuditEvent.action == "timer_fired")
            .group_by(AuditEvent.instance_id)
        ).all()
        assert dict(fired) == {i: 1 for i in [*fine, bad]}
        leases = db.session.scalars(sa.select(ProcessInstance.lease_owner)).all()
        assert set(leases) == {None}
        assert fire_due(rt, db.session, "tester").leased == 0  # the incident is not due again
        assert verify(db.session).ok
