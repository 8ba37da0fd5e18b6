"""The credit file kept in the browser: profile, statements, credit reports, securities."""

from __future__ import annotations

import pytest
from conftest import login
from flow import new_customer

from credit.uscc import make_uscc

pytestmark = pytest.mark.e2e


def test_analyst_fills_an_empty_credit_file_without_curl(page, api):
    r = api.post(
        "sales1",
        "/api/v1/customers",
        json={"name": "浏览器客户", "uscc": make_uscc("91310000MA9BRW01")},
    )
    cid = r.get_json()["id"]
    login(page, "analyst1")
    page.goto(f"/customers/{cid}")
    page.get_by_test_id("edit-profile").click()
    page.get_by_label("Founded on").fill("2012-03-01")
    page.get_by_label("Industry", exact=True).fill("machinery")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/customers/{cid}#profile")
    assert page.get_by_test_id("founded-on").inner_text() == "2012-03-01"

    page.get_by_test_id("add-statement").click()
    page.get_by_label("Period end").fill("2025-12-31")
    for label, value in {
        "Current assets": "12000000",
        "Current liabilities": "7000000",
        "Total assets": "30000000",
        "Total liabilities": "abc12x",
        "Equity": "14000000",
        "Revenue": "45000000",
        "Net profit": "2700000",
    }.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Save").click()
    error = page.locator(".cf-field-error[data-field=total_liabilities]")
    assert "number" in error.inner_text().lower()
    page.get_by_label("Total liabilities", exact=True).fill("16000000")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/customers/{cid}#statements")
    ratios = page.get_by_test_id("statement-ratios")
    assert ratios.locator("[data-ratio=debt_to_asset]").inner_text() == "53.3 %"
    assert ratios.locator("[data-ratio=net_margin]").inner_text() == "6.0 %"

    page.get_by_test_id("add-report").click()
    page.get_by_label("Bureau").fill("PBOC")
    page.get_by_label("Score (0–100)").fill("175")
    page.get_by_label("Report date").fill("2026-01-15")
    page.get_by_role("button", name="Save").click()
    assert page.locator(".cf-field-error[data-field=score]").is_visible()
    page.get_by_label("Score (0–100)").fill("75")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/customers/{cid}#reports")
    assert "PBOC" in page.get_by_test_id("file-reports").inner_text()

    page.get_by_test_id("add-security").click()
    page.get_by_label("Kind").select_option("collateral")
    page.get_by_label("Amount").fill("1000000")
    page.get_by_label("Expires on").fill("2030-12-31")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/customers/{cid}#securities")
    page.get_by_test_id("file-securities").get_by_role("link", name="Correct").click()
    page.get_by_label("Amount").fill("800000")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/customers/{cid}#securities")
    assert "800,000.00" in page.get_by_test_id("file-securities").inner_text()
    file = api.get("sales1", f"/api/v1/customers/{cid}").get_json()
    assert file["founded_on"] == "2012-03-01"
    assert file["latest_credit_report"]["score"] == 75
    assert not page.js_errors, page.js_errors


def test_sales_sees_the_file_and_an_auditor_cannot_edit(page, api):
    cid = new_customer(api)
    login(page, "auditor1")
    page.goto(f"/customers/{cid}")
    assert page.get_by_test_id("edit-profile").count() == 0
    page.goto(f"/customers/{cid}/profile")
    assert "403" in page.locator("h1").inner_text()
