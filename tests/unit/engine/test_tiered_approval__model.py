"""The shipped approval model reads at a glance: the SLA ladder hangs on one collapsed step."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

BPMN = Path(__file__).resolve().parents[3] / "bpmn" / "tiered_approval.bpmn"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
}


def _tree():
    return etree.parse(str(BPMN))


def test_the_three_sla_timers_hang_on_the_tier_decision_at_1_2_and_4_business_days():
    timers = _tree().findall(".//bpmn:boundaryEvent", NS)
    assert {t.get("attachedToRef") for t in timers} == {"tier_approval"}
    days = sorted(t.find(".//bpmn:timeDate", NS).text for t in timers)
    assert days == ["business_deadline(1)", "business_deadline(2)", "business_deadline(4)"]
    assert all(t.get("cancelActivity") == "false" for t in timers)


def test_the_approval_user_tasks_live_inside_the_collapsed_tier_decision():
    tree = _tree()
    inner = tree.findall(".//bpmn:subProcess[@id='tier_approval']/bpmn:userTask", NS)
    assert sorted(t.get("id") for t in inner) == [
        "approve_credit_manager",
        "approve_finance_director",
        "approve_general_manager",
    ]
    shape = tree.find(".//bpmndi:BPMNShape[@bpmnElement='tier_approval']", NS)
    assert shape.get("isExpanded") == "false"
    planes = [p.get("bpmnElement") for p in tree.findall(".//bpmndi:BPMNPlane", NS)]
    assert planes == ["tiered_approval", "tier_approval"]


def test_the_main_plane_holds_few_boxes():
    tree = _tree()
    root = tree.find(".//bpmndi:BPMNPlane[@bpmnElement='tiered_approval']", NS)
    tasks = {
        e.get("id")
        for e in tree.find(".//bpmn:process", NS)
        if etree.QName(e).localname.endswith("Task")
    }
    drawn = {s.get("bpmnElement") for s in root.findall("bpmndi:BPMNShape", NS)}
    assert len(tasks & drawn) <= 11  # was 21 with a ladder per approver task
