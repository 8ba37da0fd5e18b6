"""Evaluate the shipped policy decisions (bpmn/*.dmn) the way a process does: through the
product's parser, its fail-closed DMN engine and its sandboxed script engine."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR
from SpiffWorkflow.util.task import TaskState

ROOT = Path(__file__).resolve().parents[3]
BPMN_DIR = ROOT / "bpmn"
# `.venv/bin/pytest` does not put the project root on sys.path (pyproject sets no `pythonpath`
# and the project is not installed); without this `import credit` fails outside `python -m`.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from engine.decisions import FailClosedDMNEngine  # noqa: E402
from engine.registry import CreditflowParser  # noqa: E402
from engine.scripts import make_script_engine  # noqa: E402

DECISIONS = (
    "scorecard",
    "grade",
    "grade_terms",
    "approval_matrix",
    "security_cover",
    "early_warning",
    "credit_check_tolerance",
    "credit_check_point",
    "credit_check_reasons",
    "dunning_ladder",
    "collection_terms",
)
# Decisions whose file is named differently from the decision.
DMN_FILES = {"credit_check_point": "credit_check_points"}

# One business rule task per decision, exactly as a credit process calls it.
_PROCESS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="decide_{decision}_definitions" targetNamespace="urn:creditflow:test">
  <bpmn:process id="decide_{decision}" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>to_decide</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="to_decide" sourceRef="start" targetRef="decide"/>
    <bpmn:businessRuleTask id="decide" name="Decide {decision}">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>{decision}</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>to_decide</bpmn:incoming>
      <bpmn:outgoing>to_end</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="to_end" sourceRef="decide" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>to_end</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


class Decide:
    """Run a decision in a one-task workflow; call it with the decision id and task data."""

    def __init__(self) -> None:
        parser = CreditflowParser(validator=VALIDATOR)
        parser.add_dmn_files([str(BPMN_DIR / f"{DMN_FILES.get(d, d)}.dmn") for d in DECISIONS])
        for decision in DECISIONS:
            parser.add_bpmn_str(_PROCESS.format(decision=decision).encode())
        self.specs = {decision: parser.get_spec(f"decide_{decision}") for decision in DECISIONS}
        self.script_engine = make_script_engine()

    def __call__(self, decision: str, **data: Any) -> dict[str, Any]:
        """Return the task data after the business rule task: inputs merged with outputs.

        :raises WorkflowTaskException: no rule matched (the product's engine fails closed).
        """
        workflow = self._start(decision, data)
        workflow.do_engine_steps()
        assert workflow.completed
        return dict(workflow.get_next_task(spec_name="decide").data)

    def matching_rows(self, decision: str, **data: Any) -> list[int]:
        """Return the numbers of every row that matches (none raises, as in the product)."""
        task = self._start(decision, data).get_next_task(state=TaskState.READY)
        table = copy.copy(self.specs[decision].task_specs["decide"].dmnEngine.decision_table)
        table.hit_policy = "COLLECT"
        return [rule.row_number for rule in FailClosedDMNEngine(table).decide(task)]

    def _start(self, decision: str, data: dict[str, Any]) -> BpmnWorkflow:
        workflow = BpmnWorkflow(self.specs[decision], script_engine=self.script_engine)
        workflow.get_next_task(state=TaskState.READY).set_data(**copy.deepcopy(data))
        return workflow


@pytest.fixture(scope="session")
def decide() -> Decide:
    """Evaluate a shipped decision: ``decide("grade", score=..., ...)`` -> merged task data."""
    return Decide()
