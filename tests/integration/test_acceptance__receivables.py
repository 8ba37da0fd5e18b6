"""Acceptance (issue 9) through the public API only: import, payments, credit check, dunning, KPIs.

Everything here is an HTTP call as api.md documents it, signed in as the demo users; time moves
with the test clock. The expected figures come from credit-policy.md, worked out in the tests.
"""

from __future__ import annotations

import datetime as dt

import pytest
from acceptance_api import (
    CONTACTS,
    check,
    collection,
    complete,
    grant_limit,
    has_task,
    invoice,
    money,
    new_customer,
    notices,
    ok,
    open_task,
    pay,
    set_clock,
    tick,
)

START = dt.date(2026, 3, 2)  # a Monday
DUE = START - dt.timedelta(days=1)


def on(days_past_due: int) -> dt.date:
    """The day on which an invoice due on DUE is that many days past due."""
    return DUE + dt.timedelta(days=days_past_due)


@pytest.fixture(autouse=True)
def clock(api):
    set_clock(api, START)


def invoices_of(api, cid) -> dict[str, dict]:
    items = ok(api.get("collector1", f"/api/v1/invoices?customer_id={cid}&limit=100"))["items"]
    return {i["number"]: i for i in items}


def exposure(api, cid):
    return money(ok(api.get("manager1", f"/api/v1/customers/{cid}"))["exposure"])


def stages(view) -> list[str]:
    return [h["stage"] for h in view["history"]]


def tasks(view) -> list[str]:
    return [t["name"] for t in view["open_tasks"]]


# --- invoices and payments ---------------------------------------------------------------------


def test_csv_import_takes_the_good_lines_reports_the_bad_and_reimports_nothing(api):
    cid = new_customer(api)
    csv = "\n".join(
        [
            "customer_id,number,amount,currency,issued_on,due_on,order_ref",
            f"{cid},IMP-1,1000.00,CNY,2026-02-01,2026-03-03,",
            f"{cid},IMP-2,-5,CNY,2026-02-01,2026-03-03,",  # line 3: negative amount
            f"{cid},IMP-3,2500.50,CNY,2026-02-10,2026-03-12,SO-IMP-3",
            "999999,IMP-4,10,CNY,2026-02-01,2026-03-03,",  # line 5: unknown customer
            f"{cid},IMP-5,10,CNY,2026-02-30,2026-03-03,",  # line 6: no such date
            f"{cid},IMP-6,10,CNY,2026-02-01,2026-03-03,",
        ]
    )
    headers = {"content_type": "text/csv"}
    r = ok(api.post("erp1", "/api/v1/invoices/import", data=csv.encode(), **headers))
    assert (r["imported"], r["unchanged"]) == (3, 0)
    rejected = {line["line"]: line["errors"] for line in r["rejected"]}
    assert sorted(rejected) == [3, 5, 6]
    assert "amount" in rejected[3]
    assert "customer_id" in rejected[5]
    assert "issued_on" in rejected[6]
    listed = invoices_of(api, cid)
    assert sorted(listed) == ["IMP-1", "IMP-3", "IMP-6"]
    assert money(listed["IMP-3"]["open_amount"]) == money("2500.50")

    again = ok(api.post("erp1", "/api/v1/invoices/import", data=csv.encode(), **headers))
    assert (again["imported"], again["unchanged"], len(again["rejected"])) == (0, 3, 3)
    assert sorted(invoices_of(api, cid)) == ["IMP-1", "IMP-3", "IMP-6"]
    # Only integration, collector, credit_manager and admin may import.
    refused = api.post("sales1", "/api/v1/invoices/import", data=csv.encode(), **headers)
    assert refused.status_code == 403


