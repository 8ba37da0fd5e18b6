"""The approval SLA ladder through the API with the test clock: remind, escalate, reassign."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flow import assess, file_application, find_task, new_customer

from engine.calendar import seed_calendar
from engine.models import AuditEvent
from web.extensions import db


@pytest.fixture
def calendar(app):
    with app.app_context():
        seed_calendar(db.session)
        db.session.commit()


def set_clock(api, moment: str) -> None:
    r = api.put("admin", "/api/v1/admin/clock", json={"now": moment})
    assert r.status_code == 200, r.get_json()


def tick(api) -> dict:
    r = api.post("admin", "/api/v1/admin/tick")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def sla_actions(app, task_id: str) -> list[str]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action.like("sla_%")).order_by(AuditEvent.seq)
        ).all()
        return [r.action for r in rows if r.data.get("task_id") == task_id]


def manager_task(api, created_at: str) -> tuple[int, dict]:
    set_clock(api, created_at)
    app_json = file_application(api, new_customer(api))
    assess(api, app_json["id"])
    return app_json["id"], find_task(api, "manager1", "approve_credit_manager", app_json["id"])


def at(api, moment: str) -> dict:
    set_clock(api, moment)
    return tick(api)


def test_friday_task_is_reminded_monday_escalated_tuesday_reassigned_thursday(app, api, calendar):
    app_id, task = manager_task(api, "2026-03-06T10:00:00+08:00")  # a Friday
    assert at(api, "2026-03-09T09:59:00+08:00")["fired"] == 0
    assert sla_actions(app, task["id"]) == []
    assert at(api, "2026-03-09T10:00:00+08:00")["fired"] == 1
    assert sla_actions(app, task["id"]) == ["sla_reminder"]
    at(api, "2026-03-10T10:00:00+08:00")
    seen = find_task(api, "manager1", "approve_credit_manager", app_id)
    assert (seen["escalated"], seen["priority"]) == (True, "high")
    assert find_task(api, "manager1", "approve_credit_manager", app_id)["id"] == task["id"]
    at(api, "2026-03-11T10:00:00+08:00")
    assert sla_actions(app, task["id"]) == ["sla_reminder", "sla_escalated"]
    at(api, "2026-03-12T10:00:00+08:00")
    assert sla_actions(app, task["id"]) == ["sla_reminder", "sla_escalated", "sla_reassigned"]
    moved = find_task(api, "director1", "approve_credit_manager", app_id)
    assert moved["id"] == task["id"] and moved["name"] == "approve_credit_manager"
    with pytest.raises(AssertionError):
        find_task(api, "manager1", "approve_credit_manager", app_id)


def test_ladder_skips_the_national_day_holiday_and_counts_the_make_up_saturday(app, api, calendar):
    # Wednesday 2026-09-30; 10-01..10-07 are holidays; Saturday 10-10 is a make-up working day.
    _, task = manager_task(api, "2026-09-30T15:00:00+08:00")
    at(api, "2026-10-07T23:00:00+08:00")
    assert sla_actions(app, task["id"]) == []
    at(api, "2026-10-08T15:00:00+08:00")
    assert sla_actions(app, task["id"]) == ["sla_reminder"]
    at(api, "2026-10-09T15:00:00+08:00")
    assert sla_actions(app, task["id"]) == ["sla_reminder", "sla_escalated"]
    at(api, "2026-10-12T14:59:00+08:00")  # Sat 10-10 counted: day 3 = 10-10, day 4 = 10-12
    assert sla_actions(app, task["id"]) == ["sla_reminder", "sla_escalated"]
    at(api, "2026-10-12T15:00:00+08:00")
    assert sla_actions(app, task["id"])[-1] == "sla_reassigned"


def test_task_created_on_a_sunday_counts_from_monday_midnight(app, api, calendar):
    _, task = manager_task(api, "2026-03-08T16:00:00+08:00")  # Sunday → Monday 00:00
    at(api, "2026-03-09T23:59:00+08:00")
    assert sla_actions(app, task["id"]) == []
    at(api, "2026-03-10T00:00:00+08:00")
    assert sla_actions(app, task["id"]) == ["sla_reminder"]


def test_a_clock_set_in_the_past_fires_nothing(app, api, calendar):
    _, task = manager_task(api, "2026-03-06T10:00:00+08:00")
    assert at(api, "2025-01-01T09:00:00+08:00")["fired"] == 0
    assert sla_actions(app, task["id"]) == []
    assert at(api, "2026-03-09T09:00:00+08:00")["fired"] == 0


def test_jumping_past_all_deadlines_runs_the_whole_ladder_once(app, api, calendar):
    app_id, task = manager_task(api, "2026-03-06T10:00:00+08:00")
    at(api, "2026-03-20T10:00:00+08:00")
    at(api, "2026-03-21T10:00:00+08:00")
    assert sorted(sla_actions(app, task["id"])) == [
        "sla_escalated",
        "sla_reassigned",
        "sla_reminder",
    ]
    moved = find_task(api, "director1", "approve_credit_manager", app_id)
    assert (moved["escalated"], moved["priority"]) == (True, "high")


def test_admin_extends_the_calendar_and_deadlines_follow(app, api, calendar):
    assert api.get("manager1", "/api/v1/admin/calendar").status_code == 403
    r = api.put(
        "admin",
        "/api/v1/admin/calendar",
        json={"days": [{"day": "2026-03-09", "kind": "holiday", "name": "company day"}]},
    )
    assert r.status_code == 200, r.get_json()
    days = api.get("admin", "/api/v1/admin/calendar?year=2026").get_json()["days"]
    assert {"day": "2026-03-09", "kind": "holiday", "name": "company day"} in days
    assert {"day": "2026-10-10", "kind": "workday", "name": "National Day"} in days
    _, task = manager_task(api, "2026-03-06T10:00:00+08:00")
    at(api, "2026-03-09T10:00:00+08:00")
    assert sla_actions(app, task["id"]) == []
    at(api, "2026-03-10T10:00:00+08:00")
    assert sla_actions(app, task["id"]) == ["sla_reminder"]
    bad = api.put("admin", "/api/v1/admin/calendar", json={"days": [{"day": "x", "kind": "nap"}]})
    assert bad.status_code in (400, 422)
