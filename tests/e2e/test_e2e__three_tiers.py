"""A large application climbs the approval ladder: manager, director and general manager approve."""

from __future__ import annotations

import pytest
from conftest import login, logout, open_task
from flow import assess, file_application, new_customer

pytestmark = pytest.mark.e2e


def test_each_approver_role_approves_in_the_browser(page, api):
    app = file_application(api, new_customer(api), limit="2500000", monthly="3000000")
    assess(api, app["id"])
    for user in ("manager1", "director1", "gm1"):
        login(page, user)
        open_task(page, "", str(app["id"]))
        page.get_by_label("Approve").first.check()
        page.locator("textarea").first.fill(f"approved by {user}")
        page.get_by_role("button", name="Complete task").click()
        page.wait_for_url("**/process-instances/*")
        logout(page)
    assert (
        api.get("sales1", f"/api/v1/credit-applications/{app['id']}").get_json()["status"]
        == "approved"
    )
    login(page, "sales1")
    page.goto(f"/applications/{app['id']}")
    assert page.get_by_test_id("application-status").inner_text() == "approved"
    approvals = page.locator("#ctx-approvals + ol li")
    assert approvals.count() == 3
    assert not page.js_errors, page.js_errors
