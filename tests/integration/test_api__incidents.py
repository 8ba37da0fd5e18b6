"""Incidents an operator can work through the API: list, correct data, retry, cancel, migrate."""

from __future__ import annotations

import datetime as dt

import pytest
from sample_models import (
    DIVIDE,
    END,
    NOTE_FORM,
    START,
    T0,
    catch_message,
    complete,
    deploy,
    instance,
    open_task,
    process,
    script,
    set_clock,
    start,
    tick,
    timer,
    user_task,
)

DIVIDE_FILES = {"divide.bpmn": DIVIDE, "check.form.json": NOTE_FORM}


def _failed(api) -> dict:
    deploy(api, DIVIDE_FILES)
    got = start(api, "divide", business_key="D-1", data={"total": 10, "count": 0})
    assert got["status"] == "error"
    return instance(api, got["id"])


def _history(api, instance_id: int) -> list[str]:
    return [h["event"] for h in instance(api, instance_id)["history"]]


def test_incidents_list_the_failing_element_error_time_and_attempts(api):
    failed = _failed(api)
    r = api.get("designer1", "/api/v1/incidents")
    assert r.status_code == 200
    [item] = [i for i in r.get_json()["items"] if i["process_instance_id"] == failed["id"]]
    assert item["process_key"] == "divide" and item["version"] == 1
    assert item["element"] == "ratio"
    assert "division by zero" in item["title"]
    assert "ratio" in item["detail"] and item["at"] and item["attempts"] == 1


@pytest.mark.parametrize("user", ["sales1", "analyst1", "auditor1"])
def test_only_designers_and_admins_work_incidents(api, user):
    failed = _failed(api)
    base = f"/api/v1/process-instances/{failed['id']}"
    assert api.get(user, "/api/v1/incidents").status_code == 403
    assert api.post(user, f"{base}/retry").status_code == 403
    assert api.post(user, f"{base}/cancel", json={"reason": "x"}).status_code == 403
    assert api.patch(user, f"{base}/data", json={"set": {"count": 1}}).status_code == 403
    assert api.post(user, f"{base}/migrate", json={"version": 1}).status_code == 403


def test_correct_the_data_then_retry_runs_the_failed_element_again(api):
    failed = _failed(api)
    base = f"/api/v1/process-instances/{failed['id']}"
    r = api.patch("designer1", f"{base}/data", json={"set": {"count": 2}})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "error"
    r = api.post("admin", f"{base}/retry")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "waiting" and r.get_json()["error"] is None
    task = open_task(api, failed["id"])
    assert task["name"] == "check"
    data = api.get("analyst1", f"/api/v1/tasks/{task['id']}").get_json()["data"]
    assert data["ratio"] == 5
    events = _history(api, failed["id"])
    assert events[events.index("instance_data_changed") :] == [
        "instance_data_changed",
        "instance_retried",
        "task_created",
    ]
    assert api.get("admin", "/api/v1/incidents").get_json()["items"] == []


def test_a_retry_that_fails_again_counts_the_attempt(api):
    failed = _failed(api)
    r = api.post("designer1", f"/api/v1/process-instances/{failed['id']}/retry")
    assert r.status_code == 200
    assert r.get_json()["status"] == "error" and r.get_json()["error"]["attempts"] == 2
    [item] = api.get("admin", "/api/v1/incidents").get_json()["items"]
    assert item["attempts"] == 2
    assert _history(api, failed["id"])[-2:] == ["instance_retried", "instance_error"]


def test_operator_commands_check_the_revision_and_the_status(api):
    failed = _failed(api)
    base = f"/api/v1/process-instances/{failed['id']}"
    stale = failed["revision"] - 1
    assert api.post("admin", f"{base}/retry", json={"revision": stale}).status_code == 409
    r = api.patch("admin", f"{base}/data", json={"set": {"count": 1}, "revision": stale})
    assert r.status_code == 409
    r = api.post("admin", f"{base}/cancel", json={"reason": "dup", "revision": stale})
    assert r.status_code == 409
    fixed = api.patch(
        "admin", f"{base}/data", json={"set": {"count": 1}, "revision": failed["revision"]}
    )
    assert fixed.status_code == 200
    assert (
        api.post("admin", f"{base}/retry", json={"revision": fixed.json["revision"]}).status_code
        == 200
    )
    assert api.post("admin", f"{base}/retry").status_code == 409  # no longer in error
    r = api.patch("admin", f"{base}/data", json={"set": {"count": 1}})
    assert r.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"set": {}}, "set"),
        ({"set": {"not a name": 1}}, "set.not a name"),
        ({"set": {"__class__": 1}}, "set.__class__"),
        ({"set": {"spiff__x": 1}}, "set.spiff__x"),
        ({"set": [1]}, "set"),
        ({}, "set"),
    ],
)
def test_data_corrections_name_the_bad_field(api, body, field):
    failed = _failed(api)
    r = api.patch("admin", f"/api/v1/process-instances/{failed['id']}/data", json=body)
    assert r.status_code == 422
    assert field in r.get_json()["errors"]


