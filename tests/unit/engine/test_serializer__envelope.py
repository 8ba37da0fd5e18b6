"""Snapshots are stored compressed; plain JSON snapshots from before still restore."""

from __future__ import annotations

import json
from decimal import Decimal

from runaway_models import LOOP
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from engine.registry import CreditflowParser
from engine.serializer import COMPRESSED, STATE_FORMAT, state_serializer


def _workflow():
    parser = CreditflowParser(validator=VALIDATOR)
    parser.add_bpmn_str(LOOP.encode())
    spec, subs = parser.get_spec("spin"), parser.get_subprocess_specs("spin")
    workflow = BpmnWorkflow(spec, subs)
    workflow.get_tasks()[0].set_data(n=0, amount=Decimal("1500000.00"))
    return workflow, state_serializer(spec, subs)


def test_a_snapshot_is_compressed_text_a_fraction_of_its_json():
    workflow, serializer = _workflow()
    stored = serializer.serialize_json(workflow)
    plain = BpmnWorkflowSerializer.serialize_json(serializer, workflow)
    assert stored.startswith(COMPRESSED) and stored.isascii()
    assert len(stored) < len(plain) / 2
    restored = serializer.deserialize_json(stored)
    assert serializer.serialize_json(restored) == stored
    assert restored.get_tasks()[0].data["amount"] == Decimal("1500000.00")


def test_a_plain_json_snapshot_written_before_still_restores():
    workflow, serializer = _workflow()
    plain = BpmnWorkflowSerializer.serialize_json(serializer, workflow)
    assert json.loads(plain)["serializer_version"] == STATE_FORMAT
    restored = serializer.deserialize_json(plain)
    assert serializer.serialize_json(restored) == serializer.serialize_json(workflow)
