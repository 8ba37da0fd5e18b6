"""The retention job: a finished instance keeps a summary of its run instead of its state, and
delivered notifications go after their period; nothing else changes."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import sqlalchemy as sa
from flow import application, approve, assess, file_application, new_customer

from engine.audit import verify
from engine.errors import Conflict
from engine.models import ProcessInstance
from engine.progress import completed_elements
from engine.steps import load_workflow
from notifications.models import Notification
from web.extensions import db
from web.retention import run_retention


def approved_application(api) -> dict:
    a = file_application(api, new_customer(api), limit="400000")
    assess(api, a["id"])
    approve(api, "manager1", "credit_manager", a["id"])
    assert application(api, a["id"])["status"] == "approved"
    return a


def test_a_finished_instance_keeps_what_it_completed_and_its_history(app, api):
    done = approved_application(api)
    running = file_application(api, new_customer(api), limit="300000")
    rt = app.extensions["creditflow.runtime"]
    with app.app_context():
        row = db.session.get(ProcessInstance, done["process_instance_id"])
        assert row.status == "completed" and len(row.state) > 1000
        before = completed_elements(rt, db.session, row)
        history = api.get("admin", f"/api/v1/process-instances/{row.id}").get_json()["history"]
        assert run_retention(app)["compacted"] == 0  # finished just now: kept for 30 days
        result = run_retention(app, rt.clock.now() + dt.timedelta(days=31))
        assert result["compacted"] == 1
        db.session.expire_all()
        row = db.session.get(ProcessInstance, done["process_instance_id"])
        assert row.state.startswith("c1:") and len(row.state) < 600
        assert completed_elements(rt, db.session, row) == before
        assert {"assess_customer", "approve_credit_manager"} <= before
        bundle = rt.registry.get(db.session, row.process_key, row.version)
        with pytest.raises(Conflict, match="compacted by the retention job"):
            load_workflow(rt, db.session, row, bundle)
        untouched = db.session.get(ProcessInstance, running["process_instance_id"])
        assert not untouched.state.startswith("c1:")
        assert verify(db.session).ok
    again = api.get("admin", f"/api/v1/process-instances/{done['process_instance_id']}")
    assert again.status_code == 200 and again.get_json()["history"] == history
    assert application(api, done["id"])["status"] == "approved"
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', login).group(1)
    client.post("/login", data={"username": "admin", "password": "demo", "csrf_token": token})
    page = client.get(f"/process-instances/{done['process_instance_id']}")
    assert page.status_code == 200
    data = re.search(r'id="diagram-data">(.*?)</script>', page.get_data(as_text=True)).group(1)
    completed = json.loads(data)["completed"]["credit_application.bpmn"]
    assert "activate_limit" in completed  # a service task: not in the history


def test_delivered_and_read_notifications_go_after_their_period(app, api):
    approved_application(api)
    rt = app.extensions["creditflow.runtime"]
    with app.app_context():
        from notifications.dispatch import dispatch_pending

        dispatch_pending(app)  # no SMTP configured: emails become 'logged'
        rows = db.session.execute(sa.select(Notification.channel, Notification.status)).all()
        assert ("email", "logged") in rows and ("inapp", "sent") in rows
        first_inapp = db.session.scalar(
            sa.select(Notification).where(Notification.channel == "inapp").limit(1)
        )
        first_inapp.status = "read"
        db.session.commit()
        kept = run_retention(app, rt.clock.now() + dt.timedelta(days=179))
        assert kept["purged"] == 0
        result = run_retention(app, rt.clock.now() + dt.timedelta(days=181))
        left = db.session.execute(sa.select(Notification.channel, Notification.status)).all()
        assert result["purged"] == len(rows) - len(left)
        assert set(left) == {("inapp", "sent")}  # unread in-app notifications stay


def test_the_retention_command_reports_what_it_did(app):
    result = app.test_cli_runner().invoke(args=["retention"])
    assert result.exit_code == 0, result.output
    assert "compacted 0 finished instance(s)" in result.output
