"""The auditor's search page: its filters go through the same query as GET /audit-events."""

from __future__ import annotations

from support import ui_login


def test_an_instance_id_beyond_any_row_finds_nothing_instead_of_failing(client):
    assert ui_login(client, "auditor1").status_code == 302
    for value in ("99999999999999999999", "2147483648", "abc", ""):
        r = client.get(f"/audit?instance_id={value}&customer_id={value}")
        assert r.status_code == 200, value
    r = client.get("/audit/export.json?instance_id=99999999999999999999")
    assert r.status_code == 200 and r.get_json()["items"] == []


def test_the_search_page_and_the_api_find_the_same_events(client, api):
    changed = api.put(
        "admin",
        "/api/v1/admin/calendar",
        json={"days": [{"day": "2031-10-01", "kind": "holiday", "name": "国庆节"}]},
    )
    assert changed.status_code == 200, changed.get_json()
    listed = api.get("auditor1", "/api/v1/audit-events?actor=admin").get_json()["items"]
    # The API and the page share the test client's cookies: the token first, then the page.
    assert ui_login(client, "auditor1").status_code == 302
    page = client.get("/audit/export.json?actor=admin").get_json()["items"]
    assert page and [e["seq"] for e in page] == [e["seq"] for e in listed]
