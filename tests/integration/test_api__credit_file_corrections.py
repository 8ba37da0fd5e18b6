"""Correcting a credit file: profile, statements, credit reports and securities, audited."""

from __future__ import annotations

import sqlalchemy as sa
from flow import WORKED_STATEMENT, new_customer

from engine.models import AuditEvent
from web.extensions import db


def _actions(app, customer_id: int) -> list[tuple[str, dict]]:
    with app.app_context():
        rows = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.subject == f"customer:{customer_id}")
            .order_by(AuditEvent.seq)
        ).all()
        return [(r.action, r.data) for r in rows]


def test_profile_patch_changes_only_the_fields_sent_and_is_audited(app, api):
    cid = new_customer(api)
    r = api.client.patch(
        f"/api/v1/customers/{cid}",
        json={"address": "苏州工业园区", "founded_on": "2001-05-01"},
        headers={"Authorization": f"Bearer {api.token('analyst1')}"},
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert (body["address"], body["founded_on"], body["industry"]) == (
        "苏州工业园区",
        "2001-05-01",
        "machinery",
    )
    action, data = _actions(app, cid)[-1]
    assert action == "customer_updated"
    assert data["changes"]["address"] == ["上海", "苏州工业园区"]


def test_profile_patch_validates_like_creation(app, api):
    cid = new_customer(api)
    headers = {"Authorization": f"Bearer {api.token('analyst1')}"}
    r = api.client.patch(f"/api/v1/customers/{cid}", json={"uscc": "123"}, headers=headers)
    assert r.status_code == 422 and "uscc" in r.get_json()["errors"]
    r = api.client.patch(
        f"/api/v1/customers/{cid}", json={"founded_on": "2999-01-01"}, headers=headers
    )
    assert r.status_code == 422 and "founded_on" in r.get_json()["errors"]
    other = new_customer(api)
    taken = api.get("sales1", f"/api/v1/customers/{other}").get_json()["uscc"]
    r = api.client.patch(f"/api/v1/customers/{cid}", json={"uscc": taken}, headers=headers)
    assert r.status_code == 409
    headers = {"Authorization": f"Bearer {api.token('auditor1')}"}
    assert api.client.patch(f"/api/v1/customers/{cid}", json={}, headers=headers).status_code == 403


def test_statement_correction_recomputes_ratios(app, api):
    cid = new_customer(api)
    sid = api.get("sales1", f"/api/v1/customers/{cid}/statements").get_json()["items"][0]["id"]
    fixed = {**WORKED_STATEMENT, "total_liabilities": "15000000"}
    r = api.put("analyst1", f"/api/v1/customers/{cid}/statements/{sid}", json=fixed)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["ratios"]["debt_to_asset"] == 0.5
    action, data = _actions(app, cid)[-1]
    assert action == "statement_corrected"
    assert data["changes"] == {"total_liabilities": ["16000000.00", "15000000"]}
    bad = {**WORKED_STATEMENT, "revenue": "abc12x"}
    r = api.put("analyst1", f"/api/v1/customers/{cid}/statements/{sid}", json=bad)
    assert r.status_code == 422 and "revenue" in r.get_json()["errors"]
    r = api.put("analyst1", f"/api/v1/customers/{cid}/statements/999999", json=fixed)
    assert r.status_code == 404


def test_credit_report_and_security_corrections(app, api):
    cid = new_customer(api)
    report = api.get("sales1", f"/api/v1/customers/{cid}/credit-reports").get_json()["items"][0]
    body = {"bureau": "PBOC", "score": 80, "report_date": "2026-02-01"}
    r = api.put("analyst1", f"/api/v1/customers/{cid}/credit-reports/{report['id']}", json=body)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["score"] == 80
    body["score"] = 101
    r = api.put("analyst1", f"/api/v1/customers/{cid}/credit-reports/{report['id']}", json=body)
    assert r.status_code == 422
    security = api.get("sales1", f"/api/v1/customers/{cid}/securities").get_json()["items"][0]
    body = {"kind": security["kind"], "amount": "900000", "expires_on": "2031-06-30"}
    r = api.put("analyst1", f"/api/v1/customers/{cid}/securities/{security['id']}", json=body)
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["amount"], r.get_json()["expires_on"]) == ("900000.00", "2031-06-30")
    other = new_customer(api)
    r = api.put("analyst1", f"/api/v1/customers/{other}/securities/{security['id']}", json=body)
    assert r.status_code == 404
    actions = [a for a, _ in _actions(app, cid)]
    assert actions[-2:] == ["credit_report_corrected", "security_corrected"]
