"""A credit application end to end through the API: assessment, tiers, return, reject."""

from __future__ import annotations

import datetime as dt

from flow import application, approve, assess, file_application, find_task, money, new_customer, work

from credit.terms import add_months


def test_one_tier_approval_activates_limit_terms_grade_and_review(api):
    cid = new_customer(api)
    app = file_application(api, cid, limit="400000", terms=30)
    assert app["status"] == "in_assessment"
    assess(api, app["id"])
    got = application(api, app["id"])
    assert got["status"] == "in_approval"
    assert got["grade"] == "B"
    assert money(got["score"]) == 70  # the worked example without payment history (8 points)
    approve(api, "manager1", "credit_manager", app["id"])
    got = application(api, app["id"])
    assert got["status"] == "approved"
    assert money(got["approved_limit"]) == 400000
    assert [(a["tier"], a["user"], a["decision"]) for a in got["approvals"]] == [
        ("credit_manager", "manager1", "approve")]
    customer = api.get("sales1", f"/api/v1/customers/{cid}").get_json()
    assert money(customer["credit_limit"]) == 400000
    assert customer["grade"] == got["grade"]
    assert customer["payment_terms_days"] == 30
    assert customer["review_due_on"]