def test_invoices_and_payments_partial_reversed_and_idempotent(api):
    cid = new_customer(api)
    created = invoice(api, cid, "P-1", "10000.00", "2026-02-01", "2026-03-31")
    assert (money(created["open_amount"]), created["status"]) == (money(10000), "open")
    same = invoice(api, cid, "P-1", "10000.00", "2026-02-01", "2026-03-31", status=200)
    assert same["id"] == created["id"]
    invoice(api, cid, "P-1", "10001.00", "2026-02-01", "2026-03-31", status=409)

    first = pay(api, cid, "P-1", "4000.00", "2026-03-02", reference="BANK-1")
    assert money(first["invoice_open_amount"]) == money(6000)
    repeat = pay(api, cid, "P-1", "4000.00", "2026-03-02", reference="BANK-1", status=200)
    assert money(repeat["invoice_open_amount"]) == money(6000)
    pay(api, cid, "P-1", "6000.01", "2026-03-02", status=422)  # more than the open amount

    ok(api.post("erp1", f"/api/v1/payments/{first['id']}/reverse", json={"reason": "bounced"}))
    assert money(invoices_of(api, cid)["P-1"]["open_amount"]) == money(10000)

    rest = pay(api, cid, "P-1", "10000.00", "2026-03-02", reference="BANK-2")
    assert money(rest["invoice_open_amount"]) == 0
    assert invoices_of(api, cid)["P-1"]["status"] == "paid"
    assert api.post("sales1", "/api/v1/invoices", json={}).status_code == 403


# --- credit check ------------------------------------------------------------------------------


def test_credit_check_approves_with_the_available_credit_and_uses_the_tolerance(api):
    cid = new_customer(api)
    file = grant_limit(api, cid, "400000")
    assert (file["grade"], money(file["credit_limit"])) == ("B", money(400000))
    r = check(api, cid, "100000")
    assert (r["decision"], r["reasons"]) == ("approve", [])
    assert (money(r["limit"]), money(r["exposure"]), money(r["available"])) == (
        money(400000),
        0,
        money(400000),
    )
    assert money(r["tolerance"]) == money(20000)  # B: 5 % of 400,000, below the 200,000 cap

    invoice(api, cid, "C-1", "300000", "2026-03-01", "2026-04-30")
    assert check(api, cid, "100000")["reasons"] == []  # 400,000 exactly: within the limit
    assert check(api, cid, "110000")["reasons"] == ["WITHIN_TOLERANCE"]
    assert check(api, cid, "120000")["reasons"] == ["WITHIN_TOLERANCE"]  # limit + tolerance
    over = check(api, cid, "120000.01")
    assert (over["decision"], over["reasons"]) == ("block", ["LIMIT_EXCEEDED"])
    # At the invoice check point the check only informs.
    info = check(api, cid, "120000.01", check_point="invoice")
    assert (info["decision"], info["reasons"]) == ("approve", ["LIMIT_EXCEEDED"])

    nobody = new_customer(api)
    blocked = check(api, nobody, "1")
    assert blocked["decision"] == "block" and "NO_LIMIT" in blocked["reasons"]
    assert api.post("sales1", "/api/v1/credit-check", json={}).status_code == 403


def test_overdue_hold_and_manual_approval_block_new_orders(api):
    late = new_customer(api)
    grant_limit(api, late)
    invoice(api, late, "O-1", "1000", "2026-01-01", START - dt.timedelta(days=30))
    assert check(api, late, "1000")["decision"] == "approve"  # 30 days is not > 30
    set_clock(api, START + dt.timedelta(days=1))
    r = check(api, late, "1000")
    assert (r["decision"], r["reasons"]) == ("block", ["OVERDUE"])
    tick(api)  # the sweep starts the escalation at the stage of 31 DPD: hold
    assert collection(api, late)["stage"] == "hold"
    assert sorted(check(api, late, "1000")["reasons"]) == ["CREDIT_HOLD", "OVERDUE"]

    bounced = new_customer(api)
    grant_limit(api, bounced)
    invoice(api, bounced, "M-1", "5000", "2026-03-01", "2026-04-30")
    payment = pay(api, bounced, "M-1", "5000", "2026-03-03", reference="CHQ-1")
    ok(api.post("erp1", f"/api/v1/payments/{payment['id']}/reverse", json={"reason": "bounced"}))
    r = check(api, bounced, "1000")
    assert (r["decision"], r["reasons"]) == ("block", ["MANUAL_APPROVAL"])


