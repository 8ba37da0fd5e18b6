"""Domain services trust the database: no model, forged data or repeat approver grants credit."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from flow import application, approve, assess, file_application, find_task, new_customer
from sample_models import upload

from engine.errors import Conflict, Forbidden
from engine.models import Group, ProcessInstance, User
from web.extensions import db

GRANT = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">
  <bpmn:process id="grant" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="activate" name="Activate">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="credit.activate_limit" resultVariable="ok">
          <spiffworkflow:parameters/>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="activate"/>
    <bpmn:sequenceFlow id="f2" sourceRef="activate" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""
FORGED = {"approved_limit_cap": "88888888", "review_months": 12, "approval_outcome": "approved"}


def test_a_designer_model_calling_activate_limit_grants_nothing(api):
    customer = new_customer(api)
    a = file_application(api, customer)
    assert upload(api, {"grant.bpmn": GRANT}).status_code == 201
    r = api.post(
        "designer1",
        "/api/v1/process-instances",
        json={
            "process_key": "grant",
            "business_key": str(a["id"]),
            "data": {"application_id": a["id"], **FORGED},
        },
    )
    assert r.status_code in (201, 403), r.get_json()
    if r.status_code == 201:
        assert r.get_json()["status"] == "error"
    file = api.get("sales1", f"/api/v1/customers/{customer}").get_json()
    assert file["credit_limit"] is None
    assert application(api, a["id"])["status"] == "in_assessment"


def test_the_shipped_process_cannot_be_started_with_forged_data(api):
    customer = new_customer(api)
    a = file_application(api, customer)
    for user in ("designer1", "admin"):
        r = api.post(
            user,
            "/api/v1/process-instances",
            json={
                "process_key": "credit_application",
                "business_key": str(a["id"]),
                "data": {"application_id": a["id"], "requested_limit_cny": "1", **FORGED},
            },
        )
        assert r.status_code == 403, r.get_json()
        assert "credit-applications" in r.get_json()["detail"]
    assert api.get("sales1", f"/api/v1/customers/{customer}").get_json()["credit_limit"] is None


def _ctx(app, application_id, actor):
    from engine.steps import step_context

    rt = app.extensions["creditflow.runtime"]
    row = db.session.get(
        ProcessInstance, application(_API[0], application_id)["process_instance_id"]
    )
    bundle = rt.registry.get(db.session, row.process_key, row.version)
    return step_context(rt, db.session, row, bundle, actor, rt.clock.now())


_API: list = []


@pytest.fixture
def services(app, api):
    from credit import tasks

    _API[:] = [api]
    rates = app.config["CREDITFLOW"].fx_rates
    return tasks, rates


def test_activate_limit_checks_every_required_tier_in_the_database(app, api, services):
    tasks, rates = services
    a = file_application(api, new_customer(api), limit="1500000")  # credit manager + director
    assess(api, a["id"])
    data = {"application_id": a["id"], **FORGED}
    with app.app_context():
        with pytest.raises(Forbidden, match="lacks the approval"):
            tasks.activate_limit(_ctx(app, a["id"], "manager1"), data, rates)
        db.session.rollback()
    approve(api, "manager1", "credit_manager", a["id"])
    with app.app_context():
        with pytest.raises(Forbidden, match="finance_director"):
            tasks.activate_limit(_ctx(app, a["id"], "manager1"), data, rates)
        db.session.rollback()
        # A forged tier, an excluded analyst, a second tier by the same person: all refused.
        for actor, tier, match in [
            ("gm1", "general_manager", "not the next tier"),
            ("analyst1", "finance_director", "four-eyes"),
            ("manager1", "finance_director", "four-eyes"),
        ]:
            forged = {**data, "current_tier": tier, "decision": "approve", "comment": "x"}
            with pytest.raises(Forbidden, match=match):
                tasks.record_approval(_ctx(app, a["id"], actor), forged, rates)
            db.session.rollback()
    approve(api, "director1", "finance_director", a["id"])
    got = application(api, a["id"])
    assert got["status"] == "approved" and Decimal(got["approved_limit"]) == Decimal("1500000")
    with app.app_context():
        with pytest.raises(Conflict):  # decided: activating again is refused
            tasks.activate_limit(_ctx(app, a["id"], "director1"), data, rates)
        db.session.rollback()


def test_services_refuse_another_instances_application(app, api, services):
    tasks, rates = services
    first = file_application(api, new_customer(api))
    second = file_application(api, new_customer(api))
    with app.app_context():
        with pytest.raises(Forbidden, match="is not the application of instance"):
            tasks.set_status(
                _ctx(app, first["id"], "manager1"), {"application_id": second["id"]}, "returned"
            )
        db.session.rollback()


def test_an_applicant_who_is_also_an_analyst_cannot_assess_their_own_application(app, api):
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "sales1"))
        user.groups.append(db.session.get(Group, "credit_analyst"))
        db.session.commit()
    a = file_application(api, new_customer(api), user="sales1")
    with pytest.raises(AssertionError, match="sees no task"):
        find_task(api, "sales1", "assess_customer", a["id"])
    listed = api.get("sales1", "/api/v1/tasks?scope=candidate").get_json()
    assert all(t["business_key"] != str(a["id"]) for t in listed["items"])
    task = find_task(api, "analyst1", "assess_customer", a["id"])
    r = api.post(
        "sales1",
        f"/api/v1/tasks/{task['id']}/complete",
        json={"data": {"years_in_business": 8, "qualitative_rating": 5}},
    )
    assert r.status_code == 403 and "four-eyes" in r.get_json()["detail"]
    assess(api, a["id"], user="analyst1")
    assert application(api, a["id"])["analyst"] == "analyst1"


def test_suggest_terms_refuses_the_applicant_as_analyst(app, api, services):
    tasks, _ = services
    a = file_application(api, new_customer(api), user="sales1")
    with app.app_context():
        with pytest.raises(Forbidden, match="may not assess"):
            tasks.suggest_terms(_ctx(app, a["id"], "sales1"), {"application_id": a["id"]})
        db.session.rollback()
