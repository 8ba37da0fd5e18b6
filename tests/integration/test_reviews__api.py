"""Periodic reviews through the API: each trigger, each recommendation, the approval tiers."""

from __future__ import annotations

import datetime as dt

import pytest
from flow import approve, assess, file_application, new_customer, work

from credit.terms import add_months


def customer_with_limit(api, limit="400000") -> int:
    """A customer whose application (grade B, credit manager tier) was approved."""
    cid = new_customer(api)
    app_id = file_application(api, cid, limit=limit)["id"]
    assess(api, app_id)
    approve(api, "manager1", "credit_manager", app_id)
    return cid


def today(api):
    return dt.date.fromisoformat(api.get("admin", "/api/v1/admin/clock").get_json()["now"][:10])


def customer(api, cid):
    return api.get("sales1", f"/api/v1/customers/{cid}").get_json()


def reviews(api, cid):
    r = api.get("sales1", f"/api/v1/customers/{cid}/reviews")
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def start(api, cid, user="manager1", reason="annual check"):
    r = api.post(user, f"/api/v1/customers/{cid}/reviews", json={"reason": reason})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["process_instance_id"]


def review(api, cid, user="analyst2", **data):
    return work(api, user, "review_customer", cid, {"qualitative_rating": 3, **data})


@pytest.fixture
def clock(api):
    r = api.put("admin", "/api/v1/admin/clock", json={"now": "2026-03-02T09:00:00+08:00"})
    assert r.status_code == 200
    return dt.date(2026, 3, 2)


def test_a_requested_review_keeps_the_limit_with_the_credit_manager(api, clock):
    cid = customer_with_limit(api)
    pid = start(api, cid)
    assert api.post("manager1", f"/api/v1/customers/{cid}/reviews", json={}).status_code == 409
    [item] = reviews(api, cid)
    assert (item["process_instance_id"], item["trigger"], item["status"]) == (
        pid,
        "manual",
        "running",
    )
    review(api, cid, recommendation="keep")
    approve(api, "manager1", "credit_manager", cid)
    [item] = reviews(api, cid)
    assert (item["status"], item["outcome"]) == ("completed", "keep")
    file = customer(api, cid)
    assert file["credit_limit"] == "400000.00"
    assert file["grade"] == "B"
    assert file["review_due_on"] == add_months(clock, 6).isoformat()


def test_the_analyst_sees_the_recomputed_score_beside_the_previous_assessment(api, clock):
    from ledger_setup import book

    from web.extensions import db

    cid = customer_with_limit(api)
    with api.client.application.app_context():
        book(cid, "LATE-1", "1000", clock - dt.timedelta(days=50), clock - dt.timedelta(days=20))
        db.session.commit()
    start(api, cid)
    tasks = api.get("analyst2", "/api/v1/tasks?scope=candidate").get_json()["items"]
    [task] = [t for t in tasks if t["name"] == "review_customer" and t["business_key"] == str(cid)]
    data = api.get("analyst2", f"/api/v1/tasks/{task['id']}").get_json()["data"]
    comparison = data["review_comparison"]
    assert (comparison["previous_grade"], comparison["previous_score"]) == ("B", 70)
    # 20 days late: payment history 6 points instead of "no history" 8.
    assert (comparison["grade"], comparison["score"]) == ("C", 68)
    assert comparison["grade_changed"] is True
    assert comparison["new_reason_codes"] == ["PAYMENT_HISTORY_LATE"]
    assert comparison["resolved_reason_codes"] == ["NO_PAYMENT_HISTORY"]
    history = {f["factor"]: f for f in comparison["factors"]}["payment_history"]
    assert (history["points"], history["previous_points"]) == (6, 8)


def test_an_increase_goes_through_the_matrix_with_the_proposed_limit(api, clock):
    cid = customer_with_limit(api)
    start(api, cid)
    review(api, cid, recommendation="increase", proposed_limit="1500000")
    approve(api, "manager1", "credit_manager", cid)
    approve(api, "director1", "finance_director", cid, approved_limit="1200000")
    [item] = reviews(api, cid)
    assert (item["outcome"], item["approved_limit"]) == ("increase", "1200000.00")
    assert customer(api, cid)["credit_limit"] == "1200000.00"


