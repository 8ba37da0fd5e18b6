"""Steps are savepoints of the caller's unit of work; the live cache holds committed states only;
failing timers become incidents; kept messages reach instances that start waiting later."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa
import sqlalchemy.orm as so
from flow import application, new_customer
from sample_models import (
    END,
    NOTE_FORM,
    START,
    T0,
    catch_message,
    complete,
    deploy,
    instance,
    open_task,
    process,
    script,
    service,
    set_clock,
    start,
    text_form,
    tick,
    timer,
    user_task,
)

from engine.actor import Actor
from engine.advance import advance
from engine.commands import complete_command
from engine.errors import Conflict
from engine.incidents import cancel_instance, retry_instance
from engine.instances import complete_task
from engine.live import WorkflowCache
from engine.models import AuditEvent, HumanTask, ProcessInstance
from web.extensions import db

ANALYST = Actor("analyst1", frozenset({"credit_analyst"}))
ADMIN = Actor("admin", frozenset({"admin"}))
TWO_STEPS = process(
    "two_steps",
    [START, user_task("first", "First"), user_task("second", "Second"), END],
)
WHO_FORM = text_form("who")
TWO_STEP_FILES = {
    "two_steps.bpmn": TWO_STEPS,
    "first.form.json": WHO_FORM,
    "second.form.json": NOTE_FORM,
}
# A commit that fails for real: a deferred foreign key is checked only at COMMIT.
PROBE = (
    "CREATE TABLE commit_probe (instance_id INTEGER "
    "REFERENCES process_instance(id) DEFERRABLE INITIALLY DEFERRED)"
)


def _open_task_id(instance_id: int) -> str:
    return db.session.scalar(
        sa.select(HumanTask.id).where(
            HumanTask.instance_id == instance_id, HumanTask.status == "open"
        )
    )


def test_live_cache_takes_a_workflow_only_after_its_transaction_commits(app, api):
    deploy(api, TWO_STEP_FILES)
    instance_id = start(api, "two_steps")["id"]
    with app.app_context():
        rt = app.extensions["creditflow.runtime"]
        db.session.execute(sa.text(PROBE))
        db.session.commit()
        first = _open_task_id(instance_id)
        complete_task(rt, db.session, first, ANALYST, {"who": "this host"})
        db.session.execute(sa.text("INSERT INTO commit_probe VALUES (999999)"))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
        # Another host completes the same task and commits the same revision number.
        other_host = dataclasses.replace(rt, cache=WorkflowCache())
        complete_task(other_host, db.session, first, ANALYST, {"who": "other host"})
        db.session.commit()
        # This host must work on the committed state, not on the one whose commit failed.
        second = _open_task_id(instance_id)
        complete_task(rt, db.session, second, ANALYST, {"note": "done"})
        db.session.commit()
        row = db.session.get(ProcessInstance, instance_id)
        bundle = rt.registry.get(db.session, row.process_key, row.version)
        final = bundle.serializer.deserialize_json(row.state)
        assert row.status == "completed"
        assert (final.data["who"], final.data["note"]) == ("other host", "done")


def test_a_rolled_back_savepoint_drops_the_workflow_it_wrote(app, api):
    deploy(api, TWO_STEP_FILES)
    instance_id = start(api, "two_steps")["id"]
    with app.app_context():
        rt = app.extensions["creditflow.runtime"]
        revision = db.session.get(ProcessInstance, instance_id).revision
        outer = db.session.begin_nested()
        complete_task(rt, db.session, _open_task_id(instance_id), ANALYST, {"who": "undone"})
        outer.rollback()
        db.session.commit()
        assert rt.cache.checkout(instance_id, revision + 1) is None
        assert db.session.get(ProcessInstance, instance_id).revision == revision


def test_a_failing_start_keeps_the_callers_application_and_audit_event(api, app):
    broken = process("credit_application", [START, script("boom", "x = 1 / 0", "Boom"), END])
    version = deploy(api, {"credit_application.bpmn": broken})["version"]  # a designer's draft
    activate = f"/api/v1/process-models/credit_application/versions/{version}/activate"
    assert api.post("admin", activate).status_code == 200
    customer = new_customer(api)
    r = api.post(
        "sales1",
        "/api/v1/credit-applications",
        json={
            "customer_id": customer,
            "requested_limit": "400000",
            "currency": "CNY",
            "requested_terms_days": 30,
            "expected_monthly_purchases": "900000",
            "reason": "new distributor",
        },
    )
    assert r.status_code == 201, r.get_json()
    filed = application(api, r.get_json()["id"])
    failed = instance(api, filed["process_instance_id"])
    assert failed["status"] == "error"
    assert failed["error"]["task"] == "boom"
    assert [h["event"] for h in failed["history"]] == ["instance_started", "instance_error"]
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "application_filed" in actions


def test_a_failing_task_step_commits_the_incident_with_a_422(api):
    model = process(
        "fragile_step",
        [START, user_task("confirm", "Confirm"), script("boom", "x = 1 / 0", "Boom"), END],
    )
    deploy(api, {"fragile_step.bpmn": model, "confirm.form.json": NOTE_FORM})
    instance_id = start(api, "fragile_step")["id"]
    task = open_task(api, instance_id)
    r = complete(api, task["id"], {"note": "x"})
    assert r.status_code == 422
    got = instance(api, instance_id)
    assert got["status"] == "error"
    assert got["error"]["task"] == "boom" and got["error"]["attempts"] == 1
    assert [t["id"] for t in got["open_tasks"]] == [task["id"]]


def test_a_failing_timer_is_an_incident_naming_the_timer_and_is_not_fired_again(api):
    model = process(
        "late_mark",
        [
            START,
            timer("wait", "Wait an hour", "PT1H"),
            service("mark", "credit.set_status", {"status": "'returned'"}),
            END,
        ],
    )
    deploy(api, {"late_mark.bpmn": model})
    set_clock(api, T0)
    instance_id = start(api, "late_mark", data={"application_id": 999999})["id"]
    set_clock(api, T0 + dt.timedelta(hours=2))
    assert tick(api)["fired"] == 0
    got = instance(api, instance_id)
    assert got["status"] == "error"
    assert got["error"]["task"] == "mark"
    assert got["error"]["timers"] == ["Wait an hour"]
    # credit.set_status runs only in credit_application instances: the step fails either way.
    assert (
        "Wait an hour" in got["error"]["detail"] and "credit.set_status" in got["error"]["detail"]
    )
    tick(api)
    tick(api)
    again = instance(api, instance_id)
    assert again["revision"] == got["revision"]
    assert [h["event"] for h in again["history"]].count("timer_fired") == 1


def test_a_message_kept_before_its_catcher_waits_arrives_after_a_task_step(api):
    model = process(
        "pay_after_confirm",
        [START, user_task("confirm", "Confirm"), catch_message("paid", "payment_received"), END],
        messages=("payment_received",),
    )
    deploy(api, {"pay_after_confirm.bpmn": model, "confirm.form.json": NOTE_FORM})
    instance_id = start(api, "pay_after_confirm", business_key="INV-77")["id"]
    r = api.post(
        "erp1",
        "/api/v1/messages",
        json={"name": "payment_received", "correlation_key": "INV-77", "payload": {"x": 1}},
    )
    assert r.get_json()["delivered_to"] == []
    assert complete(api, open_task(api, instance_id)["id"], {"note": "ok"}).status_code == 200
    got = instance(api, instance_id)
    assert got["status"] == "completed"
    assert "message_received" in [h["event"] for h in got["history"]]


def test_a_kept_message_arrives_after_a_timer_step(api):
    model = process(
        "pay_after_wait",
        [START, timer("wait", "Wait", "PT1H"), catch_message("paid", "payment_received"), END],
        messages=("payment_received",),
    )
    deploy(api, {"pay_after_wait.bpmn": model})
    set_clock(api, T0)
    instance_id = start(api, "pay_after_wait", business_key="INV-78")["id"]
    api.post(
        "erp1",
        "/api/v1/messages",
        json={"name": "payment_received", "correlation_key": "INV-78", "payload": {}},
    )
    set_clock(api, T0 + dt.timedelta(hours=2))
    tick(api)
    assert instance(api, instance_id)["status"] == "completed"


def _other_session_moves(app, instance_id: int) -> int:
    """Complete the open task in a separate session (another request); return the revision."""
    rt = app.extensions["creditflow.runtime"]
    with so.Session(db.engine) as other:
        task_id = other.scalar(
            sa.select(HumanTask.id).where(
                HumanTask.instance_id == instance_id, HumanTask.status == "open"
            )
        )
        complete_task(rt, other, task_id, ANALYST, {"note": "meanwhile", "who": "meanwhile"})
        other.commit()
        return other.get(ProcessInstance, instance_id).revision


def test_cancel_does_not_stamp_over_a_newer_revision(app, api):
    deploy(api, TWO_STEP_FILES)
    instance_id = start(api, "two_steps")["id"]
    with app.app_context():
        rt = app.extensions["creditflow.runtime"]
        seen = db.session.get(ProcessInstance, instance_id)
        assert seen.status == "waiting"
        newer = _other_session_moves(app, instance_id)
        with pytest.raises(Conflict):
            cancel_instance(rt, db.session, instance_id, ADMIN, "duplicate", seen.revision)
        db.session.rollback()
        assert db.session.get(ProcessInstance, instance_id).revision == newer


def test_a_step_failure_does_not_stamp_error_over_a_newer_revision(app, api):
    model = process(
        "fragile_twice",
        [
            START,
            user_task("first", "First"),
            script("boom", "x = 1 / 0 if note == 'bad' else 1", "Boom"),
            user_task("second", "Second"),
            END,
        ],
    )
    deploy(
        api,
        {"fragile_twice.bpmn": model, "first.form.json": NOTE_FORM, "second.form.json": NOTE_FORM},
    )
    instance_id = start(api, "fragile_twice")["id"]
    with app.app_context():
        rt = app.extensions["creditflow.runtime"]
        task_id = _open_task_id(instance_id)
        seen = db.session.get(ProcessInstance, instance_id)  # this request read revision n
        bundle = rt.registry.get(db.session, seen.process_key, seen.version)
        newer = _other_session_moves(app, instance_id)
        with pytest.raises(Conflict):
            advance(
                rt,
                db.session,
                seen,
                bundle,
                complete_command(task_id, {"note": "bad"}, "analyst1"),
                "analyst1",
            )
        db.session.rollback()
        row = db.session.get(ProcessInstance, instance_id)
        assert (row.status, row.revision, row.error) == ("waiting", newer, None)


def test_retry_refuses_an_instance_that_is_not_in_error(app, api):
    deploy(api, TWO_STEP_FILES)
    instance_id = start(api, "two_steps")["id"]
    with app.app_context():
        rt = app.extensions["creditflow.runtime"]
        with pytest.raises(Conflict):
            retry_instance(rt, db.session, instance_id, ADMIN)


def test_a_step_whose_flush_fails_becomes_an_incident_and_the_session_stays_usable(app, api):
    from engine.models import Group

    def clash(ctx, data):
        ctx.session.add(Group(name="admin"))  # the group exists: the flush fails
        ctx.session.flush()

    app.extensions["creditflow.runtime"].services.register("test.clash", clash)
    deploy(api, {"clash.bpmn": process("clash", [START, service("boom", "test.clash", {}), END])})
    got = start(api, "clash")
    assert got["status"] == "error" and got["error"]["task"] == "boom"
    assert api.get("admin", "/api/v1/audit/verify").get_json()["ok"] is True