def test_reservations_count_once_are_replaced_freed_and_checked_again_in_full(api):
    cid = new_customer(api)
    grant_limit(api, cid)
    assert check(api, cid, "100000", order_ref="SO-A")["decision"] == "approve"
    assert exposure(api, cid) == money(100000)
    assert check(api, cid, "150000", order_ref="SO-A")["decision"] == "approve"  # replaces
    assert exposure(api, cid) == money(150000)
    invoice(api, cid, "R-1", "150000", "2026-03-02", "2026-04-30", order_ref="SO-A")
    assert exposure(api, cid) == money(150000)  # the reservation became the receivable
    assert check(api, cid, "50000", order_ref="SO-B")["decision"] == "approve"
    assert exposure(api, cid) == money(200000)
    assert api.delete("erp1", "/api/v1/orders/SO-B").status_code == 204
    assert exposure(api, cid) == money(150000)
    reopened = check(api, cid, "300000", order_ref="SO-B")  # 450,000 > 400,000 + 20,000
    assert (reopened["decision"], reopened["reasons"]) == ("block", ["LIMIT_EXCEEDED"])
    assert exposure(api, cid) == money(150000)


def test_a_blocked_order_is_released_once_through_a_credit_decision(api):
    cid = new_customer(api)
    grant_limit(api, cid)
    r = check(api, cid, "450000", order_ref="SO-REL", request_release=True)
    assert (r["decision"], r["reasons"]) == ("block", ["LIMIT_EXCEEDED"])
    decision_id = r["credit_decision_instance_id"]
    assert decision_id
    task = open_task(api, "manager1", "credit_decision", "SO-REL")
    assert "credit_manager" in task["candidate_groups"]
    assert not has_task(api, "collector1", "credit_decision", "SO-REL")
    complete(
        api,
        "manager1",
        "credit_decision",
        "SO-REL",
        {"decision": "release_once", "reason": "strategic customer, paid on time for years"},
    )
    told = [n for n in notices(api, "sales1") if n["process_instance_id"] == decision_id]
    assert told, "the sales rep is told of the credit decision"
    audit = ok(api.get("auditor1", f"/api/v1/audit-events?instance_id={decision_id}"))["items"]
    assert audit, "the decision is in the audit trail"
    more = check(api, cid, "460000", order_ref="SO-REL")  # more than was released
    assert more["decision"] == "block"
    passed = check(api, cid, "450000", order_ref="SO-REL")
    assert (passed["decision"], passed["reasons"]) == ("approve", ["RELEASED"])
    again = check(api, cid, "450000", order_ref="SO-REL")
    assert (again["decision"], again["reasons"]) == ("block", ["LIMIT_EXCEEDED"])


def test_a_large_excess_goes_up_the_matrix_for_a_temporary_limit(api):
    cid = new_customer(api)
    grant_limit(api, cid)  # 400,000, grade B
    r = check(api, cid, "1100000", order_ref="SO-BIG", request_release=True)
    assert (r["decision"], r["reasons"]) == ("block", ["LIMIT_EXCEEDED"])
    decision = {
        "decision": "temporary_limit",
        "reason": "seasonal peak, secured by the new guarantee",
        "temporary_limit": "700000",
        "valid_until": "2026-03-31",
    }
    complete(api, "manager1", "credit_decision", "SO-BIG", decision)
    # An excess of 700,000 (> 500,000, grade B) needs the finance director as well.
    task = open_task(api, "director1", "credit_decision", "SO-BIG")
    assert task["candidate_groups"] == ["finance_director"]
    assert check(api, cid, "1100000", order_ref="SO-BIG")["decision"] == "block"
    complete(api, "director1", "credit_decision", "SO-BIG", decision)
    passed = check(api, cid, "1100000", order_ref="SO-BIG")
    assert (passed["decision"], money(passed["limit"])) == ("approve", money(1100000))
    set_clock(api, dt.date(2026, 4, 1))
    assert money(check(api, cid, "1", order_ref="SO-NEXT")["limit"]) == money(400000)


# --- the dunning ladder ------------------------------------------------------------------------


