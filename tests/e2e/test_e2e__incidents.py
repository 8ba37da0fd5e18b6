"""Incidents in the browser: the dashboard count, the list, the diagram with the failing element,
correcting data, retry, cancel; the admin's calendar warning."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from conftest import login, shot
from sample_models import DIVIDE, NOTE_FORM, deploy, start
from support import Api, dispose_test_app, make_test_app


def _incident(api, key: str) -> int:
    deploy(api, {"divide.bpmn": DIVIDE, "check.form.json": NOTE_FORM})
    got = start(api, "divide", business_key=key, data={"total": 10, "count": 0})
    assert got["status"] == "error"
    return got["id"]


def test_an_operator_corrects_the_data_and_retries_an_incident(page, api):
    instance_id = _incident(api, "E2E-RETRY")
    login(page, "admin")
    assert int(page.get_by_test_id("kpi-incidents").inner_text()) >= 1
    page.get_by_test_id("count-incidents").wait_for()
    page.get_by_role("link", name="Incidents").first.click()
    page.wait_for_url("**/incidents")
    page.get_by_role("link", name=f"#{instance_id}").click()
    page.wait_for_selector("#diagram[data-ready='1']")
    failed = page.locator(".djs-element.cf-error")
    assert failed.count() == 1 and failed.get_attribute("data-element-id") == "ratio"
    assert page.get_by_test_id("failed-element").inner_text() == "ratio"
    assert "division by zero" in page.get_by_test_id("incident-error").inner_text()
    shot(page, "incident")
    page.get_by_test_id("set-data").fill('{"count": 4}')
    page.get_by_test_id("save-data").click()
    page.wait_for_load_state()
    assert '"count": 4' in page.get_by_test_id("variables").inner_text()
    page.get_by_test_id("retry").click()
    page.wait_for_url(f"**/process-instances/{instance_id}")
    assert page.get_by_test_id("instance-status").inner_text() == "waiting"
    page.goto("/incidents")
    assert page.get_by_role("link", name=f"#{instance_id}").count() == 0
    assert not page.js_errors, page.js_errors


def test_a_designer_cancels_an_incident_with_a_reason(page, api):
    instance_id = _incident(api, "E2E-CANCEL")
    login(page, "designer1")
    page.goto(f"/process-instances/{instance_id}")
    page.get_by_test_id("work-incident").click()
    page.wait_for_url(f"**/incidents/{instance_id}")
    page.wait_for_selector("#diagram[data-ready='1']")
    page.get_by_test_id("cancel-reason").fill("filed twice")
    page.get_by_test_id("cancel").click()
    page.wait_for_url(f"**/process-instances/{instance_id}")
    assert page.get_by_test_id("instance-status").inner_text() == "cancelled"
    assert "filed twice" in page.locator("body").inner_text()
    assert not page.js_errors, page.js_errors


def test_a_stale_page_cannot_retry_an_instance_that_moved(page, api):
    instance_id = _incident(api, "E2E-STALE")
    login(page, "admin")
    page.goto(f"/incidents/{instance_id}")
    api.client.patch(
        f"/api/v1/process-instances/{instance_id}/data",
        json={"set": {"count": 5}},
        headers={"Authorization": f"Bearer {api.token('designer1')}"},
    )
    page.get_by_test_id("retry").click()
    page.wait_for_url(f"**/incidents/{instance_id}")
    assert "moved on" in page.locator(".flash-error").inner_text()


def test_other_roles_do_not_see_incidents(page):
    login(page, "sales1")
    assert page.get_by_role("link", name="Incidents").count() == 0
    assert page.goto("/incidents").status == 403


@pytest.fixture
def calendar_server(tmp_path, chromium_ready):
    """A separate installation whose test clock this test may move."""
    from werkzeug.serving import make_server

    app = make_test_app(f"sqlite:///{tmp_path / 'calendar.db'}", secret_key="e2e")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    dispose_test_app(app)


def test_the_admin_dashboard_warns_before_the_calendar_runs_out(browser, calendar_server):
    from engine.calendar import statutory_years

    app, base = calendar_server
    api, last = Api(app.test_client()), statutory_years()[-1]
    context = browser.new_context(base_url=base, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    for moment, warns in ((dt.date(last, 6, 1), False), (dt.date(last, 12, 1), True)):
        now = dt.datetime.combine(moment, dt.time(9), dt.UTC).isoformat()
        assert api.put("admin", "/api/v1/admin/clock", json={"now": now}).status_code == 200
        context.clear_cookies()
        login(page, "admin")
        assert page.get_by_test_id("calendar-warning").count() == (1 if warns else 0)
    assert str(last + 1) in page.get_by_test_id("calendar-warning").inner_text()
    shot(page, "dashboard-calendar-warning")
    context.close()


def test_a_user_task_without_a_form_is_completed_with_its_generic_form(page, api):
    from sample_models import END, START, process, user_task

    deploy(api, {"formless.bpmn": process("formless", [START, user_task("look", "Look"), END])})
    instance_id = start(api, "formless", business_key="E2E-GENERIC")["id"]
    task = next(
        t
        for t in api.get("analyst1", "/api/v1/tasks?scope=candidate").get_json()["items"]
        if t["process_instance_id"] == instance_id
    )
    assert api.post("analyst1", f"/api/v1/tasks/{task['id']}/claim").status_code == 200
    login(page, "analyst1")
    page.goto(f"/tasks/{task['id']}")
    page.wait_for_selector("#task-form[data-ready='1']")
    assert "no form of its own" in page.locator("#task-form").inner_text()
    shot(page, "generic-form")
    page.get_by_role("button", name="Complete task").click()
    page.wait_for_url(f"**/process-instances/{instance_id}*")
    assert page.get_by_test_id("instance-status").inner_text() == "completed"
    assert not page.js_errors, page.js_errors
