"""Every engine step is bounded: tasks run, call nesting and wall time."""

from __future__ import annotations

import pytest
from runaway_models import LOOP, SELF_CALL
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from engine.budget import StepBudgetExceeded, StepLimits, run_bounded
from engine.lint import call_cycles
from engine.registry import CreditflowParser


def _workflow(xml: str, key: str) -> BpmnWorkflow:
    parser = CreditflowParser(validator=VALIDATOR)
    parser.add_bpmn_str(xml.encode())
    workflow = BpmnWorkflow(parser.get_spec(key), parser.get_subprocess_specs(key))
    workflow.get_tasks()[0].set_data(n=0)
    return workflow


def test_a_loop_without_a_wait_state_stops_at_the_task_limit_naming_the_element():
    workflow = _workflow(LOOP, "spin")
    with pytest.raises(StepBudgetExceeded) as stopped:
        run_bounded(workflow, StepLimits(max_tasks=50))
    assert "more than 50 tasks" in str(stopped.value)
    assert stopped.value.task.task_spec.name in {"count", "again"}
    assert not workflow.completed


def test_a_process_that_calls_itself_stops_at_the_nesting_limit():
    workflow = _workflow(SELF_CALL, "top")
    with pytest.raises(StepBudgetExceeded) as stopped:
        run_bounded(workflow, StepLimits(max_depth=5))
    assert "deeper than 5 levels" in str(stopped.value)
    assert stopped.value.task.workflow.depth == 6


def test_a_step_past_its_wall_time_stops():
    workflow = _workflow(LOOP, "spin")
    with pytest.raises(StepBudgetExceeded) as stopped:
        run_bounded(workflow, StepLimits(max_tasks=10**9, max_seconds=0.0))
    assert "longer than 0 s" in str(stopped.value)


def test_the_call_chain_back_into_a_process_is_found_before_it_runs():
    parser = CreditflowParser(validator=VALIDATOR)
    parser.add_bpmn_str(SELF_CALL.encode())
    specs = {pid: parser.get_spec(pid) for pid in parser.get_process_ids()}
    assert call_cycles(specs) == [["rec", "rec"]]
