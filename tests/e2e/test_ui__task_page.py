"""The task page: what the decision rests on, the analyst's preview and confirmation, a form that
keeps fast typing, rejects text in number fields, and says where the case went next."""

from __future__ import annotations

import itertools

import pytest
from conftest import complete_assessment, login, open_task
from flow import application, assess, file_application, new_customer

from credit.uscc import make_uscc

pytestmark = pytest.mark.e2e
_SERIAL = itertools.count(500)


def test_fast_typing_after_a_number_field_is_kept_in_full(page, api):
    app = file_application(api, new_customer(api))
    login(page, "analyst1")
    open_task(page, "", str(app["id"]))
    page.get_by_label("Qualitative rating").fill("4")
    # Within form-js's old 300 ms debounce of the number field, type into the comment box.
    page.get_by_label("Comment").press_sequentially("Long-standing customer", delay=15)
    page.wait_for_timeout(600)
    assert page.get_by_label("Comment").input_value() == "Long-standing customer"
    complete_assessment(page, "4")
    stored = application(api, app["id"], user="manager1")  # the comment is internal
    assert stored["assessment"]["comment"] == "Long-standing customer"
    assert not page.js_errors, page.js_errors


def test_letters_in_a_number_field_are_rejected_with_a_message(page, api):
    app = file_application(api, new_customer(api))
    login(page, "analyst1")
    open_task(page, "", str(app["id"]))
    field = page.get_by_label("Years in business")
    field.press_sequentially("abc12x")
    note = page.locator(".cf-number-error")
    assert "a" in note.inner_text() and "rejected" in note.inner_text()
    page.get_by_label("Qualitative rating").fill("3")
    page.get_by_role("button", name="Complete task").click()
    assert page.locator("#form-errors").inner_text() != ""
    assert not page.get_by_test_id("confirm").is_visible()
    assert application(api, app["id"])["status"] == "in_assessment"
    field.fill("")
    field.press_sequentially("12")
    assert page.locator(".cf-number-error").count() == 0
    complete_assessment(page, "3")
    assert application(api, app["id"])["assessment"]["years_in_business"] == 12


def test_analyst_sees_score_preview_and_missing_data_and_confirms(page, api):
    r = api.post("sales1", "/api/v1/customers", json={"name": "只有名字的客户", "uscc": _uscc()})
    app = file_application(api, r.get_json()["id"])
    login(page, "analyst1")
    open_task(page, "", str(app["id"]))
    warnings = page.get_by_test_id("data-warnings")
    assert warnings.locator("li[data-code=no_statement]").count() == 1
    assert warnings.locator("li[data-code=no_credit_report]").count() == 1
    page.get_by_label("Years in business").fill("3")
    page.get_by_label("Qualitative rating").fill("2")
    values = page.get_by_test_id("preview-values")
    values.wait_for()
    assert "/ 100" in values.inner_text()
    assert page.get_by_test_id("preview-factors").locator("tr[data-factor]").count() == 8
    page.get_by_role("button", name="Complete task").click()
    dialog = page.get_by_test_id("confirm")
    dialog.wait_for(state="visible")
    assert "Score" in dialog.get_by_test_id("confirm-score").inner_text()
    page.get_by_role("button", name="Back to the form").click()
    assert application(api, app["id"])["status"] == "in_assessment"
    page.get_by_role("button", name="Complete task").click()
    page.get_by_role("button", name="Confirm and complete").click()
    page.wait_for_url("**/process-instances/*")
    assert "Assessment completed" in page.get_by_test_id("what-happened").inner_text()
    assert not page.js_errors, page.js_errors


def test_approver_sees_request_against_suggestion_points_chain_override_and_next_step(page, api):
    app = file_application(api, new_customer(api), limit="1500000", terms=60)
    assess(
        api, app["id"], override_limit="1200000", override_reason="new plant not yet in the books"
    )
    login(page, "manager1")
    open_task(page, "", str(app["id"]))
    compare = page.get_by_test_id("compare")
    assert "1,500,000.00" in page.get_by_test_id("requested-limit").inner_text()
    assert "1,200,000.00" in page.get_by_test_id("suggested-limit").inner_text()
    assert "45" in page.get_by_test_id("suggested-terms").inner_text()
    assert "60" in compare.inner_text()
    assert "grade B" in page.get_by_test_id("terms-rule").inner_text()
    assert "new plant not yet in the books" in page.get_by_test_id("override").inner_text()
    factors = page.get_by_test_id("factors")
    assert factors.locator("tr[data-factor=current_ratio] td").nth(1).inner_text() == "12 / 15"
    assert "53.3 %" in factors.locator("tr[data-factor=debt_to_asset]").inner_text()
    chain = page.get_by_test_id("chain")
    assert chain.locator("li").count() == 2
    assert "waiting" in chain.locator("li[data-tier=credit_manager]").inner_text()
    assert page.get_by_test_id("aging").is_visible()
    assert page.get_by_test_id("exposure").is_visible()
    assert "53.3 %" in page.get_by_test_id("ratios").inner_text()
    page.get_by_label("Approve", exact=True).check()
    page.get_by_label("Comment").fill("Within my authority.")
    page.get_by_role("button", name="Complete task").click()
    page.wait_for_url("**/process-instances/*")
    said = page.get_by_test_id("completed-note").inner_text()
    assert "You approved application" in said
    assert "Approve as finance director" in page.get_by_test_id("where-next").inner_text()
    assert "Finance directors" in page.get_by_test_id("where-next").inner_text()
    assert not page.js_errors, page.js_errors


def _uscc() -> str:
    return make_uscc(f"91310000MA{next(_SERIAL):06d}"[:16])