def test_cancel_needs_a_reason_and_is_audited_with_it(api):
    failed = _failed(api)
    base = f"/api/v1/process-instances/{failed['id']}"
    r = api.post("admin", f"{base}/cancel", json={})
    assert r.status_code == 422 and "reason" in r.get_json()["errors"]
    r = api.post("admin", f"{base}/cancel", json={"reason": "filed twice"})
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    assert _history(api, failed["id"])[-1] == "instance_cancelled"
    assert api.post("admin", f"{base}/cancel", json={"reason": "again"}).status_code == 409
    assert api.get("admin", "/api/v1/incidents").get_json()["items"] == []


def test_a_retry_replays_the_users_completion_as_that_user(api):
    model = process(
        "divide_after",
        [START, user_task("enter", "Enter"), script("ratio", "ratio = 10 / count"), END],
    )
    deploy(api, {"divide_after.bpmn": model, "enter.form.json": NOTE_FORM})
    instance_id = start(api, "divide_after", data={"count": 0})["id"]
    task = open_task(api, instance_id)
    assert complete(api, task["id"], {"note": "mine"}).status_code == 422
    base = f"/api/v1/process-instances/{instance_id}"
    assert api.patch("admin", f"{base}/data", json={"set": {"count": 5}}).status_code == 200
    assert api.post("admin", f"{base}/retry").json["status"] == "completed"
    history = instance(api, instance_id)["history"]
    done = [h for h in history if h["event"] == "task_completed"]
    assert [(h["element"], h["user"]) for h in done] == [("enter", "analyst1")]


def test_a_message_whose_step_fails_is_kept_by_the_incident_and_delivered_on_retry(api):
    model = process(
        "paid_ratio",
        [
            START,
            catch_message("paid", "payment_received", variable="payment"),
            script("share", "share = payment['amount'] / parts"),
            user_task("check", "Check"),
            END,
        ],
        messages=("payment_received",),
    )
    deploy(api, {"paid_ratio.bpmn": model, "check.form.json": NOTE_FORM})
    instance_id = start(api, "paid_ratio", business_key="INV-5", data={"parts": 0})["id"]
    r = api.post(
        "erp1",
        "/api/v1/messages",
        json={"name": "payment_received", "correlation_key": "INV-5", "payload": {"amount": 90}},
    )
    assert r.status_code == 202 and r.get_json()["delivered_to"] == [instance_id]
    got = instance(api, instance_id)
    assert got["status"] == "error" and got["error"]["task"] == "share"
    base = f"/api/v1/process-instances/{instance_id}"
    assert api.patch("admin", f"{base}/data", json={"set": {"parts": 3}}).status_code == 200
    assert api.post("admin", f"{base}/retry").json["status"] == "waiting"
    task = open_task(api, instance_id)
    assert api.get("analyst1", f"/api/v1/tasks/{task['id']}").json["data"]["share"] == 30


def _deploy_version(api, model: str, version: int) -> None:
    files = {"fixme.bpmn": model, "review.form.json": NOTE_FORM}
    assert deploy(api, files)["version"] == version


def test_a_fixed_model_version_takes_over_a_failed_instance(api):
    broken = process(
        "fixme", [START, user_task("review", "Review"), script("calc", "x = 1 / 0"), END]
    )
    fixed = process("fixme", [START, user_task("review", "Review"), script("calc", "x = 1"), END])
    _deploy_version(api, broken, 1)
    instance_id = start(api, "fixme")["id"]
    assert complete(api, open_task(api, instance_id)["id"], {"note": "ok"}).status_code == 422
    _deploy_version(api, fixed, 2)
    base = f"/api/v1/process-instances/{instance_id}"
    r = api.post("designer1", f"{base}/migrate", json={"version": 2})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["version"], r.get_json()["status"]) == (2, "error")
    assert api.post("designer1", f"{base}/retry").json["status"] == "completed"
    assert _history(api, instance_id).count("instance_migrated") == 1


