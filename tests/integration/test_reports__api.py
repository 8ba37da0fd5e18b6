"""The credit assessment report (信用评估报告) as PDF, zh or en, for applications and reviews."""

from __future__ import annotations

import io

import pytest
from flow import approve, assess, file_application, new_customer, work
from pypdf import PdfReader


def text(response) -> str:
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/pdf"
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)


@pytest.fixture
def decided(api):
    api.put("admin", "/api/v1/admin/clock", json={"now": "2026-03-02T09:00:00+08:00"})
    cid = new_customer(api)
    app_id = file_application(api, cid, limit="400000")["id"]
    assess(api, app_id)
    approve(api, "manager1", "credit_manager", app_id, comment="solid")
    return cid, app_id


def test_the_report_of_an_approved_application_in_both_languages(api, decided):
    cid, app_id = decided
    zh = text(api.get("sales1", f"/api/v1/credit-applications/{app_id}/report?lang=zh"))
    assert "信用评估报告" in zh and "测试客户" in zh and "评分卡" in zh
    assert "400,000.00" in zh and "manager1" in zh and "solid" in zh
    en = text(api.get("manager1", f"/api/v1/credit-applications/{app_id}/report?lang=en"))
    assert "Credit assessment report" in en and "Scorecard" in en and "Approvals" in en
    assert "EXTERNAL_SCORE_LOW" in en


def test_an_undecided_application_has_no_report_yet(api):
    api.put("admin", "/api/v1/admin/clock", json={"now": "2026-03-02T09:00:00+08:00"})
    cid = new_customer(api)
    app_id = file_application(api, cid)["id"]
    r = api.get("sales1", f"/api/v1/credit-applications/{app_id}/report")
    assert r.status_code == 409
    assert api.get("sales1", "/api/v1/credit-applications/999999/report").status_code == 404
    assert (
        api.get("sales1", f"/api/v1/credit-applications/{app_id}/report?lang=fr").status_code == 422
    )


def test_the_report_of_a_completed_review(api, decided):
    cid, _ = decided
    r = api.post("manager1", f"/api/v1/customers/{cid}/reviews", json={"reason": "annual"})
    pid = r.get_json()["process_instance_id"]
    assert api.get("sales1", f"/api/v1/customers/{cid}/reviews/{pid}/report").status_code == 409
    work(
        api,
        "analyst2",
        "review_customer",
        cid,
        {"recommendation": "decrease", "proposed_limit": "300000", "qualitative_rating": 3},
    )
    approve(api, "manager1", "credit_manager", cid)
    en = text(api.get("sales1", f"/api/v1/customers/{cid}/reviews/{pid}/report?lang=en"))
    assert "Periodic review" in en and "decrease" in en and "300,000.00" in en
    assert "Compared with the previous assessment" in en
    zh = text(api.get("sales1", f"/api/v1/customers/{cid}/reviews/{pid}/report?lang=zh"))
    assert "定期复审" in zh and "与上次评估的比较" in zh
    assert api.get("sales1", f"/api/v1/customers/{cid}/reviews/1/report").status_code == 404
