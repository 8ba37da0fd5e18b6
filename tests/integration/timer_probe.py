"""A one-timer process and helpers to fill a database with many due timers (tests, bench)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

PROBE_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="timer_probe_defs"
  targetNamespace="http://creditflow.example.com/bpmn">
  <bpmn:process id="timer_probe" isExecutable="true">
    <bpmn:startEvent id="probe_start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="probe_wait"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition id="probe_timer">
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT1H"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="probe_end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="probe_start" targetRef="probe_wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="probe_wait" targetRef="probe_end" />
  </bpmn:process>
</bpmn:definitions>
"""

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def make_app(url: str):
    """An app with the test clock on `url`, schema created and the probe deployed."""
    from web import create_app
    from web.config import Config
    from web.extensions import db
    from web.setup import deploy_shipped

    app = create_app(
        Config(database_url=url, secret_key="t", test_clock=True, testing=True, scheduler=False)
    )
    with app.app_context():
        db.create_all()
        deploy_shipped()
    return app


def fill_due_timers(app, count: int) -> dt.datetime:
    """Start one probe instance at T0, clone it to `count`, set the clock after the due time."""
    from engine.actor import SYSTEM
    from engine.instances import start_instance
    from engine.models import ProcessInstance
    from web.clock import write_test_clock
    from web.extensions import db

    with app.app_context():
        rt = app.extensions["creditflow.runtime"]
        write_test_clock(T0)
        db.session.commit()
        rt.registry.deploy(db.session, {"timer_probe.bpmn": PROBE_BPMN}, "test", T0)
        db.session.commit()
        start_instance(rt, db.session, "timer_probe", SYSTEM, subject="probe")
        db.session.commit()
        first = db.session.scalar(
            sa.select(ProcessInstance).where(ProcessInstance.process_key == "timer_probe")
        )
        assert first.next_timer_at is not None, "the probe should wait on its timer"
        cols = [c.name for c in ProcessInstance.__table__.columns if c.name != "id"]
        table = ProcessInstance.__table__
        rows = [{c: getattr(first, c) for c in cols} for _ in range(count - 1)]
        for start in range(0, len(rows), 1000):
            db.session.execute(table.insert(), rows[start : start + 1000])
        due = T0 + dt.timedelta(hours=1)
        write_test_clock(due + dt.timedelta(seconds=1))
        db.session.commit()
        return due


def fired_counts(app) -> tuple[int, int, int]:
    """(instances completed, timer_fired audit events, instances with more than one)."""
    from engine.models import AuditEvent, ProcessInstance
    from web.extensions import db

    with app.app_context():
        done = db.session.scalar(
            sa.select(sa.func.count()).where(
                ProcessInstance.process_key == "timer_probe", ProcessInstance.status == "completed"
            )
        )
        per = (
            sa.select(AuditEvent.instance_id, sa.func.count().label("n"))
            .where(AuditEvent.action == "timer_fired")
            .group_by(AuditEvent.instance_id)
            .subquery()
        )
        events = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(per.c.n), 0)))
        twice = db.session.scalar(sa.select(sa.func.count()).select_from(per).where(per.c.n > 1))
        db.session.remove()
        return int(done), int(events), int(twice)
