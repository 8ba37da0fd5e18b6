"""POST /credit-check: every reason alone and combined, tolerance, check points, reservations
(replace / cancel / re-open), and DELETE /orders, as an order system (erp1) calls them."""

from __future__ import annotations

import datetime as dt

import pytest
from ledger_setup import book, customer_row

from credit.models import Customer
from web.extensions import db

TODAY = dt.date(2026, 3, 2)
CHECK = "/api/v1/credit-check"


@pytest.fixture(autouse=True)
def clock(api):
    r = api.put("admin", "/api/v1/admin/clock", json={"now": "2026-03-02T09:00:00+08:00"})
    assert r.status_code == 200


def customer(app, limit="1000000", grade="C", **fields):
    with app.app_context():
        cid = customer_row(next(_serial), limit=limit, grade=grade, **fields)
        db.session.commit()
        return cid


_serial = iter(range(1, 10_000))


def check(api, cid, amount, user="erp1", **extra):
    r = api.post(user, CHECK, json={"customer_id": cid, "amount": str(amount), **extra})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def overdue_invoice(app, cid, days, amount="1000"):
    with app.app_context():
        due = TODAY - dt.timedelta(days=days)
        book(cid, f"OD-{cid}-{days}", amount, due - dt.timedelta(days=30), due)
        db.session.commit()


def test_a_clean_order_is_approved_with_the_available_credit(api, app):
    cid = customer(app)
    body = check(api, cid, "250000")
    assert body == {
        "decision": "approve",
        "reasons": [],
        "limit": "1000000.00",
        "exposure": "0.00",
        "available": "1000000.00",
        "tolerance": "0.00",
        "currency": "CNY",
        "check_id": body["check_id"],
    }


@pytest.mark.parametrize(
    ("setup", "amount", "reason"),
    [
        ({"on_hold": True}, "1000", "CREDIT_HOLD"),
        ({}, "1000000.01", "LIMIT_EXCEEDED"),
        ({"overdue_days": 31}, "1000", "OVERDUE"),
        ({"review_due_on": TODAY - dt.timedelta(days=31)}, "1000", "REVIEW_OVERDUE"),
        ({"grade": "E"}, "1000", "GRADE_E"),
        ({"limit": None, "grade": None}, "1000", "NO_LIMIT"),
        ({"limit": "0"}, "1000", "NO_LIMIT"),
        ({"warning_level": "orange"}, "1000", "MANUAL_APPROVAL"),
        ({"warning_level": "red"}, "1000", "MANUAL_APPROVAL"),
    ],
)
def test_each_reason_alone_blocks(api, app, setup, amount, reason):
    setup = dict(setup)
    overdue_days = setup.pop("overdue_days", None)
    cid = customer(app, **{"limit": "1000000", "grade": "C", **setup})
    if overdue_days:
        overdue_invoice(app, cid, overdue_days)
    body = check(api, cid, amount)
    assert (body["decision"], body["reasons"]) == ("block", [reason])


@pytest.mark.parametrize(
    ("setup", "overdue_days"),
    [({"review_due_on": TODAY - dt.timedelta(days=30)}, None), ({}, 30), ({"grade": "D"}, None)],
)
def test_thresholds_at_their_boundary_do_not_block(api, app, setup, overdue_days):
    cid = customer(app, **setup)
    if overdue_days:
        overdue_invoice(app, cid, overdue_days)
    assert check(api, cid, "1000")["decision"] == "approve"


def test_every_reason_that_applies_is_listed(api, app):
    cid = customer(
        app,
        grade="E",
        on_hold=True,
        warning_level="red",
        review_due_on=TODAY - dt.timedelta(days=45),
    )
    overdue_invoice(app, cid, 40, amount="900000")
    body = check(api, cid, "200000")
    assert body["decision"] == "block"
    assert body["reasons"] == [
        "CREDIT_HOLD",
        "LIMIT_EXCEEDED",
        "OVERDUE",
        "REVIEW_OVERDUE",
        "GRADE_E",
        "MANUAL_APPROVAL",
    ]
    assert (body["exposure"], body["available"]) == ("900000.00", "100000.00")


@pytest.mark.parametrize(
    ("grade", "amount", "decision", "reasons", "tolerance"),
    [
        ("A", "1050000", "approve", ["WITHIN_TOLERANCE"], "100000.00"),
        ("A", "1100000", "approve", ["WITHIN_TOLERANCE"], "100000.00"),
        ("A", "1100000.01", "block", ["LIMIT_EXCEEDED"], "100000.00"),
        ("B", "1050000", "approve", ["WITHIN_TOLERANCE"], "50000.00"),
        ("B", "1050000.01", "block", ["LIMIT_EXCEEDED"], "50000.00"),
        ("C", "1000000.01", "block", ["LIMIT_EXCEEDED"], "0.00"),
    ],
)
def test_tolerance_by_grade(api, app, grade, amount, decision, reasons, tolerance):
    cid = customer(app, grade=grade)
    body = check(api, cid, amount)
    assert (body["decision"], body["reasons"], body["tolerance"]) == (decision, reasons, tolerance)


