"""The receivables a credit manager sees: the credit file's aging, open invoices and payments,
and the KPIs page with its charts, in English and Chinese."""

from __future__ import annotations

import pytest
from conftest import login, shot
from flow import new_customer

pytestmark = pytest.mark.e2e


def _ledger(api) -> int:
    cid = new_customer(api)
    for number, amount, issued, due in [
        ("E2E-1", "1000.00", "2025-01-01", "2025-02-01"),
        ("E2E-2", "500.00", "2025-03-01", "2099-04-01"),
    ]:
        r = api.post(
            "erp1",
            "/api/v1/invoices",
            json={
                "customer_id": cid,
                "number": f"{number}-{cid}",
                "amount": amount,
                "issued_on": issued,
                "due_on": due,
            },
        )
        assert r.status_code == 201, r.get_json()
    r = api.post(
        "erp1",
        "/api/v1/payments",
        json={
            "customer_id": cid,
            "invoice_number": f"E2E-1-{cid}",
            "amount": "400.00",
            "paid_on": "2025-02-10",
        },
    )
    assert r.status_code == 201, r.get_json()
    return cid


def test_the_credit_file_shows_aging_open_invoices_and_payments(page, api):
    cid = _ledger(api)
    login(page, "manager1")
    page.goto(f"/customers/{cid}")
    page.wait_for_selector("body[data-charts-ready='1']", state="attached")
    invoices = page.get_by_test_id("open-invoices")
    assert f"E2E-1-{cid}" in invoices.inner_text()
    assert "600.00" in invoices.inner_text()
    assert "400.00" in page.get_by_test_id("payments").inner_text()
    assert not page.js_errors


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_kpis_page_shows_the_period_with_charts(page, api, lang):
    _ledger(api)
    login(page, "manager1", lang)
    page.goto("/kpis?from=2025-01-01&to=2025-03-31")
    page.wait_for_selector("body[data-charts-ready='1']", state="attached")
    assert page.get_by_test_id("dso").inner_text() != "—"
    heading = "Receivables KPIs" if lang == "en" else "应收账款指标"
    assert page.get_by_role("heading", name=heading).is_visible()
    shot(page, f"kpis{'-zh' if lang == 'zh' else ''}")
    assert not page.js_errors


def test_the_kpis_page_is_for_credit_managers_and_up(page, api):
    login(page, "sales1")
    response = page.goto("/kpis")
    assert response.status == 403