def test_migration_is_refused_naming_the_waiting_element_the_new_version_lacks(api):
    waits = process("fixme", [START, user_task("review", "Review"), END])
    without = process("fixme", [START, script("auto", "x = 1"), END])
    _deploy_version(api, waits, 1)
    instance_id = start(api, "fixme")["id"]
    _deploy_version(api, without, 2)
    r = api.post("admin", f"/api/v1/process-instances/{instance_id}/migrate", json={"version": 2})
    assert r.status_code == 422
    assert "'review'" in r.get_json()["detail"]
    assert any("review" in p for p in r.get_json()["errors"]["version"])
    assert instance(api, instance_id)["version"] == 1
    r = api.post("admin", f"/api/v1/process-instances/{instance_id}/migrate", json={"version": 9})
    assert r.status_code == 422 and "version" in r.get_json()["errors"]


def test_migration_keeps_the_due_moment_of_a_waiting_timer(api):
    v1 = process("fixme", [START, timer("wait", "Wait", "PT24H"), END])
    v2 = process("fixme", [START, timer("wait", "Wait", "PT24H"), script("after", "x = 1"), END])
    set_clock(api, T0)
    _deploy_version(api, v1, 1)
    instance_id = start(api, "fixme")["id"]
    due = instance(api, instance_id)["next_timer_at"]
    _deploy_version(api, v2, 2)
    set_clock(api, T0 + dt.timedelta(hours=3))
    r = api.post("admin", f"/api/v1/process-instances/{instance_id}/migrate", json={"version": 2})
    assert r.status_code == 200, r.get_json()
    assert instance(api, instance_id)["next_timer_at"] == due


PAID_AND_LATE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="x">
  <bpmn:message id="payment_received" name="payment_received"/>
  <bpmn:process id="paid_and_late" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f0</bpmn:incoming>
      <bpmn:outgoing>a1</bpmn:outgoing><bpmn:outgoing>b1</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:intermediateCatchEvent id="paid"><bpmn:incoming>a1</bpmn:incoming>
      <bpmn:outgoing>a2</bpmn:outgoing>
      <bpmn:messageEventDefinition id="m" messageRef="payment_received"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="late" name="An hour later"><bpmn:incoming>b1</bpmn:incoming>
      <bpmn:outgoing>b2</bpmn:outgoing><bpmn:timerEventDefinition id="t">
      <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">"PT1H"</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:scriptTask id="remind" name="Remind"><bpmn:incoming>b2</bpmn:incoming>
      <bpmn:outgoing>b3</bpmn:outgoing><bpmn:script>x = 1 / count</bpmn:script></bpmn:scriptTask>
    <bpmn:parallelGateway id="join"><bpmn:incoming>a2</bpmn:incoming>
      <bpmn:incoming>b3</bpmn:incoming><bpmn:outgoing>f9</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:endEvent id="e"><bpmn:incoming>f9</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="split"/>
    <bpmn:sequenceFlow id="a1" sourceRef="split" targetRef="paid"/>
    <bpmn:sequenceFlow id="a2" sourceRef="paid" targetRef="join"/>
    <bpmn:sequenceFlow id="b1" sourceRef="split" targetRef="late"/>
    <bpmn:sequenceFlow id="b2" sourceRef="late" targetRef="remind"/>
    <bpmn:sequenceFlow id="b3" sourceRef="remind" targetRef="join"/>
    <bpmn:sequenceFlow id="f9" sourceRef="join" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_message_kept_while_the_instance_was_in_error_is_delivered_after_the_retry(api):
    deploy(api, {"paid_and_late.bpmn": PAID_AND_LATE})
    set_clock(api, T0)
    instance_id = start(api, "paid_and_late", business_key="INV-9", data={"count": 0})["id"]
    set_clock(api, T0 + dt.timedelta(hours=2))
    tick(api)
    assert instance(api, instance_id)["status"] == "error"  # the reminder failed
    r = api.post(
        "erp1",
        "/api/v1/messages",
        json={"name": "payment_received", "correlation_key": "INV-9", "payload": {}},
    )
    assert r.get_json()["delivered_to"] == []  # kept: its receiver is in error
    base = f"/api/v1/process-instances/{instance_id}"
    assert api.patch("admin", f"{base}/data", json={"set": {"count": 1}}).status_code == 200
    assert api.post("admin", f"{base}/retry").json["status"] == "completed"