def test_the_dunning_ladder_stage_by_stage_to_the_write_off(api):
    cid = new_customer(api)
    invoice(api, cid, "L-1", "12000.00", "2026-01-30", DUE)
    assert collection(api, cid)["stage"] == "none"
    tick(api, on(1))
    view = collection(api, cid)
    assert (view["stage"], view["days_past_due"], money(view["overdue_amount"])) == (
        "reminder_1",
        1,
        money(12000),
    )
    emails = ok(api.get("admin", "/api/v1/admin/outbox?limit=1000"))["items"]
    assert {e["address"] for e in emails if e["channel"] == "email"} >= {CONTACTS[0]["email"]}
    tick(api, on(6))
    assert collection(api, cid)["stage"] == "reminder_1"
    tick(api, on(7))
    assert collection(api, cid)["stage"] == "reminder_2"
    tick(api, on(15))
    view = collection(api, cid)
    assert (view["stage"], tasks(view), view["on_hold"]) == ("call", ["call_customer"], False)
    assert not has_task(api, "sales1", "call_customer", cid)
    call = {"outcome": "not_reached", "notes": "no answer"}
    complete(api, "collector1", "call_customer", cid, call)
    tick(api, on(30))
    view = collection(api, cid)
    assert (view["stage"], view["on_hold"]) == ("hold", True)
    assert "CREDIT_HOLD" in check(api, cid, "1")["reasons"]
    assert any(n["process_instance_id"] for n in notices(api, "manager1")), "credit managers told"
    tick(api, on(45))
    view = collection(api, cid)
    assert (view["stage"], tasks(view)) == ("demand_letter", ["send_demand_letter"])
    for lang in ("zh", "en"):
        letter = api.get("collector1", f"/api/v1/customers/{cid}/demand-letter?lang={lang}")
        assert (letter.status_code, letter.mimetype) == (200, "application/pdf")
        assert letter.data.startswith(b"%PDF")
    complete(
        api,
        "collector1",
        "send_demand_letter",
        cid,
        {"sent_on": on(45).isoformat(), "channel": "courier"},
    )
    tick(api, on(60))
    view = collection(api, cid)
    assert (view["stage"], tasks(view)) == ("legal", ["legal_review"])
    complete(api, "legal1", "legal_review", cid, {"decision": "write_off", "comment": "insolvent"})
    assert collection(api, cid)["stage"] == "write_off"
    assert not has_task(api, "gm1", "approve_write_off_general_manager", cid)
    complete(
        api,
        "director1",
        "approve_write_off_finance_director",
        cid,
        {"decision": "approve", "comment": "agreed"},
    )
    complete(
        api,
        "gm1",
        "approve_write_off_general_manager",
        cid,
        {"decision": "approve", "comment": "agreed"},
    )
    view = collection(api, cid)
    assert view["stage"] == "closed"
    assert money(view["overdue_amount"]) == 0
    assert stages(view) == [
        "reminder_1",
        "reminder_2",
        "call",
        "hold",
        "demand_letter",
        "legal",
        "write_off",
        "closed",
    ]
    written = invoices_of(api, cid)["L-1"]
    assert (written["status"], money(written["open_amount"])) == ("written_off", 0)


def test_a_kept_promise_ends_with_the_payment(api):
    cid = new_customer(api)
    invoice(api, cid, "K-1", "8000.00", "2026-01-30", DUE)
    tick(api, on(7))
    assert collection(api, cid)["stage"] == "reminder_2"
    body = {"amount": "8000.00", "promise_date": on(12).isoformat()}
    assert api.post("sales1", f"/api/v1/customers/{cid}/promises", json=body).status_code == 403
    ok(api.post("collector1", f"/api/v1/customers/{cid}/promises", json=body), 201)
    view = collection(api, cid)
    assert (view["stage"], view["promise_to_pay_until"]) == ("paused_promise", on(12).isoformat())
    tick(api, on(11))
    assert collection(api, cid)["stage"] == "paused_promise"
    pay(api, cid, "K-1", "8000.00", on(11).isoformat(), reference="K-PAY")
    assert collection(api, cid)["stage"] == "closed"
    tick(api, on(20))
    assert collection(api, cid)["stage"] == "closed"


