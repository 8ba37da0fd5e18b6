"""A timeDate without an offset is read in the installation's time zone, with its DST."""

from __future__ import annotations

import datetime as dt

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from engine.clock import Clock
from engine.registry import CreditflowParser
from engine.scripts import make_script_engine
from engine.steps import next_timer

WAIT_UNTIL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="x">
  <bpmn:process id="until" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait" name="Wait"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing><bpmn:timerEventDefinition id="t">
        <bpmn:timeDate xsi:type="bpmn:tFormalExpression">"{moment}"</bpmn:timeDate>
      </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _wait_until(moment: str, zone: str) -> BpmnWorkflow:
    parser = CreditflowParser(validator=VALIDATOR)
    parser.add_bpmn_str(WAIT_UNTIL.format(moment=moment).encode())
    engine = make_script_engine()
    engine.clock = Clock(zone)
    workflow = BpmnWorkflow(parser.get_spec("until"), script_engine=engine)
    with engine.clock.frozen(NOW):
        workflow.do_engine_steps()
    return workflow


@pytest.mark.parametrize(
    ("moment", "zone", "due"),
    [
        ("2027-07-01T09:00:00", "Europe/Berlin", "2027-07-01T07:00:00+00:00"),  # summer time
        ("2027-01-15T09:00:00", "Europe/Berlin", "2027-01-15T08:00:00+00:00"),
        ("2027-07-01T09:00:00", "Asia/Shanghai", "2027-07-01T01:00:00+00:00"),
        ("2027-07-01T09:00:00+02:00", "Asia/Shanghai", "2027-07-01T07:00:00+00:00"),
    ],
)
def test_a_time_date_without_offset_is_read_in_the_configured_zone(moment, zone, due):
    workflow = _wait_until(moment, zone)
    [event] = workflow.waiting_events()
    assert event.value == due
    assert next_timer(workflow) == dt.datetime.fromisoformat(due)


def test_the_timer_fires_at_that_moment_on_the_engine_clock():
    workflow = _wait_until("2027-07-01T09:00:00", "Europe/Berlin")
    with workflow.script_engine.clock.frozen(dt.datetime(2027, 7, 1, 6, 59, tzinfo=dt.UTC)):
        workflow.refresh_timers()
        workflow.do_engine_steps()
    assert not workflow.completed
    with workflow.script_engine.clock.frozen(dt.datetime(2027, 7, 1, 7, 0, tzinfo=dt.UTC)):
        workflow.refresh_timers()
        workflow.do_engine_steps()
    assert workflow.completed