def test_a_decrease_needs_the_credit_manager_only(api, clock):
    cid = customer_with_limit(api)
    start(api, cid)
    review(api, cid, recommendation="decrease", proposed_limit="250000")
    approve(api, "manager1", "credit_manager", cid)
    assert customer(api, cid)["credit_limit"] == "250000.00"


def test_suspend_sets_the_limit_to_zero_and_holds_the_customer(api, clock):
    cid = customer_with_limit(api)
    start(api, cid)
    review(api, cid, recommendation="suspend")
    approve(api, "manager1", "credit_manager", cid)
    file = customer(api, cid)
    assert (file["credit_limit"], file["on_hold"]) == ("0.00", True)
    assert reviews(api, cid)[0]["outcome"] == "suspend"


def test_a_returned_review_goes_back_to_the_analyst(api, clock):
    cid = customer_with_limit(api)
    start(api, cid)
    review(api, cid, recommendation="decrease", proposed_limit="300000")
    approve(api, "manager1", "credit_manager", cid, decision="return", comment="why lower?")
    assert reviews(api, cid)[0]["stage"] == "returned"
    review(api, cid, recommendation="keep", comment="agreed")
    approve(api, "manager2", "credit_manager", cid)
    assert reviews(api, cid)[0]["outcome"] == "keep"


def test_a_rejected_review_changes_nothing(api, clock):
    cid = customer_with_limit(api)
    due = customer(api, cid)["review_due_on"]
    start(api, cid)
    review(api, cid, recommendation="increase", proposed_limit="450000")
    approve(api, "manager1", "credit_manager", cid, decision="reject", comment="not now")
    [item] = reviews(api, cid)
    assert (item["status"], item["outcome"]) == ("completed", "rejected")
    assert (customer(api, cid)["credit_limit"], customer(api, cid)["review_due_on"]) == (
        "400000.00",
        due,
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"recommendation": "increase"}, "proposed_limit"),
        ({"recommendation": "increase", "proposed_limit": "100"}, "proposed_limit"),
        ({"recommendation": "decrease", "proposed_limit": "900000"}, "proposed_limit"),
        ({"recommendation": "keep", "override_grade": "A"}, "override_reason"),
    ],
)
def test_a_recommendation_that_does_not_fit_is_refused_naming_the_field(api, clock, data, field):
    cid = customer_with_limit(api)
    start(api, cid)
    tasks = api.get("analyst2", "/api/v1/tasks?scope=candidate").get_json()["items"]
    [task] = [t for t in tasks if t["name"] == "review_customer" and t["business_key"] == str(cid)]
    api.post("analyst2", f"/api/v1/tasks/{task['id']}/claim")
    r = api.post(
        "analyst2",
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"qualitative_rating": 3, **data}},
    )
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]


def test_a_due_review_starts_by_itself_in_the_daily_sweep(api, clock):
    cid = customer_with_limit(api)
    due = dt.date.fromisoformat(customer(api, cid)["review_due_on"])
    api.put("admin", "/api/v1/admin/clock", json={"now": f"{due.isoformat()}T09:00:00+08:00"})
    assert api.post("admin", "/api/v1/admin/tick").status_code == 200
    [item] = reviews(api, cid)
    assert (item["trigger"], item["status"]) == ("scheduled", "running")
    api.post("admin", "/api/v1/admin/tick")
    assert len(reviews(api, cid)) == 1


@pytest.mark.parametrize(
    ("user", "path", "status"),
    [
        ("sales1", "/api/v1/customers/{cid}/reviews", 403),
        ("manager1", "/api/v1/customers/999999/reviews", 404),
    ],
)
def test_who_may_request_a_review(api, clock, user, path, status):
    cid = new_customer(api)
    r = api.post(user, path.format(cid=cid), json={"reason": "x"})
    assert r.status_code == status, r.get_json()


def test_a_customer_without_a_limit_has_nothing_to_review(api, clock):
    cid = new_customer(api)
    r = api.post("manager1", f"/api/v1/customers/{cid}/reviews", json={})
    assert r.status_code == 422
    assert "customer_id" in r.get_json()["errors"]
