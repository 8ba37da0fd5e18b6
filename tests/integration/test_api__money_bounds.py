"""Money keeps its cents on both databases: bounded amounts and exposure, nothing half-written.

SQLite stores NUMERIC as a binary float, exact to the cent only below about 7 x 10^13, and
PostgreSQL's Numeric(18, 2) overflows at 10^16; engine.money bounds amounts and exposures so that
neither can happen (an amount of 999999999999999.99 used to come back as 1000000000000000.00 on
SQLite, and a twelfth such invoice in USD overflowed the exposure with a 500 on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from ledger_setup import customer_row, post_csv

from credit.check_models import CreditRelease
from engine.money import EXPOSURE_MAX, FIGURE_MAX, MONEY_MAX
from web.extensions import db

BIG = "9999999999999.99"  # MONEY_MAX
RATE_USD = Decimal("7.1")  # the test configuration's rate


@pytest.fixture
def cid(app):
    with app.app_context():
        customer = customer_row(limit="1000000", grade="B")
        db.session.commit()
        return customer


def invoice(api, cid, number, amount, currency="CNY"):
    body = {
        "customer_id": cid,
        "number": number,
        "amount": amount,
        "currency": currency,
        "issued_on": "2026-01-01",
        "due_on": "2026-02-01",
    }
    return api.post("erp1", "/api/v1/invoices", json=body)


def exposure(api, cid) -> Decimal:
    return Decimal(api.get("manager1", f"/api/v1/customers/{cid}").get_json()["exposure"])


def listed(api, cid) -> dict[str, str]:
    items = api.get("erp1", f"/api/v1/invoices?customer_id={cid}").get_json()["items"]
    return {item["number"]: item["amount"] for item in items}


def test_the_bounds_hold_together():
    assert str(MONEY_MAX) == BIG and MONEY_MAX < EXPOSURE_MAX
    # Every cent up to the exposure bound is its own binary float (SQLite keeps REAL).
    assert EXPOSURE_MAX < 2**46
    assert f"{float(MONEY_MAX):.2f}" == BIG and f"{float(EXPOSURE_MAX - Decimal('0.01')):.2f}" == (
        "9999999999999.99"
    )


def test_the_largest_amount_comes_back_to_the_cent_and_one_cent_more_is_refused(api, cid):
    made = invoice(api, cid, "MAX-1", BIG)
    assert made.status_code == 201, made.get_json()
    assert (made.get_json()["amount"], made.get_json()["open_amount"]) == (BIG, BIG)
    assert listed(api, cid) == {"MAX-1": BIG}
    assert exposure(api, cid) == Decimal(BIG)

    over = invoice(api, cid, "MAX-2", "10000000000000.00")
    assert over.status_code == 422
    assert over.content_type == "application/problem+json"
    assert list(over.get_json()["errors"]) == ["amount"]
    assert listed(api, cid) == {"MAX-1": BIG}


def test_an_invoice_that_would_take_the_exposure_past_its_bound_is_refused_whole(api, cid):
    first = invoice(api, cid, "USD-1", "1000000000000.00", "USD")  # 7.1 x 10^12 CNY
    assert first.status_code == 201, first.get_json()
    before = exposure(api, cid)
    assert before == Decimal("1000000000000.00") * RATE_USD

    second = invoice(api, cid, "USD-2", "1000000000000.00", "USD")  # would be 1.42 x 10^13
    assert second.status_code == 422, second.get_json()
    assert "exposure" in second.get_json()["errors"]["amount"][0]
    assert listed(api, cid) == {"USD-1": "1000000000000.00"}
    assert exposure(api, cid) == before

    # What still fits is booked, to the cent.
    rest = EXPOSURE_MAX - Decimal("0.01") - before
    fits = invoice(api, cid, "CNY-1", str(rest))
    assert fits.status_code == 201, fits.get_json()
    assert exposure(api, cid) == EXPOSURE_MAX - Decimal("0.01")
    one_more = invoice(api, cid, "CNY-2", "0.01")
    assert one_more.status_code == 422
    assert exposure(api, cid) == EXPOSURE_MAX - Decimal("0.01")


def test_an_import_rejects_the_lines_past_the_bound_and_books_the_rest(api, cid):
    lines = [
        "customer_id,number,amount,currency,issued_on,due_on",
        f"{cid},I-1,6000000000000.00,CNY,2026-01-01,2026-02-01",
        f"{cid},I-2,5000000000000.00,CNY,2026-01-01,2026-02-01",  # 1.1 x 10^13: refused
        f"{cid},I-2,5000000000000.00,CNY,2026-01-01,2026-02-01",  # not "unchanged": refused
        f"{cid},I-3,3999999999999.99,CNY,2026-01-01,2026-02-01",  # exactly up to the bound
        f"{cid},I-4,0.01,CNY,2026-01-01,2026-02-01",
    ]
    r = post_csv(api, "\n".join(lines) + "\n")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["imported"], body["unchanged"]) == (2, 0)
    assert [(x["line"], list(x["errors"])) for x in body["rejected"]] == [
        (3, ["amount"]),
        (4, ["amount"]),
        (6, ["amount"]),
    ]
    assert listed(api, cid) == {"I-1": "6000000000000.00", "I-3": "3999999999999.99"}
    assert exposure(api, cid) == Decimal(BIG)


def test_a_payment_or_credit_check_amount_is_bounded_like_an_invoice(api, cid):
    assert invoice(api, cid, "P-1", "100.00").status_code == 201
    pay = api.post(
        "erp1",
        "/api/v1/payments",
        json={
            "customer_id": cid,
            "invoice_number": "P-1",
            "amount": "10000000000000.00",
            "paid_on": "2026-01-10",
        },
    )
    assert pay.status_code == 422 and list(pay.get_json()["errors"]) == ["amount"]
    check = api.post(
        "erp1",
        "/api/v1/credit-check",
        json={"customer_id": cid, "amount": "10000000000000.00", "currency": "CNY"},
    )
    assert check.status_code == 422 and list(check.get_json()["errors"]) == ["amount"]


def test_statement_figures_may_be_as_large_as_the_column(api, cid):
    body = {"period_end": "2025-12-31", "currency": "CNY", "total_assets": str(FIGURE_MAX)}
    ok = api.post("analyst1", f"/api/v1/customers/{cid}/statements", json=body)
    assert ok.status_code == 201, ok.get_json()
    body["total_assets"] = "1000000000000000.00"
    over = api.post("analyst1", f"/api/v1/customers/{cid}/statements", json=body)
    assert over.status_code == 422 and list(over.get_json()["errors"]) == ["total_assets"]


def test_many_temporary_limits_keep_the_checked_limit_within_its_column(app, api, cid):
    first = api.post(
        "erp1", "/api/v1/credit-check", json={"customer_id": cid, "amount": "1.00"}
    ).get_json()
    with app.app_context():  # 1,001 granted temporary limits of the largest amount
        db.session.execute(
            sa.insert(CreditRelease),
            [
                {"instance_id": 10_000 + n, "check_id": first["check_id"], "customer_id": cid,
                 "order_ref": f"SO-{n}", "kind": "temporary_limit", "amount_cny": MONEY_MAX,
                 "valid_until": dt.date(2099, 1, 1), "reason": "test", "decided_by": "manager1",
                 "decided_at": dt.datetime(2026, 1, 1)}
                for n in range(1001)
            ],
        )  # fmt: skip
        db.session.commit()
    for order in (None, "SO-X"):
        body = {"customer_id": cid, "amount": "1.00", **({"order_ref": order} if order else {})}
        r = api.post("erp1", "/api/v1/credit-check", json=body)
        assert r.status_code == 200, r.get_json()
        assert (r.get_json()["decision"], r.get_json()["limit"]) == ("approve", BIG)
