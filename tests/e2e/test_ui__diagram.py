"""Where a case stands: the active step highlighted, called processes opened in place, the
approval's main path readable (SLA ladder folded into the tier's decision), zoom and fit."""

from __future__ import annotations

import pytest
from conftest import login, open_task
from flow import assess, file_application, new_customer

pytestmark = pytest.mark.e2e


def _marked(page, element: str, marker: str) -> bool:
    return page.locator(f".djs-element.{marker}[data-element-id={element}]").count() > 0


def test_approver_sees_the_approval_main_path_and_drills_down_in_place(page, api):
    app = file_application(api, new_customer(api))
    assess(api, app["id"])
    login(page, "manager1")
    open_task(page, "", str(app["id"]))
    assert page.get_by_test_id("crumb-current").inner_text() == "Tiered approval"
    # The tier's decision is one box with its three SLA timers; the user tasks are inside it.
    assert _marked(page, "tier_approval", "cf-active")
    for timer in ("sla_remind", "sla_escalate", "sla_reassign"):
        assert page.locator(f".djs-element[data-element-id={timer}]").count() == 1
    assert _marked(page, "approval_matrix", "cf-completed")
    page.locator("#diagram-crumbs").get_by_role("button", name="Credit application").click()
    page.wait_for_selector("#diagram[data-ready='1'][data-file='credit_application.bpmn']")
    assert _marked(page, "approval", "cf-active")
    assert _marked(page, "assessment", "cf-completed")
    page.locator(".cf-drill-button[data-drill=assessment]").click()
    page.wait_for_selector("#diagram[data-ready='1'][data-file='credit_assessment.bpmn']")
    assert _marked(page, "assess_customer", "cf-completed")
    assert page.get_by_test_id("crumb-current").inner_text() == "Credit assessment"
    before = page.evaluate("window.cfDiagram.viewer.get('canvas').zoom()")
    page.get_by_role("button", name="Zoom in").click()
    after = page.evaluate("window.cfDiagram.viewer.get('canvas').zoom()")
    assert after > before
    page.get_by_role("button", name="Fit").click()
    assert abs(page.evaluate("window.cfDiagram.viewer.get('canvas').zoom()") - before) < 0.01
    assert not page.js_errors, page.js_errors


def test_case_page_opens_at_the_top_process_with_the_active_step(page, api):
    app = file_application(api, new_customer(api))
    login(page, "sales1")
    page.goto(f"/applications/{app['id']}")
    page.wait_for_selector("#diagram[data-ready='1']")
    assert page.get_by_test_id("crumb-current").inner_text() == "Credit application"
    assert _marked(page, "assessment", "cf-active")
    page.locator(".djs-element[data-element-id=assessment]").first.click()
    page.wait_for_selector("#diagram[data-ready='1'][data-file='credit_assessment.bpmn']")
    assert _marked(page, "assess_customer", "cf-active")
    assert not page.js_errors, page.js_errors
