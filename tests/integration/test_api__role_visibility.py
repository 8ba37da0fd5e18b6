"""Each role sees what the role table allows: own cases, no internal notes, no audit data."""

from __future__ import annotations

import re

import pytest
from flow import assess, file_application, find_task, new_customer
from support import ui_login


def test_a_sales_rep_sees_own_cases_without_the_analysts_notes(api):
    mine = file_application(api, new_customer(api, user="sales1"), user="sales1")
    assess(api, mine["id"], comment="internal: owner is hard to reach")
    got = api.get("sales1", f"/api/v1/credit-applications/{mine['id']}").get_json()
    assert "comment" not in got["assessment"] and got["grade"]
    staff = api.get("manager1", f"/api/v1/credit-applications/{mine['id']}").get_json()
    assert staff["assessment"]["comment"] == "internal: owner is hard to reach"
    assert api.get("sales2", f"/api/v1/credit-applications/{mine['id']}").status_code == 403
    instance = mine["process_instance_id"]
    assert api.get("sales1", f"/api/v1/process-instances/{instance}").status_code == 200
    assert api.get("sales2", f"/api/v1/process-instances/{instance}").status_code == 403


def _ui(app, user):
    client = app.test_client()
    ui_login(client, user)
    return client


def test_the_instance_page_shows_audit_data_to_auditors_only(app, api):
    a = file_application(api, new_customer(api))
    url = f"/process-instances/{a['process_instance_id']}"
    assert "audit-title" in _ui(app, "auditor1").get(url).get_data(as_text=True)
    page = _ui(app, "sales1").get(url)
    assert page.status_code == 200 and "audit-title" not in page.get_data(as_text=True)
    assert "audit-title" not in _ui(app, "manager1").get(url).get_data(as_text=True)
    assert _ui(app, "sales2").get(url).status_code == 403


def test_unclaim_is_for_the_assignee_or_an_admin(api):
    a = file_application(api, new_customer(api))
    task = find_task(api, "analyst1", "assess_customer", a["id"])
    url = f"/api/v1/tasks/{task['id']}/unclaim"
    for outsider in ("sales2", "manager1", "collector1"):
        assert api.post(outsider, url).status_code == 403, outsider
    assert api.post("analyst1", f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    assert api.post("analyst2", url).status_code == 403
    assert api.post("admin", url).status_code == 200
    assert api.post("analyst1", url).status_code == 200  # already open: a no-op for a candidate


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("auditor1", 403),
        ("sales1", 403),
        ("analyst1", 403),
        ("designer1", 403),
        ("erp1", 202),
        ("collector1", 202),
        ("manager1", 202),
        ("admin", 202),
    ],
)
def test_messages_are_for_the_roles_the_contract_names(api, user, status):
    r = api.post(
        user, "/api/v1/messages", json={"name": "payment_received", "correlation_key": "INV-1"}
    )
    assert r.status_code == status


def test_message_payloads_are_bounded(api):
    big = {"note": "x" * (64 * 1024)}
    r = api.post(
        "erp1", "/api/v1/messages", json={"name": "m", "correlation_key": "k", "payload": big}
    )
    assert r.status_code == 422 and "payload" in r.get_json()["errors"]


def test_the_inbox_does_not_offer_a_task_to_a_user_four_eyes_excludes(app, api):
    from flow import approve

    a = file_application(api, new_customer(api), limit="1500000")
    assess(api, a["id"])
    approve(api, "manager2", "credit_manager", a["id"])  # manager2 is also a finance director
    row = f'data-business-key="{a["id"]}"'
    excluded = _ui(app, "manager2").get("/inbox?scope=groups").get_data(as_text=True)
    assert row not in excluded
    assert re.search(r'scope=groups"[^>]*>[^<]*\(0\)', excluded)  # the count leaves it out too
    offered = _ui(app, "director1").get("/inbox?scope=groups").get_data(as_text=True)
    assert row in offered
