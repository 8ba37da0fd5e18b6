"""The journey a new analyst must manage without leaving the UI: from a customer without any
data to an approved limit, through the inbox, the credit file, the score preview, the approver's
decision and the applicant's notification."""

from __future__ import annotations

import pytest
from conftest import login, logout, shot

from credit.uscc import make_uscc

# A credit application's inbox row (a customer-keyed process may share the number).
APP_ROW = "tr[data-process=credit_application]"

pytestmark = pytest.mark.e2e


def test_from_a_customer_without_data_to_an_approved_limit_in_the_browser(page, api):
    # Sales opens a credit file with nothing but a name and a USCC, and files an application.
    login(page, "sales1")
    page.goto("/customers")
    page.get_by_role("link", name="New customer").click()
    page.get_by_label("Name").fill("苏州新客户制造有限公司")
    page.get_by_label("USCC (unified social credit code)").fill(make_uscc("91320500MA7JRNY1"))
    page.get_by_role("button", name="Create customer").click()
    page.wait_for_url("**/customers/*")
    page.locator("main").get_by_role("link", name="New application").click()
    page.fill("#f-requested_limit", "400000")
    page.fill("#f-requested_terms_days", "60")
    page.fill("#f-expected_monthly_purchases", "500000")
    page.fill("#f-reason", "first order from the Suzhou plant")
    page.get_by_role("button", name="File application").click()
    page.wait_for_url("**/process-instances/*")
    assert page.get_by_test_id("application-status").inner_text() == "in assessment"
    application_id = page.locator("h1").inner_text().split("#")[1].split()[0]
    logout(page)

    # The analyst sees the work at once, claims it and learns what data is missing.
    login(page, "analyst2")
    page.goto("/inbox")
    row = page.locator(f"{APP_ROW}[data-business-key='{application_id}']")
    row.get_by_role("button", name="Claim and open").click()
    page.wait_for_selector("#task-form[data-ready='1']")
    warnings = page.get_by_test_id("data-warnings")
    codes = warnings.locator("li").evaluate_all("items => items.map(i => i.dataset.code)")
    assert codes == ["no_statement", "no_credit_report", "no_founding_date"]

    # Each missing piece is added from the task, in the credit file's own forms, and back.
    page.get_by_test_id("fix-statement").click()
    page.get_by_label("Period end").fill("2025-12-31")
    for label, value in {
        "Current assets": "12000000",
        "Current liabilities": "5000000",
        "Inventory": "2000000",
        "Total assets": "30000000",
        "Total liabilities": "12000000",
        "Equity": "18000000",
        "Revenue": "45000000",
        "Net profit": "5000000",
        "EBIT": "6500000",
        "Interest expense": "500000",
        "Retained earnings": "8000000",
        "Operating cash flow": "4000000",
    }.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#task-form[data-ready='1']")
    page.get_by_test_id("fix-credit_report").click()
    page.get_by_label("Bureau").fill("PBOC")
    page.get_by_label("Score (0–100)").fill("90")
    page.get_by_label("Report date").fill(_recent(api))
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#task-form[data-ready='1']")
    page.get_by_test_id("fix-profile").click()
    page.get_by_label("Founded on").fill("2009-04-01")
    page.get_by_label("Industry", exact=True).fill("machinery")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#task-form[data-ready='1']")
    assert page.get_by_test_id("data-warnings").count() == 0

    # The score preview answers as the rating is typed; completing asks to confirm.
    page.get_by_label("Qualitative rating").fill("4")
    rating = page.get_by_test_id("preview-factors").locator("tr[data-factor=qualitative_rating]")
    rating.filter(has_text="4 / 5").wait_for()
    shot(page, "task-assess")
    page.get_by_label("Comment").fill("Visited the plant; orders are steady.")
    page.get_by_role("button", name="Complete task").click()
    page.get_by_test_id("confirm").wait_for(state="visible")
    page.get_by_role("button", name="Confirm and complete").click()
    page.wait_for_url("**/process-instances/*")
    assert "Assessment completed" in page.get_by_test_id("what-happened").inner_text()
    assert "Approve as credit manager" in page.get_by_test_id("where-next").inner_text()
    logout(page)

    # The credit manager decides with everything in view.
    login(page, "manager1")
    page.goto("/inbox")
    page.locator(f"{APP_ROW}[data-business-key='{application_id}']").get_by_role(
        "button", name="Claim and open"
    ).click()
    page.wait_for_selector("#task-form[data-ready='1']")
    assert "400,000.00" in page.get_by_test_id("requested-limit").inner_text()
    assert page.get_by_test_id("chain").locator("li").count() == 1
    assert page.get_by_test_id("terms-rule").is_visible()
    shot(page, "task-approve")
    page.get_by_label("Approve", exact=True).check()
    page.get_by_label("Comment").fill("Within my authority.")
    page.get_by_role("button", name="Complete task").click()
    page.wait_for_url("**/process-instances/*")
    said = page.get_by_test_id("where-next").inner_text()
    assert "The application is approved: 400,000.00 CNY" in said
    assert page.get_by_test_id("final-limit").inner_text() == "400,000.00 CNY"
    shot(page, "case-approved")
    logout(page)

    # The applicant hears of it, with the outcome and a link to the case.
    login(page, "sales1")
    page.get_by_test_id("bell").click()
    note = page.get_by_test_id("notifications").get_by_role(
        "link", name=f"[Approved] Credit application {application_id}: 400000.00 CNY"
    )
    note.first.click()
    page.wait_for_url("**/process-instances/*")
    assert page.get_by_test_id("application-status").inner_text() == "approved"
    page.get_by_test_id("customer-link").click()
    page.wait_for_selector("body[data-charts-ready='1']")
    assert page.get_by_test_id("file-limit").inner_text() == "400,000.00"
    assert "Final: 400,000.00 CNY" in page.get_by_test_id("file-decisions").inner_text()
    shot(page, "credit-file")
    assert not page.js_errors, page.js_errors


def _recent(api) -> str:
    """A report date a month before the installation's today (fresh, never stale)."""
    import datetime as dt

    now = api.get("admin", "/api/v1/admin/clock").get_json()["now"]
    return (dt.date.fromisoformat(now[:10]) - dt.timedelta(days=30)).isoformat()
