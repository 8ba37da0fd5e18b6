"""A failure inside an engine step rolls back the whole step: domain writes, inbox, state."""

from __future__ import annotations

import io

from flow import file_application, find_task, new_customer

# confirm → a service that writes (escalates the open task "other") → a script that fails.
FAILS_AFTER_A_WRITE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="x">
  <bpmn:process id="fragile" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:parallelGateway id="split"><bpmn:incoming>f0</bpmn:incoming>
      <bpmn:outgoing>f1</bpmn:outgoing><bpmn:outgoing>g1</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:userTask id="confirm" name="Confirm">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="candidateGroups" value="credit_analyst"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:userTask id="other" name="Other">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="candidateGroups" value="credit_manager"/>
        <spiffworkflow:property name="formKey" value="confirm"/>
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>g1</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing></bpmn:userTask>
    <bpmn:serviceTask id="mark" name="Escalate the other task">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="engine.task_escalate" resultVariable="ok">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="task" type="str" value="'other'"/>
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:scriptTask id="boom" name="Boom"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing><bpmn:script>x = 1 / 0</bpmn:script></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="e2"><bpmn:incoming>g2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="split"/>
    <bpmn:sequenceFlow id="f1" sourceRef="split" targetRef="confirm"/>
    <bpmn:sequenceFlow id="g1" sourceRef="split" targetRef="other"/>
    <bpmn:sequenceFlow id="g2" sourceRef="other" targetRef="e2"/>
    <bpmn:sequenceFlow id="f2" sourceRef="confirm" targetRef="mark"/>
    <bpmn:sequenceFlow id="f3" sourceRef="mark" targetRef="boom"/>
    <bpmn:sequenceFlow id="f4" sourceRef="boom" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""
FORM = b'{"type": "default", "components": [{"type": "textfield", "key": "note", "label": "Note"}]}'


def test_a_failing_step_writes_nothing_and_leaves_the_task_open(api):
    a = file_application(api, new_customer(api))
    r = api.post(
        "designer1",
        "/api/v1/process-models",
        data={
            "files": [
                (io.BytesIO(FAILS_AFTER_A_WRITE.encode()), "fragile.bpmn"),
                (io.BytesIO(FORM), "confirm.form.json"),
            ]
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.get_json()
    r = api.post(
        "designer1",
        "/api/v1/process-instances",
        json={"process_key": "fragile", "business_key": "F-1", "data": {"application_id": a["id"]}},
    )
    instance_id = r.get_json()["id"]
    task = next(
        t
        for t in api.get("analyst1", "/api/v1/tasks?scope=candidate").get_json()["items"]
        if t["process_instance_id"] == instance_id
    )
    r = api.post("analyst1", f"/api/v1/tasks/{task['id']}/complete", json={"data": {"note": "x"}})
    assert r.status_code == 422
    assert "boom" in r.get_json()["detail"]
    instance = api.get("admin", f"/api/v1/process-instances/{instance_id}").get_json()
    assert instance["status"] == "error" and instance["error"]["task"] == "boom"
    assert task["id"] in [t["id"] for t in instance["open_tasks"]]
    other = next(t for t in instance["open_tasks"] if t["name"] == "other")
    assert other["escalated"] is False  # the escalation was rolled back with the step
    assert find_task(api, "analyst1", "assess_customer", a["id"])  # the application is untouched
