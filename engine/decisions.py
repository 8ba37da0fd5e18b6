"""DMN that fails closed: no matching rule, or two under UNIQUE, is an error of the step."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.specs.model import HitPolicy

SUPPORTED_HIT_POLICIES = {HitPolicy.UNIQUE.value, HitPolicy.COLLECT.value}


class FailClosedDMNEngine(DMNEngine):
    """A DMN engine that honours UNIQUE and refuses to decide nothing."""

    def decide(self, task: Any) -> list:
        """Return every matching rule (Spiff stops at the first one)."""
        table = self.decision_table
        matched = [rule for rule in table.rules if self._DMNEngine__check_rule(rule, task)]
        name = table.name or table.id
        if not matched:
            raise WorkflowTaskException(
                f"decision table '{name}': no rule matched the inputs", task=task
            )
        if table.hit_policy == HitPolicy.UNIQUE.value and len(matched) > 1:
            rows = ", ".join(str(rule.row_number) for rule in matched)
            raise WorkflowTaskException(
                f"decision table '{name}' (UNIQUE): rows {rows} all matched", task=task
            )
        return matched


class _DecisionInput:
    """The minimal task a DMN engine needs: data and a workflow with a script engine."""

    def __init__(self, data: dict[str, Any], script_engine: Any) -> None:
        self.data = data
        self.workflow = self.top_workflow = self  # Spiff's error trace walks up from here
        self.script_engine = script_engine
        self.task_spec = self
        self.spec = self
        self.bpmn_id = self.bpmn_name = self.name = "decision"
        self.file = None


def evaluate(engine: DMNEngine, inputs: dict[str, Any], script_engine: Any) -> dict[str, Any]:
    """Evaluate a decision table outside a business rule task (service functions use this)."""
    return engine.result(_DecisionInput(dict(inputs), script_engine))


def lint_table(table: Any) -> list[str]:
    """Problems of a decision table that the engine cannot honour."""
    problems = []
    if table.hit_policy not in SUPPORTED_HIT_POLICIES:
        problems.append(f"hit policy {table.hit_policy} is not supported (UNIQUE, COLLECT)")
    if not table.rules:
        problems.append("the table has no rules")
    return problems
