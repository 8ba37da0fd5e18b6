"""Invoices, CSV import and payments through the API, as an ERP (erp1) uses them."""

from __future__ import annotations

import pytest
from ledger_setup import customer_row, post_csv

from web.extensions import db

INVOICE = {
    "number": "INV-1",
    "amount": "1000.00",
    "currency": "CNY",
    "issued_on": "2026-01-01",
    "due_on": "2026-02-01",
}


@pytest.fixture
def cid(app):
    with app.app_context():
        customer = customer_row(limit="1000000", grade="B")
        db.session.commit()
        return customer


def invoice(api, cid, **changes):
    return api.post("erp1", "/api/v1/invoices", json={"customer_id": cid, **INVOICE, **changes})


def test_an_invoice_is_created_then_the_same_again_is_200_and_different_is_409(api, cid):
    r = invoice(api, cid)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["number"], body["amount"], body["open_amount"], body["status"]) == (
        "INV-1",
        "1000.00",
        "1000.00",
        "open",
    )
    again = invoice(api, cid, amount="1000")
    assert again.status_code == 200
    assert again.get_json()["id"] == body["id"]
    r = invoice(api, cid, due_on="2026-02-02")
    assert r.status_code == 409
    assert r.content_type == "application/problem+json"
    assert "due_on" in r.get_json()["detail"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"amount": "1e30"}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"due_on": "2025-12-01"}, "due_on"),
        ({"issued_on": "yesterday"}, "issued_on"),
        ({"number": ""}, "number"),
        ({"customer_id": 999999}, "customer_id"),
        ({"customer_id": 2**40}, "customer_id"),
    ],
)
def test_an_invalid_invoice_is_422_naming_the_field(api, cid, changes, field):
    r = invoice(api, cid, **changes)
    assert r.status_code == 422, r.get_json()
    assert field in r.get_json()["errors"]


def test_a_customer_id_beyond_the_column_is_unknown_not_a_server_error(api):
    assert api.get("manager1", f"/api/v1/customers/{2**40}").status_code == 404
    r = api.post("erp1", "/api/v1/credit-check", json={"customer_id": 2**40, "amount": "1"})
    assert (r.status_code, list(r.get_json()["errors"])) == (422, ["customer_id"])


def test_roles_of_the_receivables_endpoints(api, cid):
    assert invoice(api, cid).status_code == 201
    for user in ("sales1", "analyst1", "auditor1"):
        assert api.post(user, "/api/v1/invoices", json={}).status_code == 403
        assert api.get(user, "/api/v1/invoices").status_code == 403
    for user in ("collector1", "manager1", "admin"):
        assert api.get(user, "/api/v1/invoices").status_code == 200
    assert api.get(None, "/api/v1/invoices").status_code == 401


def test_payments_partial_idempotent_too_much_and_reversed(api, cid):
    invoice(api, cid)
    pay = {"customer_id": cid, "invoice_number": "INV-1", "paid_on": "2026-02-01"}
    r = api.post("erp1", "/api/v1/payments", json={**pay, "amount": "400", "reference": "B-1"})
    assert r.status_code == 201, r.get_json()
    first = r.get_json()
    assert first["invoice_open_amount"] == "600.00"
    r = api.post("erp1", "/api/v1/payments", json={**pay, "amount": "400", "reference": "B-1"})
    assert (r.status_code, r.get_json()["id"]) == (200, first["id"])
    r = api.post("erp1", "/api/v1/payments", json={**pay, "amount": "401", "reference": "B-1"})
    assert r.status_code == 409
    r = api.post("erp1", "/api/v1/payments", json={**pay, "amount": "600.01"})
    assert r.status_code == 422
    assert "amount" in r.get_json()["errors"]
    r = api.post("erp1", "/api/v1/payments", json={**pay, "amount": "600"})
    assert r.get_json()["invoice_open_amount"] == "0.00"
    listed = api.get("erp1", f"/api/v1/invoices?customer_id={cid}").get_json()["items"]
    assert [(i["status"], i["settled_on"]) for i in listed] == [("paid", "2026-02-01")]
    url = f"/api/v1/payments/{first['id']}/reverse"
    r = api.post("erp1", url, json={"reason": "bounced"})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["invoice_open_amount"], r.get_json()["reversal_reason"]) == (
        "400.00",
        "bounced",
    )
    assert api.post("erp1", url, json={"reason": "bounced"}).status_code == 409
    assert api.post("erp1", url, json={"reason": "lost"}).status_code == 422
    for missing in (999999, 2**40):
        url = f"/api/v1/payments/{missing}/reverse"
        assert api.post("erp1", url, json={"reason": "error"}).status_code == 404
    listed = api.get("erp1", f"/api/v1/invoices?customer_id={cid}&status=open").get_json()["items"]
    assert [i["open_amount"] for i in listed] == ["400.00"]


