"""The inbox shows the work: one list of mine and my groups', search, saved filters, claim."""

from __future__ import annotations

import pytest
from conftest import login
from flow import file_application, find_task, new_customer

# A credit application's inbox row (a customer-keyed process may share the number).
APP_ROW = "tr[data-process=credit_application]"

pytestmark = pytest.mark.e2e


def test_a_new_analyst_sees_the_group_work_at_once_and_claim_opens_the_task(page, api):
    app = file_application(api, new_customer(api))
    login(page, "analyst2")
    page.goto("/inbox")
    assert page.get_by_test_id("tab-all").get_attribute("aria-selected") == "true"
    row = page.locator(f"{APP_ROW}[data-business-key='{app['id']}']")
    assert row.count() == 1
    assert row.get_by_test_id("age").inner_text() != "—"
    row.get_by_role("button", name="Claim and open").click()
    page.wait_for_url("**/tasks/*")
    page.wait_for_selector("#task-form[data-ready='1']")
    assert page.get_by_test_id("task-status").inner_text() == "claimed"
    task = find_task(api, "analyst2", "assess_customer", app["id"], scope="mine")
    assert task["assignee"] == "analyst2"
    assert not page.js_errors, page.js_errors


def test_search_by_application_number_and_customer_and_saved_filters(page, api):
    first = file_application(api, new_customer(api))
    second = file_application(api, new_customer(api))
    name = api.get("sales1", f"/api/v1/customers/{second['customer_id']}").get_json()["name"]
    login(page, "analyst1")
    page.goto("/inbox")
    page.get_by_test_id("inbox-search").fill(f"#{first['id']}")
    page.get_by_role("button", name="Apply").click()
    keys = page.locator("[data-testid=inbox] tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.businessKey)"
    )
    assert keys == [str(first["id"])]
    page.get_by_test_id("inbox-search").fill(name)
    page.get_by_role("button", name="Apply").click()
    keys = page.locator("[data-testid=inbox] tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.businessKey)"
    )
    assert keys == [str(second["id"])]
    page.get_by_label("Save this filter as").fill("That customer")
    page.get_by_role("button", name="Save", exact=True).click()
    page.goto("/inbox")
    page.get_by_test_id("saved-filters").get_by_role("link", name="That customer").click()
    assert page.get_by_test_id("inbox-search").input_value() == name
    page.get_by_role("button", name="Delete saved filter That customer").click()
    assert page.get_by_test_id("saved-filters").get_by_role("link").count() == 0
    assert not page.js_errors, page.js_errors


def test_bulk_claim_and_give_back_are_named_apart_from_return_for_revision(page, api):
    apps = [file_application(api, new_customer(api)) for _ in range(2)]
    login(page, "analyst2")
    page.goto("/inbox?scope=groups")
    for app in apps:
        page.locator(f"{APP_ROW}[data-business-key='{app['id']}'] input[name=task_id]").check()
    page.get_by_test_id("claim-selected").click()
    assert "2 tasks claimed" in page.locator(".flash-ok").inner_text()
    for app in apps:
        assert find_task(api, "analyst2", "assess_customer", app["id"], scope="mine")
    page.goto("/inbox?scope=mine")
    row = page.locator(f"{APP_ROW}[data-business-key='{apps[0]['id']}']")
    row.get_by_role("button", name="Give back").click()
    assert "back in the group" in page.locator(".flash-ok").inner_text()
    assert find_task(api, "analyst1", "assess_customer", apps[0]["id"])["assignee"] is None
    # The approver's form says "Return for revision"; "Give back" never decides anything.
    mine = find_task(api, "analyst2", "assess_customer", apps[1]["id"], scope="mine")
    done = api.post(
        "analyst2",
        f"/api/v1/tasks/{mine['id']}/complete",
        json={"data": {"years_in_business": 8, "qualitative_rating": 3}},
    )
    assert done.status_code == 200, done.get_json()
    login(page, "manager1")
    page.goto("/inbox")
    page.locator(f"{APP_ROW}[data-business-key='{apps[1]['id']}']").get_by_role(
        "button", name="Claim and open"
    ).click()
    page.wait_for_selector("#task-form[data-ready='1']")
    assert page.get_by_label("Return for revision").count() == 1
    assert page.get_by_role("button", name="Give back").count() == 1
    assert not page.js_errors, page.js_errors
