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


def deploy(api, bpmn=WAITER, filename="await_payment.bpmn"):
    r = api.post(
        "designer1",
        "/api/v1/process-models",
        data={"files": [(io.BytesIO(bpmn.encode()), filename)]},
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


EITHER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  id="d2" targetNamespace="x">
  <bpmn:message id="payment_received" name="payment_received"/>
  <bpmn:message id="promise_made" name="promise_made"/>
  <bpmn:process id="await_either" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:eventBasedGateway id="g"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:outgoing>f3</bpmn:outgoing></bpmn:eventBasedGateway>
    <bpmn:intermediateCatchEvent id="paid"><bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:messageEventDefinition id="m1" messageRef="payment_received"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="promised"><bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f5</bpmn:outgoing>
      <bpmn:messageEventDefinition id="m2" messageRef="promise_made"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="e1"><bpmn:incoming>f4</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="e2"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="g"/>
    <bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="paid"/>
    <bpmn:sequenceFlow id="f3" sourceRef="g" targetRef="promised"/>
    <bpmn:sequenceFlow id="f4" sourceRef="paid" targetRef="e1"/>
    <bpmn:sequenceFlow id="f5" sourceRef="promised" targetRef="e2"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_an_instance_waiting_at_an_event_based_gateway_receives_each_of_its_messages(api):
    deploy(api, EITHER, "await_either.bpmn")
    for name, key in (("promise_made", "K-2a"), ("payment_received", "K-2b")):
        r = api.post(
            "designer1",
            "/api/v1/process-instances",
            json={"process_key": "await_either", "business_key": key},
        )
        assert r.status_code == 201, r.get_json()
        instance = r.get_json()["id"]
        assert status(api, instance) == "waiting"
        r = api.post(
            "erp1",
            "/api/v1/messages",
            json={"name": name, "correlation_key": key, "payload": {}},
        )
        assert r.status_code == 202 and r.get_json()["delivered_to"] == [instance], r.get_json()
        assert status(api, instance) == "completed"


def test_kept_messages_a_step_no_longer_waits_for_stay_kept_for_the_next_instance(api):
    # Both messages arrive before anyone waits. The first instance waits for either, takes one
    # and ends; the other message must stay kept (not be marked delivered to an instance that no
    # longer waits for it), and the next instance with the key receives it.
    deploy(api, EITHER, "await_either.bpmn")
    for name in ("payment_received", "promise_made"):
        r = api.post(
            "erp1",
            "/api/v1/messages",
            json={"name": name, "correlation_key": "K-1", "payload": {}},
        )
        assert r.status_code == 202 and r.get_json()["delivered_to"] == [], r.get_json()
    first, second = (
        api.post(
            "designer1",
            "/api/v1/process-instances",
            json={"process_key": "await_either", "business_key": "K-1"},
        )
        for _ in range(2)
    )
    assert first.status_code == 201, first.get_json()
    assert status(api, first.get_json()["id"]) == "completed"
    assert second.status_code == 201, second.get_json()
    assert status(api, second.get_json()["id"]) == "completed"
    history = api.get("admin", f"/api/v1/process-instances/{second.get_json()['id']}").get_json()
    assert "message_received" in [h["event"] for h in history["history"]]