def test_a_payment_that_clears_the_overdue_ends_the_escalation_and_lifts_its_hold(api):
    cid = new_customer(api)
    grant_limit(api, cid)
    invoice(api, cid, "H-1", "3000.00", "2026-01-30", DUE)
    invoice(api, cid, "H-2", "500.00", "2026-03-01", "2026-04-30")  # not due: stays open
    tick(api, on(30))
    assert (collection(api, cid)["stage"], collection(api, cid)["on_hold"]) == ("hold", True)
    pay(api, cid, "H-1", "1000.00", on(30).isoformat(), reference="H-PART")
    assert collection(api, cid)["stage"] == "hold"  # a part payment changes nothing
    pay(api, cid, "H-1", "2000.00", on(30).isoformat(), reference="H-REST")
    view = collection(api, cid)
    assert (view["stage"], view["on_hold"], money(view["overdue_amount"])) == ("closed", False, 0)
    assert check(api, cid, "1000")["reasons"] == []


def test_a_broken_promise_resumes_one_stage_further(api):
    cid = new_customer(api)
    invoice(api, cid, "B-1", "8000.00", "2026-01-30", DUE)
    tick(api, on(7))
    body = {"amount": "8000.00", "promise_date": on(10).isoformat()}
    ok(api.post("collector1", f"/api/v1/customers/{cid}/promises", json=body), 201)
    tick(api, on(13))  # the promised date + 3 days: still paused
    assert collection(api, cid)["stage"] == "paused_promise"
    tick(api, on(14))  # broken: reminder_2 + 1 = call (DPD 14 alone would say reminder_2)
    view = collection(api, cid)
    assert (view["stage"], tasks(view)) == ("call", ["call_customer"])

    # A promise taken on the call, broken again, jumps past the DPD stage too.
    complete(
        api,
        "collector1",
        "call_customer",
        cid,
        {
            "outcome": "promise_to_pay",
            "notes": "CFO promised",
            "promise_amount": "8000.00",
            "promise_date": on(16).isoformat(),
        },
    )
    view = collection(api, cid)
    assert (view["stage"], view["promise_to_pay_until"]) == ("paused_promise", on(16).isoformat())
    tick(api, on(20))  # call + 1 = hold (DPD 20 alone would say call)
    view = collection(api, cid)
    assert (view["stage"], view["on_hold"]) == ("hold", True)


def test_a_valid_dispute_issues_a_credit_note_and_an_invalid_one_resumes(api):
    valid = new_customer(api)
    invoice(api, valid, "D-1", "12000.00", "2026-01-30", DUE)
    tick(api, on(15))
    assert collection(api, valid)["stage"] == "call"
    body = {"invoice_number": "D-1", "reason": "goods damaged on arrival"}
    ok(api.post("sales1", f"/api/v1/customers/{valid}/disputes", json=body), 201)
    view = collection(api, valid)
    assert (view["stage"], tasks(view)) == ("paused_dispute", ["resolve_dispute"])
    complete(
        api,
        "collector1",
        "resolve_dispute",
        valid,
        {"resolution": "valid", "credit_note_amount": "12000.00", "comment": "photos confirm"},
    )
    assert collection(api, valid)["stage"] == "closed"
    assert money(invoices_of(api, valid)["D-1"]["open_amount"]) == 0

    invalid = new_customer(api)
    invoice(api, invalid, "D-2", "5000.00", "2026-01-30", DUE)
    tick(api, on(15))
    complete(api, "collector1", "call_customer", invalid, {"outcome": "reached", "notes": "ok"})
    body = {"invoice_number": "D-2", "reason": "price differs from the contract"}
    ok(api.post("collector1", f"/api/v1/customers/{invalid}/disputes", json=body), 201)
    assert collection(api, invalid)["stage"] == "paused_dispute"
    complete(
        api,
        "collector1",
        "resolve_dispute",
        invalid,
        {"resolution": "invalid", "comment": "contract price applies"},
    )
    view = collection(api, invalid)
    assert (view["stage"], money(view["overdue_amount"])) == ("call", money(5000))
    tick(api, on(30))
    assert collection(api, invalid)["stage"] == "hold"


