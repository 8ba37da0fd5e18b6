"""The collection services guard themselves: own process key, preconditions from the database."""

from __future__ import annotations

import io

import sqlalchemy as sa
from collection_flow import START, collection, complete, late_invoice, task_names, tick

from web.extensions import db

ROGUE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="rogue_definitions" targetNamespace="urn:creditflow:test">
  <bpmn:process id="rogue_hold" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>to_hold</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="to_hold" sourceRef="start" targetRef="hold"/>
    <bpmn:serviceTask id="hold" name="Hold someone">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="collection.place_hold" resultVariable="ok">
          <spiffworkflow:parameters/>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
      <bpmn:incoming>to_hold</bpmn:incoming><bpmn:outgoing>to_end</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="to_end" sourceRef="hold" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>to_end</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def test_collection_services_run_only_in_collection_escalation(app, api):
    cid, _ = late_invoice(app, api, 40)
    r = api.client.post(
        "/api/v1/process-models",
        data={"files": (io.BytesIO(ROGUE.encode()), "rogue.bpmn")},
        headers={"Authorization": f"Bearer {api.token('admin')}"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.get_json()
    r = api.post(
        "admin",
        "/api/v1/process-instances",
        json={"process_key": "rogue_hold", "business_key": str(cid)},
    )
    assert r.status_code == 403, r.get_json()
    assert "runs only in the processes ['collection_escalation']" in r.get_json()["detail"]
    assert collection(api, cid)["on_hold"] is False


def test_a_model_without_the_approvals_cannot_write_off(app, api):
    """A version of collection_escalation that skips the write-off approvals writes nothing off."""
    from bpmn.catalog import bundle_files
    from forms import shipped_forms

    with app.app_context():
        rt = app.extensions["creditflow.runtime"]
        files = {**bundle_files("collection_escalation"), **shipped_forms()}
        files["collection_escalation.bpmn"] = files["collection_escalation.bpmn"].replace(
            'sourceRef="route_legal" targetRef="approve_write_off_finance_director"',
            'sourceRef="route_legal" targetRef="write_off"',
        )
        row, created = rt.registry.deploy(db.session, files, "designer1", rt.clock.now())
        db.session.commit()
        assert created and row.version == 2
    cid, number = late_invoice(app, api, 61)
    tick(api, START)
    assert task_names(collection(api, cid)) == ["legal_review"]
    r = complete(api, "legal1", cid, "legal_review", {"decision": "write_off", "comment": "x"})
    assert r.status_code == 409, r.get_json()  # the write-off is owed only after both approvals
    assert "not ready for a write-off" in r.get_json()["detail"]
    view = collection(api, cid)
    assert (view["stage"], task_names(view)) == ("legal", ["legal_review"])
    with app.app_context():
        from credit.models import Adjustment, Invoice

        assert db.session.scalar(sa.select(sa.func.count()).select_from(Adjustment)) == 0
        assert (
            db.session.scalar(sa.select(Invoice.status).where(Invoice.number == number)) == "open"
        )


def test_write_off_approvers_are_two_different_people_in_their_groups(app, api):
    cid, _ = late_invoice(app, api, 61)
    tick(api, START)
    complete(api, "legal1", cid, "legal_review", {"decision": "write_off", "comment": "gone"})
    r = complete(
        api, "manager2", cid, "approve_write_off_finance_director", {"decision": "approve"}
    )
    assert r.status_code == 200, r.get_json()
    view = collection(api, cid)
    assert task_names(view) == ["approve_write_off_general_manager"]
    r = api.get("manager2", f"/api/v1/tasks/{view['open_tasks'][0]['id']}")
    assert r.status_code == 403  # not a general manager


def test_a_rejected_write_off_goes_back_to_legal_review(app, api):
    cid, _ = late_invoice(app, api, 61)
    tick(api, START)
    complete(api, "legal1", cid, "legal_review", {"decision": "write_off", "comment": "gone"})
    r = complete(
        api, "director1", cid, "approve_write_off_finance_director", {"decision": "reject"}
    )
    assert r.status_code == 422, r.get_json()
    assert list(r.get_json()["errors"]) == ["comment"]
    r = complete(
        api,
        "director1",
        cid,
        "approve_write_off_finance_director",
        {"decision": "reject", "comment": "sue first"},
    )
    assert r.status_code == 200, r.get_json()
    view = collection(api, cid)
    assert (view["stage"], task_names(view)) == ("legal", ["legal_review"])
    assert [h["stage"] for h in view["history"]][-3:] == ["legal", "write_off", "legal"]


def test_after_suing_the_legal_review_comes_back_after_the_follow_up_period(app, api):
    import datetime as dt

    cid, _ = late_invoice(app, api, 61)
    tick(api, START)
    r = complete(api, "legal1", cid, "legal_review", {"decision": "sue", "comment": "court"})
    assert r.status_code == 200
    assert task_names(collection(api, cid)) == []
    tick(api, START + dt.timedelta(days=29))
    assert task_names(collection(api, cid)) == []
    tick(api, START + dt.timedelta(days=30))
    view = collection(api, cid)
    assert (view["stage"], task_names(view)) == ("legal", ["legal_review"])
