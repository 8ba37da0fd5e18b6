"""Administration of users and groups through the API: create, change, deactivate, reset
password, membership, supervising group; every change audited, the password never stored."""

from __future__ import annotations

import sqlalchemy as sa

from engine.models import AuditEvent
from web.extensions import db


def _patch(api, user, url, body):
    return api.client.patch(url, json=body, headers={"Authorization": f"Bearer {api.token(user)}"})


def _audit(app, action: str) -> list[dict]:
    with app.app_context():
        rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action))
        return [r.data for r in rows]


def test_admin_creates_a_user_who_can_sign_in_and_work_in_their_group(app, api):
    body = {
        "username": "analyst9",
        "password": "s3cret-pass",
        "display_name": "Wang Fang",
        "email": "analyst9@example.com",
        "language": "en",
        "groups": ["credit_analyst"],
    }
    r = api.post("admin", "/api/v1/admin/users", json=body)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["groups"] == ["credit_analyst"]
    assert "password_hash" not in r.get_json()
    token = api.client.post(
        "/api/v1/auth/token", json={"username": "analyst9", "password": "s3cret-pass"}
    )
    assert token.status_code == 200
    created = _audit(app, "user_created")[-1]
    assert created == {"username": "analyst9", "groups": ["credit_analyst"]}
    assert "s3cret-pass" not in str(created)
    assert api.post("admin", "/api/v1/admin/users", json=body).status_code == 409
    assert api.post("sales1", "/api/v1/admin/users", json=body).status_code == 403


def test_deactivated_user_cannot_sign_in_and_password_reset_works(app, api):
    api.post(
        "admin",
        "/api/v1/admin/users",
        json={"username": "sales9", "password": "first-pass", "groups": ["sales"]},
    )
    r = _patch(api, "admin", "/api/v1/admin/users/sales9", {"active": False})
    assert r.status_code == 200 and r.get_json()["active"] is False
    refused = api.client.post(
        "/api/v1/auth/token", json={"username": "sales9", "password": "first-pass"}
    )
    assert refused.status_code == 401
    _patch(api, "admin", "/api/v1/admin/users/sales9", {"active": True})
    r = api.post("admin", "/api/v1/admin/users/sales9/password", json={"password": "short"})
    assert r.status_code == 422
    r = api.post("admin", "/api/v1/admin/users/sales9/password", json={"password": "second-pass"})
    assert r.status_code == 200
    ok = api.client.post(
        "/api/v1/auth/token", json={"username": "sales9", "password": "second-pass"}
    )
    assert ok.status_code == 200
    assert _audit(app, "user_password_reset")[-1] == {"username": "sales9"}
    changes = _audit(app, "user_updated")[0]["changes"]
    assert changes == {"active": [True, False]}


def test_membership_and_supervising_group(app, api):
    r = _patch(api, "admin", "/api/v1/admin/users/analyst2", {"groups": ["credit_analyst", "x"]})
    assert r.status_code == 422 and "groups" in r.get_json()["errors"]
    r = _patch(
        api, "admin", "/api/v1/admin/users/analyst2", {"groups": ["credit_analyst", "collector"]}
    )
    assert r.get_json()["groups"] == ["collector", "credit_analyst"]
    r = api.put(
        "admin",
        "/api/v1/admin/groups/risk_committee",
        json={
            "title_en": "Risk committee",
            "title_zh": "风险委员会",
            "supervisor": "general_manager",
        },
    )
    assert r.status_code == 200, r.get_json()
    r = api.put(
        "admin", "/api/v1/admin/groups/credit_analyst", json={"supervisor": "risk_committee"}
    )
    assert r.get_json()["supervisor"] == "risk_committee"
    r = api.put("admin", "/api/v1/admin/groups/credit_analyst", json={"supervisor": "nobody"})
    assert r.status_code == 422
    groups = {g["name"]: g for g in api.get("admin", "/api/v1/admin/groups").get_json()["items"]}
    assert groups["credit_analyst"]["supervisor"] == "risk_committee"
    assert "analyst2" in groups["collector"]["members"]
    assert [a["group"] for a in _audit(app, "group_created")] == ["risk_committee"]


def test_admin_cannot_lock_themselves_out(app, api):
    r = _patch(api, "admin", "/api/v1/admin/users/admin", {"active": False})
    assert r.status_code == 422
    r = _patch(api, "admin", "/api/v1/admin/users/admin", {"groups": ["auditor"]})
    assert r.status_code == 422


def test_calendar_day_can_be_removed(app, api):
    r = api.put(
        "admin",
        "/api/v1/admin/calendar",
        json={"days": [{"day": "2026-06-01", "kind": "holiday", "name": "Test"}]},
    )
    assert r.status_code == 200
    r = api.client.delete(
        "/api/v1/admin/calendar/2026-06-01",
        headers={"Authorization": f"Bearer {api.token('admin')}"},
    )
    assert r.status_code == 204
    days = api.get("admin", "/api/v1/admin/calendar?year=2026").get_json()["days"]
    assert "2026-06-01" not in [d["day"] for d in days]
    again = api.client.delete(
        "/api/v1/admin/calendar/2026-06-01",
        headers={"Authorization": f"Bearer {api.token('admin')}"},
    )
    assert again.status_code == 404
    assert _audit(app, "calendar_day_removed")[-1]["day"] == "2026-06-01"
