"""Designer deploys a relabelled model; auditor verifies the chain; login screen in Chinese."""

from __future__ import annotations

import pytest
from conftest import login, shot
from flow import approve, assess, file_application, new_customer

pytestmark = pytest.mark.e2e


def test_login_page_in_chinese(page):
    page.goto("/login")
    page.click("button[name=lang][value=zh]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "登录"
    shot(page, "login")


def test_designer_changes_a_label_and_deploys_a_new_version(page):
    login(page, "designer1")
    page.goto("/designer")
    page.get_by_role("link", name="credit_application").click()
    page.wait_for_selector("#canvas[data-ready='1']")
    before = page.locator("[data-testid=versions] li").count()
    page.locator(".djs-element[data-element-id=prepare_application]").first.dblclick()
    page.keyboard.press("Control+A")
    page.keyboard.type("Load the credit application / 载入授信申请")  # both languages
    page.locator("#canvas svg").first.click(position={"x": 5, "y": 5})
    shot(page, "designer")
    page.get_by_role("button", name="Review and deploy…").click()
    page.get_by_role("button", name="Deploy", exact=True).click()
    page.wait_for_url("**/designer/credit_application?deployed=*")
    page.wait_for_selector("#canvas[data-ready='1']")
    assert page.locator("[data-testid=versions] li").count() == before + 1
    assert "载入授信申请" in page.locator("#canvas").inner_text()
    page.get_by_role("button", name="Show diff").click()
    page.locator("[data-testid=diff-result] li").first.wait_for()
    assert "prepare_application" in page.locator("[data-testid=diff-result]").inner_text()
    shot(page, "designer-diff")
    assert not page.js_errors, page.js_errors


def test_designer_opens_dmn_and_form_editors_and_sees_deploy_errors(page):
    login(page, "designer1")
    page.goto("/designer/credit_application")
    page.wait_for_selector("#canvas[data-ready='1']")
    before = page.locator("[data-testid=versions] li").count()
    page.select_option("#file-select", "grade.dmn")
    page.locator("#editor-dmn .tjs-container, #editor-dmn .djs-container").first.wait_for()
    page.select_option("#file-select", "assess_customer.form.json")
    page.locator("#editor-form .fjs-editor-container, #editor-form .fjs-container").first.wait_for()
    shot(page, "designer-form")
    # A form the server cannot validate (a missing form only gets a generic one and a warning).
    page.evaluate(
        "() => { window.cfDesigner.files['approve_credit_manager.form.json'] = "
        '\'{"components": [{"type": "filepicker", "key": "f"}]}\'; }'
    )
    page.get_by_role("button", name="Review and deploy…").click()
    assert "approve_credit_manager.form.json" in page.get_by_test_id("deploy-diff").inner_text()
    page.get_by_role("button", name="Deploy", exact=True).click()
    errors = page.get_by_test_id("deploy-errors")
    errors.locator("li").first.wait_for()
    assert "approve_credit_manager" in errors.inner_text()
    assert page.locator("[data-testid=versions] li").count() == before
    assert not page.js_errors, page.js_errors


def _seed(api) -> None:
    """Three applications: approved, waiting for approval, waiting for assessment."""
    done = file_application(api, new_customer(api))
    assess(api, done["id"])
    approve(api, "manager1", "credit_manager", done["id"])
    assess(api, file_application(api, new_customer(api, score=60), limit="300000")["id"], rating=4)
    file_application(api, new_customer(api, industry_risk="high"), limit="150000")


def test_admin_dashboard_shows_charts(page, api):
    _seed(api)
    login(page, "admin")
    page.wait_for_selector("body[data-charts-ready='1']")
    shot(page, "dashboard")
    assert int(page.get_by_test_id("kpi-waiting").inner_text()) >= 2
    page.goto("/admin")
    assert page.get_by_role("cell", name="designer1", exact=True).first.is_visible()
    shot(page, "admin")
    page.goto("/admin/calendar?year=2026")
    calendar = page.get_by_test_id("calendar")
    assert "2026-10-01" in calendar.inner_text()  # National Day, seeded from chinesecalendar
    page.fill("input[name=day]", "2026-12-31")
    page.select_option("select[name=kind]", "holiday")
    page.fill("input[name=name]", "Company day")
    page.get_by_role("button", name="Save day").click()
    page.wait_for_selector("[data-testid=calendar]")
    assert "Company day" in page.get_by_test_id("calendar").inner_text()


def test_auditor_verifies_the_chain_and_exports(page, api):
    _seed(api)
    login(page, "auditor1")
    page.goto("/audit")
    page.get_by_role("button", name="Verify chain").click()
    result = page.locator("[data-testid=verify-result]")
    result.wait_for()
    assert "intact" in result.inner_text()
    shot(page, "audit")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert download.value.suggested_filename == "audit-events.csv"
    with page.expect_download() as download:
        page.get_by_role("link", name="Export JSON").click()
    assert download.value.suggested_filename == "audit-events.json"
