"""The collectors' worklist and the credit file's escalation history in a real browser."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from collection_flow import START, book, new_customer, tick
from conftest import login, shot

pytestmark = pytest.mark.e2e


@pytest.fixture
def escalations(live_app, api):
    """Three customers in escalation: a call, a hold and a promise; one not late at all."""
    called = new_customer(api, name="广州远航物流有限公司")
    book(live_app, called, f"E2E-C-{called}", "18000.00", START - dt.timedelta(days=16))
    held = new_customer(api, name="成都天府建材有限公司")
    book(live_app, held, f"E2E-H-{held}", "240000.00", START - dt.timedelta(days=33))
    promised = new_customer(api, name="南京金陵食品有限公司")
    book(live_app, promised, f"E2E-P-{promised}", "5600.50", START - dt.timedelta(days=8))
    tick(api, START)
    r = api.post(
        "collector1",
        f"/api/v1/customers/{promised}/promises",
        json={"amount": "5600.50", "promise_date": (START + dt.timedelta(days=5)).isoformat()},
    )
    assert r.status_code == 201, r.get_json()
    return {"call": called, "hold": held, "paused_promise": promised}


def test_collector_works_from_the_worklist(page, escalations):
    login(page, "collector1")
    page.get_by_role("link", name="Collections").click()
    page.wait_for_url("**/collections")
    table = page.get_by_test_id("collections")
    called = table.locator(f"tr[data-customer='{escalations['call']}']")
    assert called.locator("td").nth(1).inner_text() == "Call"
    assert called.locator("td").nth(2).inner_text() == "16"
    assert called.locator("td").nth(3).inner_text() == "18,000.00"
    assert "Call the customer" in called.locator("td").nth(5).inner_text()
    held = table.locator(f"tr[data-customer='{escalations['hold']}']")
    assert "On hold" in held.inner_text()
    assert re.search(r"Demand letter on \d{4}-\d\d-\d\d", held.inner_text())
    promised = table.locator(f"tr[data-customer='{escalations['paused_promise']}']")
    assert "5,600.50" in promised.locator("td").nth(4).inner_text()
    assert "Promise broken if unpaid on" in promised.inner_text()
    # the longest overdue first
    rows = table.locator("tbody tr")
    order = [rows.nth(i).get_attribute("data-customer") for i in range(rows.count())]
    assert order.index(str(escalations["hold"])) < order.index(str(escalations["call"]))
    shot(page, "collections")
    page.locator(".tabs a[data-stage='call']").click()
    assert page.get_by_test_id("collections").locator("tbody tr").count() >= 1
    assert all(
        row.get_attribute("data-stage") == "call"
        for row in page.get_by_test_id("collections").locator("tbody tr").all()
    )
    called_link = page.get_by_test_id("collections").locator(
        f"tr[data-customer='{escalations['call']}'] td >> nth=5"
    )
    called_link.get_by_role("link").click()
    page.wait_for_selector("#task-form[data-ready='1']")
    assert page.js_errors == []


def test_the_worklist_in_chinese_and_the_history_on_the_credit_file(page, escalations):
    login(page, "manager1", lang="zh")
    page.goto("/collections")
    held = page.get_by_test_id("collections").locator(f"tr[data-customer='{escalations['hold']}']")
    assert held.locator("td").nth(1).inner_text() == "信用冻结"
    assert "冻结" in held.locator("td").nth(0).inner_text()
    shot(page, "collections-zh")
    held.get_by_role("link", name="成都天府建材有限公司").click()
    page.wait_for_url(f"**/customers/{escalations['hold']}*")
    assert page.get_by_test_id("collection-stage").inner_text() == "信用冻结"
    history = page.get_by_test_id("escalation-history").first.inner_text()
    assert "进入阶段" in history and "冻结信用" in history
    assert page.get_by_role("link", name="中文 PDF").count() == 0  # no letter before D+45
    page.locator("#collection").screenshot(path=str(_shots() / "customer-collection-zh.png"))
    assert page.js_errors == []


def test_the_worklist_is_for_collection_roles(page, escalations):
    login(page, "sales1")
    assert page.get_by_role("link", name="Collections").count() == 0
    response = page.goto("/collections")
    assert response.status == 403


def _shots():
    """docs/screenshots under `make screenshots`, else a scratch folder."""
    import os
    import tempfile
    from pathlib import Path

    if os.environ.get("CREDITFLOW_SCREENSHOTS") == "1":
        return Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    return Path(tempfile.mkdtemp())
