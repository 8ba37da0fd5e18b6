"""The business calendar covers every year chinesecalendar knows and warns before it runs out;
calendar edits and test-clock moves are audited."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.calendar import coverage, statutory_years
from web.extensions import db


def test_every_statutory_year_the_package_knows_is_seeded(api):
    years = statutory_years()
    assert years[0] <= 2010 and years[-1] >= 2026
    for year in (years[0], years[-1]):
        days = api.get("admin", f"/api/v1/admin/calendar?year={year}").get_json()["days"]
        assert any(d["kind"] == "holiday" for d in days), year


@pytest.mark.parametrize(
    ("today", "warns"),
    [(dt.date(2026, 11, 1), False), (dt.date(2026, 11, 2), True), (dt.date(2027, 2, 1), True)],
)
def test_a_warning_within_60_days_of_the_last_covered_year(app, today, warns):
    last = statutory_years()[-1]
    today = today.replace(year=today.year + last - 2026)
    with app.app_context():
        got = coverage(db.session, today)
    assert got.last_year == last
    assert (got.warning is not None) == warns
    if warns:
        assert f"up to {last}" in got.warning and str(last + 1) in got.warning


def test_adding_next_years_days_ends_the_warning(api, app):
    last = statutory_years()[-1]
    r = api.put(
        "admin",
        "/api/v1/admin/calendar",
        json={"days": [{"day": f"{last + 1}-01-01", "kind": "holiday", "name": "元旦"}]},
    )
    assert r.status_code == 200
    with app.app_context():
        assert coverage(db.session, dt.date(last, 12, 1)).warning is None


def _actions(api) -> list[str]:
    items = api.get("admin", "/api/v1/audit-events").get_json()["items"]
    return [i["action"] for i in items]


def test_calendar_changes_and_test_clock_moves_are_in_the_audit_chain(api):
    r = api.put(
        "admin",
        "/api/v1/admin/calendar",
        json={"days": [{"day": "2026-05-06", "kind": "holiday", "name": "extra"}]},
    )
    assert r.status_code == 200
    assert _actions(api).count("calendar_changed") == 1
    r = api.put("admin", "/api/v1/admin/clock", json={"now": "2026-03-02T09:00:00+08:00"})
    assert r.status_code == 200
    assert _actions(api).count("test_clock_set") == 1
    assert api.get("admin", "/api/v1/audit/verify").get_json()["ok"] is True
