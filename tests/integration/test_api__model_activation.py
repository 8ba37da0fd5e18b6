"""Model change control: a designer's new version is a draft until another admin activates it."""

from __future__ import annotations

import sqlalchemy as sa
from flow import file_application, new_customer
from sample_models import upload
from support import csrf_token, ui_login

from bpmn.catalog import bundle_files
from engine.models import Group, ProcessInstance, User
from forms import shipped_forms
from web.extensions import db


def _upload(api, user, change="Tiered approval / 分级审批"):
    files = {**bundle_files("credit_application"), **shipped_forms()}
    files["tiered_approval.bpmn"] = files["tiered_approval.bpmn"].replace(
        "Tiered approval / 分级审批", change
    )
    return upload(api, files, user)


def _version_of_new_application(api, app):
    a = file_application(api, new_customer(api))
    with app.app_context():
        return db.session.get(ProcessInstance, a["process_instance_id"]).version


def test_a_designers_version_waits_for_another_admin(app, api):
    r = _upload(api, "designer1", "Tiered approval v2")
    assert r.status_code == 201 and r.get_json()["status"] == "draft"
    version = r.get_json()["version"]
    assert version == 2
    assert _version_of_new_application(api, app) == 1  # the draft starts nothing
    models = {m["key"]: m for m in api.get("sales1", "/api/v1/process-models").get_json()}
    assert models["credit_application"]["active_version"] == 1
    assert models["credit_application"]["drafts"] == [2]

    diff = api.get("admin", f"/api/v1/process-models/credit_application/versions/{version}/diff")
    body = diff.get_json()
    assert body["active_version"] == 1 and list(body["changed"]) == ["tiered_approval.bpmn"]
    assert (
        "+" in body["changed"]["tiered_approval.bpmn"]
        and "Tiered approval v2" in body["changed"]["tiered_approval.bpmn"]
    )

    url = f"/api/v1/process-models/credit_application/versions/{version}/activate"
    assert api.post("designer1", url).status_code == 403  # not an admin
    r = api.post("admin", url)
    assert r.status_code == 200 and r.get_json()["status"] == "active"
    assert api.post("admin", url).status_code == 409  # already active
    assert _version_of_new_application(api, app) == 2

    events = api.get("auditor1", "/api/v1/audit-events?action=model_activated").get_json()["items"]
    assert events[-1]["actor"] == "admin"
    assert events[-1]["data"]["uploaded_by"] == "designer1" and events[-1]["data"]["replaces"] == 1
    deployed = api.get("auditor1", "/api/v1/audit-events?action=model_deployed").get_json()["items"]
    assert deployed[-1]["data"]["status"] == "draft"


def test_the_uploader_cannot_activate_their_own_draft(app, api):
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
        admin.groups.append(db.session.get(Group, "process_designer"))
        db.session.commit()
    version = _upload(api, "admin", "Mine").get_json()["version"]
    r = api.post("admin", f"/api/v1/process-models/credit_application/versions/{version}/activate")
    assert r.status_code == 403 and "another admin" in r.get_json()["detail"]


def test_a_new_key_is_active_at_once(api):
    from test_api__approval_bypass import GRANT

    assert upload(api, {"grant.bpmn": GRANT}).get_json()["status"] == "active"


def test_the_activation_screen_shows_the_diff_and_activates(app, api):
    version = _upload(api, "designer1", "Tiered approval v2").get_json()["version"]
    designer = app.test_client()
    ui_login(designer, "designer1")
    listing = designer.get("/designer").get_data(as_text=True)
    assert f"/designer/credit_application/versions/{version}/activate" in listing
    page = designer.get(f"/designer/credit_application/versions/{version}/activate")
    text = page.get_data(as_text=True)
    assert "Tiered approval v2" in text and 'data-testid="activate"' not in text
    admin = app.test_client()
    ui_login(admin, "admin")
    text = admin.get(f"/designer/credit_application/versions/{version}/activate").get_data(
        as_text=True
    )
    assert 'data-testid="activate"' in text
    token = csrf_token(admin, f"/designer/credit_application/versions/{version}/activate")
    r = admin.post(
        f"/designer/credit_application/versions/{version}/activate", data={"csrf_token": token}
    )
    assert r.status_code == 302
    assert _version_of_new_application(api, app) == version


def test_the_modeler_shows_each_versions_status(app, api):
    version = _upload(api, "designer1", "Tiered approval v2").get_json()["version"]
    designer = app.test_client()
    ui_login(designer, "designer1")
    text = designer.get("/designer/credit_application").get_data(as_text=True)
    assert 'data-testid="version-status-1"' in text and f'version-status-{version}"' in text
    assert f"/designer/credit_application/versions/{version}/activate" in text
