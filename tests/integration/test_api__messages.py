"""Message correlation: delivered by name and key, or kept until an instance waits."""

from __future__ import annotations

import io

WAITER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  id="d" targetNamespace="x">
  <bpmn:message id="payment_received" name="payment_received"/>
  <bpmn:process id="await_payment" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait_payment" name="Payment received">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:messageEventDefinition id="m1" messageRef="payment_received"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait_payment"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait_payment" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""


def deploy(api):
    r = api.post(
        "designer1",
        "/api/v1/process-models",
        data={"files": [(io.BytesIO(WAITER.encode()), "await_payment.bpmn")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.get_json()


def start(api, key):
    r = api.post(
        "designer1",
        "/api/v1/process-instances",
        json={"process_key": "await_payment", "business_key": key},
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def status(api, instance_id):
    return api.get("admin", f"/api/v1/process-instances/{instance_id}").get_json()["status"]


def send(api, key):
    r = api.post(
        "erp1",
        "/api/v1/messages",
        json={"name": "payment_received", "correlation_key": key, "payload": {"amount": "10"}},
    )
    assert r.status_code == 202, r.get_json()
    return r.get_json()["delivered_to"]


def test_message_reaches_only_the_instance_with_its_key(api):
    deploy(api)
    first, second = start(api, "INV-1"), start(api, "INV-2")
    assert status(api, first) == "waiting"
    assert send(api, "INV-2") == [second]
    assert status(api, second) == "completed"
    assert status(api, first) == "waiting"


def test_a_message_without_receiver_is_kept_and_delivered_when_one_waits(api):
    deploy(api)
    assert send(api, "INV-9") == []
    instance = start(api, "INV-9")
    assert status(api, instance) == "completed"
    history = api.get("admin", f"/api/v1/process-instances/{instance}").get_json()["history"]
    assert "message_received" in [h["event"] for h in history]
