"""Acceptance (issue 10) through the public API only: early-warning thresholds, actions, reviews.

Customers get their signals from API events only (invoices, payments, reversals, credit reports,
reviews) and from walking the test clock; the checks read levels, signals, notices, reviews,
holds, collection stages and the credit check as api.md documents them.
"""

from __future__ import annotations

import datetime as dt

import pytest
from acceptance_api import (
    check,
    collection,
    complete,
    grant_limit,
    has_task,
    invoice,
    new_customer,
    notices,
    ok,
    pay,
    set_clock,
    tick,
    warnings,
)

START = dt.date(2026, 3, 2)  # a Monday
MANAGERS = ("manager1", "manager2")


@pytest.fixture(autouse=True)
def clock(api):
    set_clock(api, START)


def days(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def limited(api) -> int:
    """A customer whose application sales1 filed, approved at 400,000 (grade B)."""
    cid = new_customer(api)
    grant_limit(api, cid, "400000")
    return cid


def level_and_codes(api, cid) -> tuple[str, set[str]]:
    view = warnings(api, cid)
    for signal in view["signals"]:
        assert signal["detail"] and signal["since"] and signal["level"], signal
    return view["level"], {s["code"] for s in view["signals"]}


def warning_notices(api, user) -> int:
    return sum(n["template"] == "warning_raised" for n in notices(api, user))


def reviews(api, cid) -> list[dict]:
    return ok(api.get("manager1", f"/api/v1/customers/{cid}/reviews"))["items"]


def legal_reviews(api, cid) -> int:
    items = ok(api.get("legal1", "/api/v1/tasks?scope=all&status=open"))["items"]
    return sum(t["name"] == "legal_review" and t["business_key"] == str(cid) for t in items)


def bounce(api, cid, number, reason="bounced"):
    payment = pay(api, cid, number, "1000", START, reference=f"CHQ-{number}-{reason}")
    ok(api.post("erp1", f"/api/v1/payments/{payment['id']}/reverse", json={"reason": reason}))


def test_utilization_crosses_80_then_95_percent_and_tells_the_rep_then_the_managers(api):
    cid = limited(api)
    before = {u: warning_notices(api, u) for u in ("sales1", *MANAGERS)}
    invoice(api, cid, "U-1", "320000", START, days(40))  # exactly 80 %: not over
    assert level_and_codes(api, cid) == ("none", set())
    invoice(api, cid, "U-2", "1", START, days(40))
    assert level_and_codes(api, cid) == ("blue", {"UTILIZATION_80"})
    assert warning_notices(api, "sales1") == before["sales1"] + 1
    assert warning_notices(api, "manager1") == before["manager1"]  # blue: the rep only
    invoice(api, cid, "U-3", "59999", START, days(40))  # 380,000: exactly 95 %
    assert level_and_codes(api, cid) == ("blue", {"UTILIZATION_80"})
    assert warning_notices(api, "sales1") == before["sales1"] + 1  # same level: no new notice
    invoice(api, cid, "U-4", "1", START, days(40))
    assert level_and_codes(api, cid) == ("yellow", {"UTILIZATION_80", "UTILIZATION_95"})
    for manager in MANAGERS:
        assert warning_notices(api, manager) == before[manager] + 1
    assert ok(api.get("sales1", f"/api/v1/customers/{cid}"))["warning_level"] == "yellow"

    board = ok(api.get("manager1", "/api/v1/warnings?min_level=yellow"))["items"]
    [row] = [item for item in board if item["customer_id"] == cid]
    assert row["level"] == "yellow" and row["name"]
    orange = ok(api.get("manager1", "/api/v1/warnings?min_level=orange"))["items"]
    assert cid not in [item["customer_id"] for item in orange]
    own = ok(api.get("sales1", "/api/v1/warnings?min_level=blue"))["items"]
    assert cid in [item["customer_id"] for item in own]
    other = ok(api.get("sales2", "/api/v1/warnings?min_level=blue"))["items"]
    assert cid not in [item["customer_id"] for item in other]
    assert api.get("collector1", "/api/v1/warnings").status_code == 403


def test_days_past_due_walk_the_levels_up_to_red_with_the_clock(api):
    cid = limited(api)
    invoice(api, cid, "D-1", "10000", days(-30), START)
    tick(api, START)
    assert level_and_codes(api, cid) == ("none", set())
    tick(api, days(1))
    assert level_and_codes(api, cid) == ("blue", {"OVERDUE_1"})
    tick(api, days(30))
    assert level_and_codes(api, cid)[0] == "blue"  # 30 is not more than 30
    managers_before = warning_notices(api, "manager1")
    tick(api, days(31))
    assert level_and_codes(api, cid) == ("yellow", {"OVERDUE_1", "OVERDUE_30"})
    assert warning_notices(api, "manager1") == managers_before + 1
    tick(api, days(60))
    assert level_and_codes(api, cid)[0] == "yellow"
    assert reviews(api, cid) == []
    tick(api, days(61))
    assert level_and_codes(api, cid) == ("orange", {"OVERDUE_1", "OVERDUE_30", "OVERDUE_60"})
    [review] = reviews(api, cid)
    assert (review["trigger"], review["status"]) == ("warning", "running")
    assert "MANUAL_APPROVAL" in check(api, cid, "1")["reasons"]
    tick(api, days(90))
    assert level_and_codes(api, cid)[0] == "orange"
    legal_before = legal_reviews(api, cid)
    tick(api, days(91))
    level, codes = level_and_codes(api, cid)
    assert (level, "OVERDUE_90" in codes) == ("red", True)
    assert ok(api.get("sales1", f"/api/v1/customers/{cid}"))["on_hold"] is True
    reasons = check(api, cid, "1")["reasons"]
    assert {"CREDIT_HOLD", "OVERDUE", "MANUAL_APPROVAL"} <= set(reasons)
    # Red opens a legal review unless the escalation's own is open: one task for legal1.
    assert legal_reviews(api, cid) == max(legal_before, 1) == 1
    assert len(reviews(api, cid)) == 1  # the running review is not started twice


def test_red_starts_the_collection_escalation_when_an_invoice_is_overdue(api):
    late = limited(api)
    invoice(api, late, "R-1", "5000", days(-33), days(-3))
    assert collection(api, late)["stage"] == "none"  # no sweep has run
    assert level_and_codes(api, late) == ("blue", {"OVERDUE_1"})
    managers_before = warning_notices(api, "manager1")
    report = {"bureau": "PBOC", "score": 70, "report_date": "2026-02-20", "enforcement_flag": True}
    ok(api.post("analyst1", f"/api/v1/customers/{late}/credit-reports", json=report), 201)
    level, codes = level_and_codes(api, late)
    assert (level, "ENFORCEMENT_FLAG" in codes) == ("red", True)
    view = collection(api, late)
    assert (view["stage"], view["days_past_due"], view["on_hold"]) == ("reminder_1", 3, True)
    assert set(check(api, late, "1")["reasons"]) >= {"CREDIT_HOLD", "MANUAL_APPROVAL"}
    assert has_task(api, "legal1", "legal_review", late)
    # blue → red passes yellow and orange: the managers are told, a review starts.
    assert warning_notices(api, "manager1") == managers_before + 1
    assert [r["trigger"] for r in reviews(api, late)] == ["warning"]
    tick(api, days(1))
    assert len(collection(api, late)["history"]) == 1  # the sweep does not start a second one

    nothing_due = limited(api)
    invoice(api, nothing_due, "R-2", "5000", START, days(30))
    ok(api.post("analyst1", f"/api/v1/customers/{nothing_due}/credit-reports", json=report), 201)
    assert level_and_codes(api, nothing_due)[0] == "red"
    assert collection(api, nothing_due)["stage"] == "none"
    assert ok(api.get("sales1", f"/api/v1/customers/{nothing_due}"))["on_hold"] is True


def test_an_external_score_drop_of_more_than_20_points_is_orange(api):
    cid = limited(api)  # its report: 75 on 2026-01-15
    same = {"bureau": "PBOC", "score": 55, "report_date": "2026-02-15", "enforcement_flag": False}
    ok(api.post("analyst1", f"/api/v1/customers/{cid}/credit-reports", json=same), 201)
    assert level_and_codes(api, cid) == ("none", set())  # 20 points: not more than 20
    rep_before = warning_notices(api, "sales1")
    drop = {"bureau": "PBOC", "score": 34, "report_date": "2026-03-01", "enforcement_flag": False}
    ok(api.post("analyst1", f"/api/v1/customers/{cid}/credit-reports", json=drop), 201)
    assert level_and_codes(api, cid) == ("orange", {"EXTERNAL_SCORE_DROP"})
    assert warning_notices(api, "sales1") == rep_before + 1  # blue's action, passed on the way
    [review] = reviews(api, cid)
    assert (review["trigger"], review["status"]) == ("warning", "running")
    again = api.post("manager1", f"/api/v1/customers/{cid}/reviews", json={"reason": "again"})
    assert again.status_code == 409
    r = check(api, cid, "1000")
    assert (r["decision"], r["reasons"]) == ("block", ["MANUAL_APPROVAL"])


def test_a_bounced_payment_is_orange_for_90_days_a_booking_error_is_not(api):
    cid = limited(api)
    invoice(api, cid, "PB-1", "5000", START, days(200))
    bounce(api, cid, "PB-1", reason="error")
    assert level_and_codes(api, cid) == ("none", set())
    bounce(api, cid, "PB-1")
    assert level_and_codes(api, cid) == ("orange", {"PAYMENT_BOUNCED"})
    assert [r["trigger"] for r in reviews(api, cid)] == ["warning"]
    tick(api, days(89))
    assert level_and_codes(api, cid) == ("orange", {"PAYMENT_BOUNCED"})
    tick(api, days(91))
    assert level_and_codes(api, cid) == ("none", set())


def review_with(api, cid, grade: str) -> None:
    """A requested review in which the analyst overrides the grade; the manager keeps the limit."""
    ok(api.post("manager1", f"/api/v1/customers/{cid}/reviews", json={"reason": "check"}), 201)
    data = {
        "recommendation": "keep",
        "years_in_business": 8,
        "qualitative_rating": 3,
        "override_grade": grade,
        "override_reason": f"site visit: warehouse half empty, grade {grade}",
    }
    complete(api, "analyst2", "review_customer", cid, data)
    complete(
        api, "manager1", "approve_credit_manager", cid, {"decision": "approve", "comment": "ok"}
    )


def test_a_lower_grade_is_yellow_and_grade_e_is_red_with_a_hold(api):
    cid = limited(api)
    review_with(api, cid, "C")  # on the clock's same instant as the application's approval
    assert ok(api.get("sales1", f"/api/v1/customers/{cid}"))["grade"] == "C"
    assert level_and_codes(api, cid) == ("yellow", {"GRADE_DROPPED"})
    review_with(api, cid, "E")
    level, codes = level_and_codes(api, cid)
    assert (level, "GRADE_E" in codes) == ("red", True)
    file = ok(api.get("sales1", f"/api/v1/customers/{cid}"))
    assert (file["grade"], file["on_hold"]) == ("E", True)
    r = check(api, cid, "1000")
    assert r["decision"] == "block"
    assert {"CREDIT_HOLD", "GRADE_E", "MANUAL_APPROVAL"} <= set(r["reasons"])
    assert has_task(api, "legal1", "legal_review", cid)


def test_a_due_review_is_announced_started_and_blocks_orders_when_30_days_overdue(api):
    cid = limited(api)
    due = dt.date.fromisoformat(ok(api.get("sales1", f"/api/v1/customers/{cid}"))["review_due_on"])
    assert due == dt.date(2026, 9, 2)  # grade B: 6 months after the approval
    before = sum(n["template"] == "review_due" for n in notices(api, "manager1"))
    tick(api, due - dt.timedelta(days=30))
    tick(api, due - dt.timedelta(days=7))
    after = sum(n["template"] == "review_due" for n in notices(api, "manager1"))
    assert after == before + 2
    assert reviews(api, cid) == []
    tick(api, due)
    [review] = reviews(api, cid)
    assert (review["trigger"], review["status"]) == ("scheduled", "running")
    tick(api, due + dt.timedelta(days=30))
    assert check(api, cid, "1000")["decision"] == "approve"  # the limit stays active
    set_clock(api, due + dt.timedelta(days=31))
    r = check(api, cid, "1000")
    assert (r["decision"], r["reasons"]) == ("block", ["REVIEW_OVERDUE"])
    complete(
        api,
        "analyst2",
        "review_customer",
        cid,
        {"recommendation": "keep", "years_in_business": 8, "qualitative_rating": 3},
    )
    complete(
        api, "manager1", "approve_credit_manager", cid, {"decision": "approve", "comment": "ok"}
    )
    assert check(api, cid, "1000")["decision"] == "approve"
    file = ok(api.get("sales1", f"/api/v1/customers/{cid}"))
    assert dt.date.fromisoformat(file["review_due_on"]) > due + dt.timedelta(days=31)
