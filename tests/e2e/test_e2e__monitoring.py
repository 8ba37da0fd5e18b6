"""The early-warning board and the credit file in a real Chromium."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import login, logout, open_task, shot
from ledger_setup import book
from monitoring_setup import DAY0, limited_customer, report, set_day

from web.extensions import db

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(scope="module")
def warned(live_app):
    """sales1's customer at orange, sales2's at red, sales1's at blue."""
    with live_app.app_context():
        set_day(DAY0)
        ids = {
            "orange": limited_customer(901, rep="sales1"),
            "red": limited_customer(902, rep="sales2"),
            "blue": limited_customer(903, rep="sales1"),
        }
        for key, days in (("orange", 65), ("red", 100), ("blue", 4)):
            due = DAY0 - dt.timedelta(days=days)
            book(ids[key], f"E2E-{key}", "20000", due - dt.timedelta(days=30), due)
        report(ids["orange"], 55, DAY0 - dt.timedelta(days=3))
        db.session.commit()
        return ids


def test_board_by_level_filter_and_one_click_to_the_credit_file(page, warned):
    login(page, "manager1")
    page.get_by_role("link", name="Warnings").click()
    rows = page.locator("[data-testid=warning-board] tbody tr")
    levels = rows.evaluate_all("rs => rs.map(r => r.dataset.level)")
    assert levels[:1] == ["red"] and "orange" in levels and "blue" in levels
    assert levels == sorted(levels, key=["red", "orange", "yellow", "blue"].index)
    shot(page, "warnings")
    page.select_option("select[name=min_level]", "orange")
    page.get_by_role("button", name="Apply").click()
    levels = page.locator("[data-testid=warning-board] tbody tr").evaluate_all(
        "rs => rs.map(r => r.dataset.level)"
    )
    assert set(levels) <= {"red", "orange"} and "blue" not in levels
    orange = page.locator("tr[data-level=orange]").filter(has_text="账款客户 901")
    assert "OVERDUE_60" in orange.inner_text()
    orange.get_by_test_id("board-customer").click()
    page.wait_for_url(f"**/customers/{warned['orange']}*")
    assert page.get_by_test_id("file-level").inner_text().lower() == "orange"
    assert "OVERDUE_60" in page.get_by_test_id("file-warnings").inner_text()
    for section in ("file-assessments", "file-reviews", "file-receivables", "file-documents"):
        assert page.get_by_test_id(section).is_visible()
    assert "E2E-orange" in page.get_by_test_id("file-receivables").inner_text()
    assert page.js_errors == []


def test_sales_see_only_their_own_customers(page, warned):
    login(page, "sales2")
    page.goto("/warnings")
    text = page.get_by_test_id("warning-board").inner_text()
    assert "账款客户 902" in text and "账款客户 901" not in text and "账款客户 903" not in text
    logout(page)
    login(page, "sales1", lang="zh")
    page.goto("/warnings")
    text = page.get_by_test_id("warning-board").inner_text()
    assert "账款客户 901" in text and "账款客户 902" not in text
    assert "最早未结发票" in text  # details in the reader's language


def test_upload_a_document_and_request_a_review_from_the_credit_file(page, warned, tmp_path):
    pdf = tmp_path / "licence.pdf"
    pdf.write_bytes(PDF)
    login(page, "manager1")
    page.goto(f"/customers/{warned['blue']}")
    page.select_option("select[name=kind]", "business_licence")
    page.set_input_files("input[type=file][name=file]", str(pdf))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_load_state()
    assert "licence.pdf" in page.get_by_test_id("file-documents").inner_text()
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"not a pdf at all")
    page.set_input_files("input[type=file][name=file]", str(fake))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_load_state()
    assert "not a PDF, PNG or JPEG" in page.locator(".flash-error").inner_text()
    page.fill("input[name=reason]", "utilisation check")
    page.get_by_test_id("request-review").click()
    page.wait_for_url("**/process-instances/*")
    page.goto(f"/customers/{warned['blue']}")
    assert (
        "Running" in page.get_by_test_id("file-reviews").inner_text()
        or "running" in page.get_by_test_id("file-reviews").inner_text()
    )
    shot(page, "customer-file")
    page.goto("/dashboard")
    assert int(page.get_by_test_id("warn-red").inner_text()) >= 1
    assert page.js_errors == []


def test_the_analyst_sees_the_recomputed_score_beside_the_previous_one(page, warned):
    login(page, "analyst2")
    open_task(page, "Review customer", str(warned["blue"]))
    comparison = page.get_by_test_id("review-comparison")
    assert comparison.is_visible()
    assert page.get_by_test_id("recomputed-score").inner_text().strip() != ""
    assert "Previous assessment" in comparison.inner_text()
    shot(page, "review-task")
    assert page.js_errors == []
