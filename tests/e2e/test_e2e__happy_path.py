"""A credit application worked entirely in the browser: file, assess, approve."""

from __future__ import annotations

import pytest
from conftest import complete_assessment, login, logout, open_task, shot
from flow import new_customer

pytestmark = pytest.mark.e2e


def test_application_is_filed_assessed_and_approved_in_the_browser(page, api):
    customer_id = new_customer(api)

    login(page, "sales1")
    page.goto(f"/customers/{customer_id}")
    page.locator("main").get_by_role("link", name="New application").click()
    page.fill("#f-requested_limit", "400000")
    page.fill("#f-requested_terms_days", "30")
    page.fill("#f-expected_monthly_purchases", "900000")
    page.fill("#f-reason", "new distributor in Suzhou")
    page.get_by_role("button", name="File application").click()
    page.wait_for_url("**/process-instances/*")
    application_id = (
        page.locator("[data-testid=application-status]").count() and page.url.rsplit("/", 1)[-1]
    )
    assert application_id
    business_key = api.get("sales1", f"/api/v1/customers/{customer_id}").get_json()["applications"][
        0
    ]["id"]
    logout(page)

    login(page, "analyst1")
    open_task(page, "", str(business_key))
    shot(page, "task")
    complete_assessment(page, "3")
    logout(page)

    login(page, "manager1")
    page.goto("/inbox?scope=groups")
    shot(page, "inbox")
    page.click("button[name=lang][value=zh]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "待办"
    shot(page, "inbox-zh")
    page.click("button[name=lang][value=en]")
    page.wait_for_load_state()
    open_task(page, "", str(business_key))
    page.get_by_label("Approve").first.check()
    page.locator("textarea").first.fill("Within my authority.")
    page.get_by_role("button", name="Complete task").click()
    page.wait_for_url("**/process-instances/*")
    page.wait_for_selector("#diagram[data-ready='1']")
    assert page.locator("[data-testid=application-status]").inner_text() == "approved"
    shot(page, "instance")
    page.get_by_test_id("customer-link").click()
    page.wait_for_selector("body[data-charts-ready='1']")
    shot(page, "customer")
    assert not page.js_errors, page.js_errors
    logout(page)

    # The applicant hears of the decision: the bell counts it, the list shows it, it can be read.
    login(page, "sales1")
    assert int(page.get_by_test_id("unread").inner_text()) >= 1
    page.get_by_test_id("bell").click()
    page.wait_for_selector("[data-testid=notifications]")
    assert "approved" in page.get_by_test_id("notifications").inner_text().lower()
    shot(page, "notifications")
    page.get_by_role("button", name="Mark read").first.click()
    page.wait_for_selector("[data-testid=notifications]")
    assert not page.js_errors, page.js_errors
