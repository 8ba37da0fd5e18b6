"""The instance page of a collaboration shows its pools on the diagram and their states."""

from __future__ import annotations

from pathlib import Path

from conftest import login, shot
from sample_models import NOTE_FORM, deploy, start

ORDER = (Path(__file__).parents[1] / "integration" / "order_collaboration.bpmn").read_text()


def test_the_instance_page_shows_both_pools(page, api):
    deploy(api, {"order.bpmn": ORDER, "confirm_order.form.json": NOTE_FORM})
    instance_id = start(api, "buyer", business_key="PO-E2E")["id"]
    login(page, "admin")
    page.goto(f"/process-instances/{instance_id}")
    page.wait_for_selector("#diagram[data-ready='1']")
    pools = page.get_by_test_id("pools")
    assert "buyer" in pools.inner_text() and "seller" in pools.inner_text()
    assert page.locator(".djs-element[data-element-id=p_buyer]").count() == 1
    assert page.locator(".djs-element[data-element-id=p_seller]").count() == 1
    active = page.locator(".djs-element.cf-active")
    # The seller's task and the buyer's wait for its answer are where the two pools stand.
    marked = {active.nth(i).get_attribute("data-element-id") for i in range(active.count())}
    assert marked == {"confirm_order", "wait_confirm"}
    shot(page, "collaboration")
    assert not page.js_errors, page.js_errors
