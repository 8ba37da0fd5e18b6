"""Concurrency, audit chain, sandboxed models and the policy's worked example through the API."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import sqlalchemy as sa
from flow import application, approve, assess, file_application, find_task, money, new_customer
from ledger_setup import book, pay

from engine.models import AuditEvent
from web.extensions import db


def test_worked_example_scores_73_grade_b_with_the_policy_reason_order(api, app):
    cid = new_customer(api)
    with app.app_context():
        today = dt.date.today()
        for n, (due, paid) in enumerate([(60, 60), (40, 28)]):
            number = f"WX-{cid}-{n}"
            due_on = today - dt.timedelta(days=due)
            book(cid, number, "1000", due_on - dt.timedelta(days=30), due_on)
            pay(cid, number, "1000", today - dt.timedelta(days=paid))
        db.session.commit()
    a = file_application(api, cid, limit="1500000", terms=60, monthly="900000")
    assess(api, a["id"])
    got = application(api, a["id"])
    assert money(got["score"]) == 73
    assert got["grade"] == "B"
    assert got["reason_codes"] == [
        "EXTERNAL_SCORE_LOW",
        "DEBT_TO_ASSET_HIGH",
        "PAYMENT_HISTORY_LATE",
        "INDUSTRY_RISK_ELEVATED",
        "CURRENT_RATIO_LOW",
        "YEARS_IN_BUSINESS_SHORT",
        "NET_MARGIN_LOW",
        "QUALITATIVE_RATING_LOW",
    ]
    assert money(got["suggested_limit"]) == Decimal("2490000")
    task = find_task(api, "manager1", "approve_credit_manager", a["id"])
    assert task["candidate_groups"] == ["credit_manager"]


def test_two_users_completing_one_task_at_once_one_wins_the_other_gets_409(api, app):
    a = file_application(api, new_customer(api), limit="400000")
    assess(api, a["id"])
    task = find_task(api, "manager1", "approve_credit_manager", a["id"])
    for user in ("manager1", "manager2"):
        api.token(user)
    results = {}
    barrier = threading.Barrier(2)

    def complete(user):
        client = app.test_client()
        barrier.wait()
        r = client.post(
            f"/api/v1/tasks/{task['id']}/complete",
            json={"data": {"decision": "approve", "comment": user}},
            headers={"Authorization": f"Bearer {api.tokens[user]}"},
        )
        results[user] = r.status_code

    threads = [threading.Thread(target=complete, args=(u,)) for u in ("manager1", "manager2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == [200, 409], results
    got = application(api, a["id"])
    assert got["status"] == "approved"
    assert len(got["approvals"]) == 1
    inst = api.get("admin", f"/api/v1/process-instances/{a['process_instance_id']}").get_json()
    assert inst["status"] == "completed"


def test_audit_chain_verifies_and_points_at_the_first_altered_event(api, app):
    a = file_application(api, new_customer(api), limit="400000")
    assess(api, a["id"])
    approve(api, "manager1", "credit_manager", a["id"])
    events = api.get("auditor1", f"/api/v1/audit-events?instance_id={a['process_instance_id']}")
    assert events.status_code == 200
    actions = [e["action"] for e in events.get_json()["items"]]
    assert "instance_started" in actions and "task_completed" in actions
    by_customer = api.get(
        "auditor1", f"/api/v1/audit-events?customer_id={a['customer_id']}"
    ).get_json()
    assert {"customer_created", "limit_activated"} <= {e["action"] for e in by_customer["items"]}
    assert api.get("sales1", "/api/v1/audit/verify").status_code == 403
    ok = api.get("auditor1", "/api/v1/audit/verify").get_json()
    assert ok["ok"] is True and ok["first_bad_seq"] is None and ok["events"] > 10
    victim = events.get_json()["items"][2]["seq"]
    with app.app_context():
        db.session.execute(
            sa.update(AuditEvent).where(AuditEvent.seq == victim).values(actor="mallory")
        )
        db.session.commit()
    bad = api.get("auditor1", "/api/v1/audit/verify").get_json()
    assert (bad["ok"], bad["first_bad_seq"]) == (False, victim)
    assert bad["first_bad_chain"] == f"instance:{a['process_instance_id']}"


MALICIOUS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  id="d" targetNamespace="x">
  <bpmn:process id="evil" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="hack" name="Hack">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>x = ().__class__.__base__.__subclasses__()</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="hack"/>
    <bpmn:sequenceFlow id="f2" sourceRef="hack" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_model_that_breaks_the_sandbox_is_refused_at_deploy_naming_file_and_element(api):
    r = api.post(
        "designer1",
        "/api/v1/process-models",
        data={"files": [(__import__("io").BytesIO(MALICIOUS.encode()), "evil.bpmn")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422, r.get_json()
    [problem] = r.get_json()["errors"]["evil.bpmn"]
    assert "script of 'hack'" in problem and "__class__" in problem
    models = {m["key"] for m in api.get("sales1", "/api/v1/process-models").get_json()}
    assert "evil" not in models


def test_a_script_that_breaks_a_run_time_limit_leaves_its_instance_in_error(api):
    greedy = MALICIOUS.replace(
        "x = ().__class__.__base__.__subclasses__()", "x = 'ab' * 10 ** 9"
    ).replace('id="evil"', 'id="greedy"')
    r = api.post(
        "designer1",
        "/api/v1/process-models",
        data={"files": [(__import__("io").BytesIO(greedy.encode()), "greedy.bpmn")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.get_json()
    assert r.get_json() | {"status": "active", "created": True} == r.get_json()
    assert {k: r.get_json()[k] for k in ("key", "version", "warnings")} == {
        "key": "greedy",
        "version": 1,
        "warnings": [],
    }
    r = api.post("designer1", "/api/v1/process-instances", json={"process_key": "greedy"})
    assert r.status_code == 201
    instance = api.get("designer1", f"/api/v1/process-instances/{r.get_json()['id']}").get_json()
    assert instance["status"] == "error"
    assert instance["error"]["task"] == "hack"
    models = {m["key"]: m for m in api.get("sales1", "/api/v1/process-models").get_json()}
    assert models["credit_application"]["latest_version"] == 1
    assert (
        api.post("sales1", "/api/v1/process-instances", json={"process_key": "greedy"}).status_code
        == 403
    )


def test_doctype_uploads_are_refused(api):
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    r = api.post(
        "designer1",
        "/api/v1/process-models",
        data={"files": [(__import__("io").BytesIO(evil), "x.bpmn")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    assert "x.bpmn" in r.get_json()["errors"]


def test_openapi_document_lists_the_contract_without_auth(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/credit-applications",
        "/api/v1/tasks/{task_id}/complete",
        "/api/v1/audit/verify",
        "/api/v1/customers/{customer_id}/statements",
    ):
        assert path in doc["paths"], path


def test_missing_or_bad_token_is_401(client):
    assert client.get("/api/v1/tasks").status_code == 401
    r = client.get("/api/v1/tasks", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r.headers["Content-Type"].startswith("application/problem+json")


def _upload(api, files):
    return api.post(
        "designer1",
        "/api/v1/process-models",
        data={"files": [(__import__("io").BytesIO(body), name) for name, body in files]},
        content_type="multipart/form-data",
    )


def test_malformed_files_are_refused_with_422_naming_the_file(api):
    r = _upload(api, [("evil.bpmn", MALICIOUS.encode()), ("broken.dmn", b"<definitions")])
    assert r.status_code == 422 and "broken.dmn" in r.get_json()["errors"]
    bad_form = b'{"type": "default", "components": [{"type": "filepicker", "key": "f"}]}'
    r = _upload(api, [("evil.bpmn", MALICIOUS.encode()), ("x.form.json", bad_form)])
    assert r.status_code == 422 and "x.form.json" in r.get_json()["errors"]
    r = _upload(api, [("notes.txt", b"hello")])
    assert r.status_code == 422 and "notes.txt" in r.get_json()["errors"]


def test_a_script_past_its_time_bound_leaves_the_instance_in_error(api):
    looping = MALICIOUS.replace(
        "x = ().__class__.__base__.__subclasses__()", "n = 0\nwhile True:\n    n = n + 1"
    ).replace('id="evil"', 'id="looping"')
    assert _upload(api, [("looping.bpmn", looping.encode())]).status_code == 201
    r = api.post("designer1", "/api/v1/process-instances", json={"process_key": "looping"})
    assert r.status_code == 201
    instance = api.get("designer1", f"/api/v1/process-instances/{r.get_json()['id']}").get_json()
    assert instance["status"] == "error" and instance["error"]["task"] == "hack"


def test_uploads_over_five_megabytes_are_413(api):
    r = _upload(api, [("big.bpmn", b"x" * (5 * 1024 * 1024 + 1))])
    assert r.status_code == 413
    assert r.headers["Content-Type"].startswith("application/problem+json")


def test_test_clock_endpoints_are_404_without_the_flag(tmp_path):
    from support import Api, dispose_test_app, make_test_app

    app = make_test_app(f"sqlite:///{tmp_path / 'noclock.db'}")
    app.config["CREDITFLOW"].test_clock = False
    api = Api(app.test_client())
    assert (
        api.put(
            "admin", "/api/v1/admin/clock", json={"now": "2026-03-02T09:00:00+08:00"}
        ).status_code
        == 404
    )
    assert api.post("admin", "/api/v1/admin/tick").status_code == 404
    dispose_test_app(app)


def test_repeated_failed_sign_ins_are_slowed_down_with_429(client):
    for _ in range(10):
        r = client.post("/api/v1/auth/token", json={"username": "mallory", "password": "guess"})
        assert r.status_code == 401
    r = client.post("/api/v1/auth/token", json={"username": "mallory", "password": "guess"})
    assert r.status_code == 429
    assert r.headers["Content-Type"].startswith("application/problem+json")
    ok = client.post("/api/v1/auth/token", json={"username": "gm1", "password": "demo"})
    assert ok.status_code == 200  # other user names are not affected