def test_invoices_list_pages_and_filters_overdue(api, cid, app):
    for n in range(5):
        invoice(api, cid, number=f"P-{n}", due_on=f"2026-02-0{n + 1}")
    page = api.get("erp1", f"/api/v1/invoices?customer_id={cid}&limit=2").get_json()
    assert [i["number"] for i in page["items"]] == ["P-0", "P-1"]
    rest = api.get("erp1", f"/api/v1/invoices?customer_id={cid}&after={page['next']}").get_json()
    assert [i["number"] for i in rest["items"]] == ["P-2", "P-3", "P-4"]
    assert rest["next"] is None
    api.put("admin", "/api/v1/admin/clock", json={"now": "2026-02-03T09:00:00+08:00"})
    overdue = api.get("erp1", f"/api/v1/invoices?overdue=true&customer_id={cid}").get_json()
    assert [i["number"] for i in overdue["items"]] == ["P-0", "P-1"]
    assert api.get("erp1", "/api/v1/invoices?status=lost").status_code == 422


CSV_HEADER = "customer_id,number,amount,currency,issued_on,due_on,order_ref"


def test_a_mixed_csv_imports_the_good_lines_and_reports_each_bad_one(api, cid):
    text = "\n".join(
        [
            CSV_HEADER,
            f"{cid},C-1,100.00,CNY,2026-01-01,2026-02-01,",
            f"{cid},C-2,abc,CNY,2026-01-01,2026-02-01,",
            "999999,C-3,100,CNY,2026-01-01,2026-02-01,",
            "",
            f"{cid},C-4,250.50,USD,2026-01-01,2026-02-01,SO-4",
            f"{cid},C-5,10,CNY,2026-03-01,2026-02-01,",
            f"{cid},C-1,999,CNY,2026-01-01,2026-02-01,",
            f'{cid},"C-6",5,CNY,2026-01-01,2026-02-01',
        ]
    )
    r = post_csv(api, text)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["imported"], body["unchanged"]) == (2, 0)
    assert [(x["line"], sorted(x["errors"])) for x in body["rejected"]] == [
        (3, ["amount"]),
        (4, ["customer_id"]),
        (7, ["due_on"]),
        (8, ["number"]),
        (9, ["line"]),
    ]
    again = post_csv(api, text).get_json()
    assert (again["imported"], again["unchanged"], len(again["rejected"])) == (0, 2, 5)
    customer = api.get("manager1", f"/api/v1/customers/{cid}").get_json()
    assert customer["exposure"] == "1878.55"  # 100 + 250.50 x 7.10


def test_a_bad_header_imports_nothing(api, cid):
    r = post_csv(api, f"customer,number\n{cid},X")
    assert r.status_code == 422
    assert "header" in r.get_json()["errors"]
    assert post_csv(api, "").status_code == 422
    assert post_csv(api, CSV_HEADER, content_type="application/json").status_code == 415
