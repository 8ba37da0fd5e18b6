"""An approver signs only their own words: the director's form opens empty after the manager."""

from __future__ import annotations

import pytest
from conftest import login, open_task
from flow import approve, assess, file_application, find_task, new_customer

pytestmark = pytest.mark.e2e


def test_the_directors_form_starts_empty_after_the_managers_comment(page, api):
    app = file_application(api, new_customer(api), limit="1500000")  # manager, then director
    assess(api, app["id"], comment="analyst: solid payer")
    approve(api, "manager1", "credit_manager", app["id"], comment="manager: approve, watch DSO")
    task = find_task(api, "director1", "approve_finance_director", app["id"])
    data = api.get("director1", f"/api/v1/tasks/{task['id']}").get_json()["data"]
    assert data.get("decision") is None and data.get("comment") is None

    login(page, "director1")
    open_task(page, "", str(app["id"]))
    for label in ("Approve", "Reject", "Return for revision"):
        assert not page.get_by_label(label).first.is_checked()
    assert page.locator("textarea").first.input_value() == ""
    assert "manager: approve" not in page.locator("#task-form").inner_text()
    assert not page.js_errors, page.js_errors