def test_the_tolerance_is_capped(api, app):
    cid = customer(app, limit="10000000", grade="A")  # 10% would be 1,000,000; cap 500,000
    assert check(api, cid, "10000001")["tolerance"] == "500000.00"


def test_the_invoice_check_point_is_informational(api, app):
    cid = customer(app, on_hold=True)
    body = check(api, cid, "2000000", order_ref="SO-I", check_point="invoice")
    assert (body["decision"], body["reasons"]) == ("approve", ["CREDIT_HOLD", "LIMIT_EXCEEDED"])
    assert body["exposure"] == "0.00"  # nothing reserved


def test_foreign_currency_orders_count_in_cny(api, app):
    cid = customer(app)
    body = check(api, cid, "100000", currency="USD", order_ref="SO-USD")
    assert (body["decision"], body["exposure"]) == ("approve", "710000.00")
    assert check(api, cid, "50000", currency="EUR")["decision"] == "block"  # 385,000 more


def test_a_recheck_replaces_the_reservation_and_a_blocked_one_keeps_it(api, app):
    cid = customer(app)
    assert check(api, cid, "600000", order_ref="SO-1")["exposure"] == "600000.00"
    body = check(api, cid, "900000", order_ref="SO-1")
    assert (body["decision"], body["exposure"], body["available"]) == (
        "approve",
        "900000.00",
        "100000.00",
    )
    body = check(api, cid, "1100000", order_ref="SO-1")
    assert (body["decision"], body["exposure"]) == ("block", "900000.00")
    assert check(api, cid, "200000", order_ref="SO-2")["decision"] == "block"
    assert check(api, cid, "100000", order_ref="SO-2")["decision"] == "approve"


def test_a_cancelled_and_reopened_order_is_checked_in_full(api, app):
    cid = customer(app)
    assert check(api, cid, "900000", order_ref="SO-1")["decision"] == "approve"
    assert api.delete("erp1", "/api/v1/orders/SO-1").status_code == 204
    assert api.delete("erp1", "/api/v1/orders/SO-1").status_code == 204
    assert check(api, cid, "200000", order_ref="SO-2")["exposure"] == "200000.00"
    for point in ("order", "delivery"):
        body = check(api, cid, "900000", order_ref="SO-1", check_point=point)
        assert (body["decision"], body["reasons"]) == ("block", ["LIMIT_EXCEEDED"])
    assert api.delete("erp1", "/api/v1/orders/NEVER-CHECKED").status_code == 404


def test_an_invoice_turns_the_reservation_into_receivable_counted_once(api, app):
    cid = customer(app)
    check(api, cid, "300000", order_ref="SO-7")
    r = api.post(
        "erp1",
        "/api/v1/invoices",
        json={
            "customer_id": cid,
            "number": "INV-SO-7",
            "amount": "300000",
            "issued_on": "2026-03-02",
            "due_on": "2026-04-01",
            "order_ref": "SO-7",
        },
    )
    assert r.status_code == 201, r.get_json()
    assert check(api, cid, "1")["exposure"] == "300000.00"
    # The same order shipped again later is a new reservation, checked in full.
    assert check(api, cid, "800000", order_ref="SO-7")["decision"] == "block"


def test_an_order_ref_of_another_customer_is_409(api, app):
    first, second = customer(app), customer(app)
    check(api, first, "1000", order_ref="SO-X")
    r = api.post("erp1", CHECK, json={"customer_id": second, "amount": "1", "order_ref": "SO-X"})
    assert r.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"check_point": "shipping"}, "check_point"),
        ({"customer_id": 999999}, "customer_id"),
        ({"customer_id": 2**40}, "customer_id"),
        ({"order_ref": "R" * 65}, "order_ref"),
        ({"request_release": True}, "order_ref"),
    ],
)
def test_invalid_checks_are_422_naming_the_field(api, app, body, field):
    cid = customer(app)
    r = api.post("erp1", CHECK, json={"customer_id": cid, "amount": "100", **body})
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]


def test_who_may_check_credit(api, app):
    cid = customer(app)
    for user in ("erp1", "collector1", "manager1", "admin"):
        check(api, cid, "1", user=user)
    for user in ("sales1", "analyst1", "director1", "auditor1"):
        assert api.post(user, CHECK, json={"customer_id": cid, "amount": "1"}).status_code == 403
    assert api.delete("sales1", "/api/v1/orders/SO-1").status_code == 403


def test_the_customer_file_shows_exposure_with_reservations(api, app):
    cid = customer(app)
    check(api, cid, "123456.78", order_ref="SO-F")
    body = api.get("manager1", f"/api/v1/customers/{cid}").get_json()
    assert (body["exposure"], body["available"]) == ("123456.78", "876543.22")
    with app.app_context():
        assert db.session.get(Customer, cid).on_hold is False
