"""A decision evaluated by a service function (outside a business rule task) fails cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine.decisions import FailClosedDMNEngine, evaluate

BPMN = Path(__file__).resolve().parents[3] / "bpmn"


def _engine(decision: str) -> FailClosedDMNEngine:
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_dmn_file(str(BPMN / f"{decision}.dmn"))
    dmn = parser.dmn_parsers[decision]
    dmn.parse()
    return FailClosedDMNEngine(dmn.decision.decisionTables[0])


def test_a_matching_row_is_returned():
    out = evaluate(_engine("data_freshness"), {"kind": "statement"}, PythonScriptEngine())
    assert out == {"max_age_days": 548}


def test_an_input_that_is_missing_is_a_workflow_error_naming_it():
    with pytest.raises(WorkflowTaskException) as caught:
        evaluate(_engine("data_freshness"), {}, PythonScriptEngine())
    assert "kind" in str(caught.value)


@pytest.mark.parametrize(("kind", "days"), [("statement", 548), ("credit_report", 183)])
def test_data_freshness_ages(kind, days):
    out = evaluate(_engine("data_freshness"), {"kind": kind}, PythonScriptEngine())
    assert out["max_age_days"] == days
