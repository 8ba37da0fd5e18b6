"""A collaboration (several executable pools exchanging messages) deploys under its initiating
pool and runs as one instance; the instance view lists the pools."""

from __future__ import annotations

from pathlib import Path

from sample_models import (
    END,
    NOTE_FORM,
    START,
    complete,
    deploy,
    instance,
    open_task,
    process,
    start,
    upload,
    user_task,
)

ORDER = (Path(__file__).parent / "order_collaboration.bpmn").read_text(encoding="utf-8")


def _pools(api, instance_id: int) -> dict[str, str]:
    return {p["process"]: p["status"] for p in instance(api, instance_id)["pools"]}


def test_a_collaboration_deploys_under_its_initiating_pool_and_runs(api):
    got = deploy(api, {"order.bpmn": ORDER, "confirm_order.form.json": NOTE_FORM})
    assert (got["key"], got["version"]) == ("buyer", 1)
    instance_id = start(api, "buyer", business_key="PO-42")["id"]
    assert instance(api, instance_id)["status"] == "waiting"
    # The buyer's order message started the seller's pool in the same instance.
    assert _pools(api, instance_id) == {"buyer": "waiting", "seller": "waiting"}
    assert [p["title"] for p in instance(api, instance_id)["pools"]] == ["Buyer", "Seller"]
    task = open_task(api, instance_id)
    assert task["name"] == "confirm_order"
    assert complete(api, task["id"], {"note": "ok"}).status_code == 200
    # The seller's confirmation reached the buyer, and both pools ended.
    got = instance(api, instance_id)
    assert got["status"] == "completed"
    assert _pools(api, instance_id) == {"buyer": "completed", "seller": "completed"}
    models = {m["key"] for m in api.get("admin", "/api/v1/process-models").get_json()}
    assert "buyer" in models and "seller" not in models


def test_a_single_process_instance_has_no_pools(api):
    deploy(api, {"order.bpmn": ORDER, "confirm_order.form.json": NOTE_FORM})
    plain = process("plain", [START, user_task("confirm", "Confirm"), END])
    deploy(api, {"plain.bpmn": plain, "confirm.form.json": NOTE_FORM})
    other = start(api, "plain")  # a plain process: no pools listed
    assert instance(api, other["id"])["pools"] is None


def test_a_collaboration_with_two_initiating_pools_is_refused(api):
    both_start = ORDER.replace(
        '<bpmn:messageEventDefinition id="me3" messageRef="msg_order">'
        "<bpmn:extensionElements><spiffworkflow:messageVariable>order"
        "</spiffworkflow:messageVariable></bpmn:extensionElements></bpmn:messageEventDefinition>",
        "",
    )
    assert both_start != ORDER
    r = upload(api, {"order.bpmn": both_start, "confirm_order.form.json": NOTE_FORM})
    assert r.status_code == 422
    assert "['buyer', 'seller']" in r.get_json()["errors"]["files"][0]


def test_pools_in_no_collaboration_are_refused(api):
    loose = ORDER.replace('processRef="seller"', 'processRef="nobody"')
    r = upload(api, {"order.bpmn": loose, "confirm_order.form.json": NOTE_FORM})
    assert r.status_code == 422
