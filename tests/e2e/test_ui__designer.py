"""The designer: deploy shows the diff and asks first, says "no changes" instead of adding a
version for nothing, says which version went live; the properties panel edits what the engine
needs (candidate groups, form, due date, service operation and parameters, decisions)."""

from __future__ import annotations

import pytest
from conftest import login, shot

pytestmark = pytest.mark.e2e


def _open(page, file: str = "credit_application.bpmn") -> None:
    page.goto("/designer/credit_application")
    page.wait_for_selector("#canvas[data-ready='1']")
    if file != "credit_application.bpmn":
        page.select_option("#file-select", file)
        page.wait_for_selector("#canvas[data-ready='1']")


def _versions(page) -> int:
    return page.locator("[data-testid=versions] li").count()


def _panel_group(page) -> None:
    page.locator(".bio-properties-panel-group-header", has_text="Execution (creditflow)").click()


def test_deploy_without_changes_says_so_and_creates_no_version(page):
    login(page, "designer1")
    _open(page, "tiered_approval.bpmn")
    before = _versions(page)
    page.get_by_role("button", name="Review and deploy…").click()
    assert "No changes" in page.locator("#deploy-status").inner_text()
    assert not page.get_by_test_id("deploy-dialog").is_visible()
    page.reload()
    page.wait_for_selector("#canvas[data-ready='1']")
    assert _versions(page) == before
    assert not page.js_errors, page.js_errors


def test_properties_panel_edits_the_engine_settings_and_deploy_shows_the_diff(page):
    login(page, "designer1")
    _open(page, "credit_assessment.bpmn")
    before = _versions(page)
    page.locator(".djs-element[data-element-id=assess_customer]").first.click()
    _panel_group(page)
    groups = page.locator("[data-entry-id=cf-candidateGroups] input")
    assert groups.input_value() == "credit_analyst"
    groups.fill("credit_analyst, credit_manager")
    due = page.locator("[data-entry-id=cf-dueInBusinessDays] input")
    due.fill("abc")
    error = page.locator("[data-entry-id=cf-dueInBusinessDays] .bio-properties-panel-error")
    error.wait_for()
    assert "whole business days" in error.inner_text()
    due.fill("3")
    due.press("Tab")
    assert error.count() == 0
    form = page.locator("[data-entry-id=cf-formKey] select")
    assert form.input_value() == "assess_customer"
    shot(page, "designer-properties")
    page.wait_for_timeout(400)  # the panel's input debounce
    # A service task's operation and parameters, on the approval model.
    page.select_option("#file-select", "tiered_approval.bpmn")
    page.wait_for_selector("#canvas[data-ready='1']")
    page.locator(".djs-element[data-element-id=sla_remind_task]").first.click()
    _panel_group(page)
    operation = page.locator("[data-entry-id=cf-operation] select")
    assert operation.input_value() == "engine.task_remind"
    params = page.locator("[data-entry-id=cf-parameters] textarea")
    assert params.input_value() == 'task = "approve_" + current_tier'
    page.locator(".djs-element[data-element-id=sla_escalate]").first.click()
    assert "business_deadline" in page.locator("#properties").inner_text()
    page.get_by_role("button", name="Review and deploy…").click()
    dialog = page.get_by_test_id("deploy-dialog")
    dialog.wait_for(state="visible")
    diff = page.get_by_test_id("deploy-diff").inner_text()
    shot(page, "designer-deploy")
    assert "credit_assessment.bpmn" in diff and "assess_customer" in diff
    assert "tiered_approval.bpmn" not in diff
    page.get_by_role("button", name="Cancel").click()
    assert _versions(page) == before
    page.get_by_role("button", name="Review and deploy…").click()
    page.get_by_role("button", name="Deploy", exact=True).click()
    page.wait_for_url("**/designer/credit_application?deployed=*")
    note = page.get_by_test_id("deployed-note").inner_text()
    assert f"Version {before + 1}" in note
    page.wait_for_selector("#canvas[data-ready='1']")
    assert _versions(page) == before + 1
    page.select_option("#file-select", "credit_assessment.bpmn")
    page.wait_for_selector("#canvas[data-ready='1']")
    page.locator(".djs-element[data-element-id=assess_customer]").first.click()
    _panel_group(page)
    saved = page.locator("[data-entry-id=cf-candidateGroups] input").input_value()
    assert saved == "credit_analyst, credit_manager"
    assert page.locator("[data-entry-id=cf-dueInBusinessDays] input").input_value() == "3"
    assert not page.js_errors, page.js_errors
