"""Where an instance stands, drawn per BPMN file: finished and active elements, and which file
each call activity opens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy.orm as so
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.util.task import TaskState

from engine.models import ProcessInstance
from engine.registry import Bundle
from engine.runtime import Runtime
from engine.serializer import summary_of
from engine.steps import load_workflow, release_workflow

ACTIVE = TaskState.READY | TaskState.STARTED | TaskState.WAITING


@dataclass
class FileState:
    """The finished and active elements of one BPMN file."""

    completed: set[str] = field(default_factory=set)
    active: set[str] = field(default_factory=set)


def call_targets(bundle: Bundle) -> dict[str, dict[str, str]]:
    """For each BPMN file: its call activities and the file of the process each one calls."""
    file_of = {spec.name: spec.file for spec in bundle.all_specs() if spec.file}
    targets: dict[str, dict[str, str]] = {}
    for spec in bundle.all_specs():
        if not spec.file:
            continue  # a collaboration's synthetic top spec draws nothing itself
        for task_spec in spec.task_specs.values():
            if isinstance(task_spec, CallActivity) and task_spec.spec in file_of:
                targets.setdefault(spec.file, {})[task_spec.name] = file_of[task_spec.spec]
    return targets


def process_titles(bundle: Bundle) -> dict[str, str]:
    """The name of the process each BPMN file holds (the top one, or the one a call opens)."""
    titles = {bundle.spec.file: bundle.spec.description or bundle.spec.name}
    titles.pop(None, None)
    for spec in bundle.all_specs():
        for task_spec in spec.task_specs.values():
            if isinstance(task_spec, CallActivity) and task_spec.spec in bundle.subprocess_specs:
                called = bundle.subprocess_specs[task_spec.spec]
                if called.file:
                    titles.setdefault(called.file, called.description or called.name)
    return titles


def element_states(workflow: Any) -> dict[str, FileState]:
    """Finished and active elements of a workflow and every process it called, by file."""
    states: dict[str, FileState] = {}
    for task in workflow.get_tasks():
        spec = task.task_spec
        name = getattr(spec, "bpmn_id", None)
        if not name:
            continue  # Spiff's own bookkeeping specs (Start, End, boundary parents)
        if not task.workflow.spec.file:
            continue  # the synthetic top of a collaboration
        state = states.setdefault(task.workflow.spec.file, FileState())
        if task.state == TaskState.COMPLETED:
            state.completed.add(name)
        elif task.state & ACTIVE and not isinstance(spec, BoundaryEvent):
            state.active.add(name)  # a waiting boundary timer is no step anyone works on
    for state in states.values():
        state.completed -= state.active
    return states


def instance_states(rt: Runtime, session: so.Session, row: ProcessInstance) -> dict[str, FileState]:
    """The element states of one stored instance (loads this one workflow, never a list); a
    compacted instance answers from the summary it kept."""
    summary = summary_of(row.state)
    if summary is not None:
        return {
            name: FileState(completed=set(done)) for name, done in summary.get("files", {}).items()
        }
    bundle = rt.registry.get(session, row.process_key, row.version)
    workflow = load_workflow(rt, session, row, bundle)
    try:
        return element_states(workflow)
    finally:
        release_workflow(rt, session, row, workflow)


def completed_elements(rt: Runtime, session: so.Session, row: ProcessInstance) -> set[str]:
    """Names of the elements an instance completed, in any of its files."""
    return set().union(*(state.completed for state in instance_states(rt, session, row).values()))
