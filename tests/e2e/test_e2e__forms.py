"""Bad task submissions show field errors next to the fields, from form-js and from the server."""

from __future__ import annotations

import pytest
from conftest import login
from flow import file_application, new_customer

pytestmark = pytest.mark.e2e


def _open_assessment(page, api) -> str:
    app = file_application(api, new_customer(api))
    task = next(
        t
        for t in api.get("analyst1", "/api/v1/tasks?scope=candidate").get_json()["items"]
        if t["business_key"] == str(app["id"])
    )
    login(page, "analyst1")
    page.goto(f"/tasks/{task['id']}")
    page.get_by_role("button", name="Claim", exact=True).click()
    page.wait_for_selector("#task-form[data-ready='1']")
    return task["id"]


def test_required_field_left_empty_is_flagged_by_the_form(page, api):
    task_id = _open_assessment(page, api)
    page.get_by_role("button", name="Complete task").click()
    assert page.locator(".fjs-form-field-error").first.is_visible()
    assert page.url.endswith(f"/tasks/{task_id}")


def test_server_rule_error_is_shown_next_to_its_field(page, api):
    task_id = _open_assessment(page, api)
    page.get_by_label("Qualitative rating").fill("3")
    page.get_by_label("Override credit limit").fill("600000")
    page.get_by_role("button", name="Complete task").click()
    error = page.locator(".cf-field-error[data-field=override_reason]")
    error.wait_for()
    assert "reason" in error.inner_text()
    assert page.url.endswith(f"/tasks/{task_id}")
    task = api.get("analyst1", f"/api/v1/tasks/{task_id}").get_json()
    assert task["status"] in ("open", "claimed")