# --- KPIs --------------------------------------------------------------------------------------


def test_kpis_equal_the_policy_formulas_on_a_worked_example(api):
    """Period 2026-03-01 .. 2026-03-31 (31 days); K1, K3 hold limits, K2 has none.

    | invoice | cust | amount  | issued     | due        | entries                           |
    | A       | K1   | 100,000 | 2026-02-01 | 2026-02-27 | paid 60,000 on 03-10              |
    | D       | K1   |  20,000 | 2025-10-01 | 2025-11-01 | -                                 |
    | E       | K2   |  40,000 | 2025-12-01 | 2025-12-31 | written off on 03-05 (ladder)     |
    | B       | K1   |  60,000 | 2026-03-05 | 2026-04-04 | -                                 |
    | C       | K1   |  30,000 | 2026-03-10 | 2026-03-20 | paid 30,000 on 03-15, bounced 03-25 |
    """
    d = dt.date
    set_clock(api, d(2026, 3, 1))
    k1, k2, k3 = new_customer(api), new_customer(api), new_customer(api)
    grant_limit(api, k1)
    grant_limit(api, k3)
    invoice(api, k1, "A", "100000", d(2026, 2, 1), d(2026, 2, 27))
    invoice(api, k1, "D", "20000", d(2025, 10, 1), d(2025, 11, 1))
    invoice(api, k2, "E", "40000", d(2025, 12, 1), d(2025, 12, 31))

    tick(api, d(2026, 3, 5))  # E is 64 days past due: the escalation starts at legal
    assert collection(api, k2)["stage"] == "legal"
    complete(api, "legal1", "legal_review", k2, {"decision": "write_off", "comment": "gone"})
    approval = {"decision": "approve", "comment": "agreed"}
    complete(api, "director1", "approve_write_off_finance_director", k2, approval)
    complete(api, "gm1", "approve_write_off_general_manager", k2, approval)
    invoice(api, k1, "B", "60000", d(2026, 3, 5), d(2026, 4, 4))

    set_clock(api, d(2026, 3, 10))
    pay(api, k1, "A", "60000", d(2026, 3, 10), reference="A-PAY")
    invoice(api, k1, "C", "30000", d(2026, 3, 10), d(2026, 3, 20))
    set_clock(api, d(2026, 3, 15))
    cheque = pay(api, k1, "C", "30000", d(2026, 3, 15), reference="C-CHQ")
    set_clock(api, d(2026, 3, 25))
    ok(api.post("erp1", f"/api/v1/payments/{cheque['id']}/reverse", json={"reason": "bounced"}))
    set_clock(api, d(2026, 3, 31), hour=18)

    opening = money(100000 + 20000 + 40000)  # A, D, E open at the start of 03-01
    sales = money(60000 + 30000)  # B, C
    collected = money(60000 + 30000 - 30000)
    written_off = money(40000)
    closing = opening + sales - collected - written_off
    assert closing == money(40000 + 20000 + 60000 + 30000)
    current = money(60000)  # B, due 04-04
    days = 31
    expected = {
        "collection_rate": round(collected / (opening + sales), 4),
        "dso": round(closing / sales * days, 1),
        "cei": round((opening + sales - closing) / (opening + sales - current) * 100, 1),
        "overdue_ratio": round((closing - current) / closing, 4),
        "bad_debt_ratio": round(written_off / sales, 4),
        "default_rate": round(money(1) / money(2), 4),  # K1 (D is 150 days late) of K1, K3
    }
    aging = {
        "current": money(60000),  # B
        "1_30": money(30000),  # C, 11 days
        "31_60": money(40000),  # A, 32 days
        "61_90": money(0),
        "over_90": money(20000),  # D, 150 days
    }
    assert api.get("collector1", "/api/v1/kpis?from=2026-03-01&to=2026-03-31").status_code == 403
    kpis = ok(api.get("director1", "/api/v1/kpis?from=2026-03-01&to=2026-03-31"))
    got = {key: money(kpis[key]) for key in expected}
    assert got == expected
    assert {key: money(value) for key, value in kpis["aging"].items()} == aging
