"""State-only workflow snapshots: specs come from the registry's cache, never from the row."""

from __future__ import annotations

import base64
import datetime as dt
import json
import zlib
from decimal import Decimal
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.registry import DefaultRegistry
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.errors import Conflict

# Bump with a migration step in engine/ whenever the stored format changes.
STATE_FORMAT = "creditflow-state-1"
# The envelope of a stored snapshot: zlib-compressed JSON in base64 (a sixth of the JSON's
# size). Rows written before it (plain JSON) still read; the format inside is unchanged.
COMPRESSED = "z1:"
# What the retention job leaves of a finished instance: a summary, not a workflow.
COMPACTED = "c1:"


class Compacted(Conflict):
    """The instance finished and its state was compacted (retention): it no longer loads."""


class StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    """Write the workflow without its specs; restore it onto the cached parsed specs."""

    def __init__(self, registry: DefaultRegistry, spec: Any, subprocess_specs: dict) -> None:
        super().__init__(BpmnWorkflow, registry)
        self.spec = spec
        self.subprocess_specs = subprocess_specs

    def to_dict(self, workflow: BpmnWorkflow) -> dict:
        """Return the workflow's state only."""
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict) -> BpmnWorkflow:
        """Rebuild a workflow on the cached specs."""
        workflow = self.target_class(self.spec, self.subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], _uuid, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _uuid(value: str) -> Any:
    from uuid import UUID

    return UUID(value)


def data_registry(config: dict | None = None) -> DefaultRegistry:
    """A registry for Spiff's classes plus the data types creditflow keeps in task data."""
    registry = BpmnWorkflowSerializer.configure(config or SPIFF_CONFIG)
    registry.register(
        Decimal, lambda v: {"value": str(v)}, lambda v: Decimal(v["value"]), typename="Decimal"
    )
    registry.register(
        dt.date,
        lambda v: {"value": v.isoformat()},
        lambda v: dt.date.fromisoformat(v["value"]),
        typename="date",
    )
    return registry


class StateSerializer(BpmnWorkflowSerializer):
    """Snapshots stored compressed: fewer bytes written per step and kept per instance."""

    def serialize_json(self, workflow: BpmnWorkflow, use_gzip: bool = False) -> str:
        """The workflow's state as compressed text (level 1: ~0.1 ms for a 50 KB state)."""
        text = super().serialize_json(workflow).encode()
        return COMPRESSED + base64.b64encode(zlib.compress(text, 1)).decode("ascii")

    def deserialize_json(self, serialization: str, use_gzip: bool = False) -> BpmnWorkflow:
        """Restore a workflow from compressed text or plain JSON.

        :raises Compacted: the state is a finished instance's summary.
        """
        if serialization.startswith(COMPACTED):
            raise Compacted(
                "this process instance finished and its state was compacted by the retention "
                "job: its history and audit trail remain"
            )
        if serialization.startswith(COMPRESSED):
            packed = base64.b64decode(serialization[len(COMPRESSED) :])
            serialization = zlib.decompress(packed).decode()
        return super().deserialize_json(serialization)


def compacted_state(completed: list[str], files: dict[str, list[str]] | None = None) -> str:
    """The summary a finished instance keeps: the names of the elements it completed, and the
    same by BPMN file (what the diagram viewer marks, called processes included)."""
    summary = {"completed": sorted(completed), "files": files or {}}
    text = json.dumps(summary, separators=(",", ":"), sort_keys=True).encode()
    return COMPACTED + base64.b64encode(zlib.compress(text, 9)).decode("ascii")


def summary_of(state: str | None) -> dict[str, Any] | None:
    """The summary of a compacted state; None for a state that is a workflow."""
    if not state or not state.startswith(COMPACTED):
        return None
    return json.loads(zlib.decompress(base64.b64decode(state[len(COMPACTED) :])))


def state_serializer(
    spec: Any, subprocess_specs: dict, config: dict | None = None
) -> BpmnWorkflowSerializer:
    """Build the serializer of one process version."""
    registry = data_registry(config)
    StateOnlyWorkflowConverter(registry, spec, subprocess_specs)
    return StateSerializer(registry, version=STATE_FORMAT)
