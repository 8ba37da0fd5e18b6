"""GET /customers/{id}/warnings and the /warnings board, exactly as the spec writes them."""

from __future__ import annotations

import datetime as dt

import pytest
from ledger_setup import book
from monitoring_setup import DAY0, limited_customer, set_day

from web.extensions import db


@pytest.fixture
def customers(app):
    """Three customers: sales1's at blue and at orange, sales2's at red, and a quiet one."""
    with app.app_context():
        set_day(DAY0)
        ids = {
            "blue": limited_customer(1, rep="sales1"),
            "orange": limited_customer(2, rep="sales1"),
            "red": limited_customer(3, rep="sales2"),
            "none": limited_customer(4, rep="sales2"),
        }
        for key, days in (("blue", 3), ("orange", 70), ("red", 120)):
            due = DAY0 - dt.timedelta(days=days)
            book(ids[key], f"W-{key}", "1000", due - dt.timedelta(days=30), due)
        db.session.commit()
        return ids


def test_a_customer_s_level_with_its_signals(api, customers):
    r = api.get("sales1", f"/api/v1/customers/{customers['orange']}/warnings?lang=en")
    assert r.status_code == 200
    body = r.get_json()
    assert body["level"] == "orange"
    assert [(s["code"], s["level"]) for s in body["signals"]] == [
        ("OVERDUE_60", "orange"),
        ("OVERDUE_30", "yellow"),
        ("OVERDUE_1", "blue"),
    ]
    first = body["signals"][0]
    assert first["detail"] == "Oldest open invoice W-orange is 70 days past due (more than 60)"
    assert first["since"] == (DAY0 - dt.timedelta(days=9)).isoformat()
    quiet = api.get("sales1", f"/api/v1/customers/{customers['none']}/warnings").get_json()
    assert (quiet["level"], quiet["signals"]) == ("none", [])


def test_the_detail_follows_the_reader_s_language(api, customers):
    r = api.get("manager1", f"/api/v1/customers/{customers['blue']}/warnings?lang=zh")
    assert (
        r.get_json()["signals"][0]["detail"]
        == "最早未结发票 W-blue 已逾期 3 天（到期日 2026-02-27）"
    )


def test_the_board_lists_customers_from_min_level_up(api, customers):
    def board(user, query=""):
        r = api.get(user, f"/api/v1/warnings{query}")
        assert r.status_code == 200, r.get_json()
        return [(i["customer_id"], i["level"]) for i in r.get_json()["items"]]

    everyone = [
        (customers["red"], "red"),
        (customers["orange"], "orange"),
        (customers["blue"], "blue"),
    ]
    assert board("manager1") == everyone
    assert board("auditor1", "?min_level=orange") == everyone[:2]
    assert board("gm1", "?min_level=red") == everyone[:1]
    item = api.get("director1", "/api/v1/warnings?min_level=red").get_json()["items"][0]
    assert set(item) >= {"customer_id", "name", "level", "signals"}
    # Sales see their own customers only.
    assert board("sales1") == everyone[1:]
    assert board("sales2") == everyone[:1]


@pytest.mark.parametrize(
    ("user", "query", "status"),
    [
        ("manager1", "?min_level=purple", 422),
        ("manager1", "?min_level=none", 422),
        ("analyst1", "", 403),
        ("collector1", "", 403),
        ("erp1", "", 403),
        (None, "", 401),
    ],
)
def test_the_board_refuses(api, customers, user, query, status):
    r = api.get(user, f"/api/v1/warnings{query}")
    assert r.status_code == status
    if status == 422:
        assert "min_level" in r.get_json()["errors"]


def test_an_unknown_customer_has_no_warnings(api, customers):
    assert api.get("manager1", "/api/v1/customers/999999/warnings").status_code == 404
