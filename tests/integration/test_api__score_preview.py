"""The analyst's score preview: the same numbers the assessment will store, nothing written."""

from __future__ import annotations

import sqlalchemy as sa
from flow import application, assess, file_application, find_task, new_customer

from credit.uscc import make_uscc
from engine.models import AuditEvent
from web.extensions import db


def _audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def set_clock(api, moment: str) -> None:
    r = api.put("admin", "/api/v1/admin/clock", json={"now": moment})
    assert r.status_code == 200, r.get_json()


def test_preview_gives_the_worked_example_and_stores_nothing(app, api):
    set_clock(api, "2026-03-02T09:00:00+08:00")
    filed = file_application(api, new_customer(api), limit="1500000")
    before = _audit_count(app)
    r = api.post(
        "analyst1",
        f"/api/v1/credit-applications/{filed['id']}/score-preview",
        json={"years_in_business": 8, "qualitative_rating": 3},
    )
    assert r.status_code == 200, r.get_json()
    preview = r.get_json()
    assert preview["grade"] == "B"
    assert preview["suggested_limit"] == "2490000.00"
    assert preview["suggested_terms_days"] == 30  # requested 30 is shorter than B's 45
    assert preview["terms_rule"]["rule"] == "requested_shorter"
    assert {f["factor"]: f["points"] for f in preview["factors"]}["current_ratio"] == "12"
    assert preview["warnings"] == []
    assert _audit_count(app) == before
    assert application(api, filed["id"])["status"] == "in_assessment"
    assert application(api, filed["id"])["score"] is None
    set_clock(api, "2026-09-01T09:00:00+08:00")  # the 2026-01-15 credit report is now stale
    r = api.post("analyst1", f"/api/v1/credit-applications/{filed['id']}/score-preview", json={})
    assert [(w["code"], w["age"]) for w in r.get_json()["warnings"]] == [
        ("stale_credit_report", 229)
    ]

    assess(api, filed["id"], rating=3)
    stored = application(api, filed["id"])
    assert (stored["grade"], stored["suggested_limit"]) == ("B", "2490000.00")
    assert stored["score"] == preview["score"]


def test_preview_warns_of_missing_statement_and_report(app, api):
    r = api.post(
        "sales1",
        "/api/v1/customers",
        json={"name": "空白客户", "uscc": make_uscc("91310000MA1FL8XQ")},
    )
    assert r.status_code == 201, r.get_json()
    filed = file_application(api, r.get_json()["id"])
    r = api.post("analyst1", f"/api/v1/credit-applications/{filed['id']}/score-preview", json={})
    assert r.status_code == 200, r.get_json()
    codes = [w["code"] for w in r.get_json()["warnings"]]
    assert codes == ["no_statement", "no_credit_report", "no_founding_date"]


def test_preview_reports_an_override_without_reason_as_a_field_error(app, api):
    filed = file_application(api, new_customer(api))
    r = api.post(
        "analyst1",
        f"/api/v1/credit-applications/{filed['id']}/score-preview",
        json={"qualitative_rating": 3, "override_limit": "100000"},
    )
    assert r.status_code == 200
    assert "override_reason" in r.get_json()["errors"]


def test_preview_rejects_bad_numbers_and_foreign_roles(app, api):
    filed = file_application(api, new_customer(api))
    url = f"/api/v1/credit-applications/{filed['id']}/score-preview"
    r = api.post("analyst1", url, json={"qualitative_rating": "abc12x"})
    assert r.status_code == 422
    assert "qualitative_rating" in r.get_json()["errors"]
    assert api.post("sales1", url, json={}).status_code == 403
    assert (
        api.post(
            "analyst1", "/api/v1/credit-applications/999999/score-preview", json={}
        ).status_code
        == 404
    )
    find_task(api, "analyst1", "assess_customer", filed["id"])  # still open
