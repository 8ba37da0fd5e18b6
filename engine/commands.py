"""Commands an engine step applies, kept as plain data so a failed one can be replayed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.errors import Conflict
from engine.inbox import find_task
from engine.services import StepContext
from engine.subscriptions import waiting_messages
from engine.timer_events import due_moment, zone_of

Command = dict[str, Any]


def start_command() -> Command:
    """Run a new instance to its first wait state."""
    return {"kind": "start"}


def complete_command(task_id: str, data: dict[str, Any], actor: str) -> Command:
    """Complete a ready user task with the data its user entered."""
    return {"kind": "complete", "task_id": task_id, "data": dict(data), "actor": actor}


def message_command(name: str, payload: dict[str, Any]) -> Command:
    """Hand a message to the waiting catch event of that name."""
    return {"kind": "message", "name": name, "payload": payload}


def timer_command(workflow: Any, now: dt.datetime) -> Command:
    """Fire the due timers (named, so an incident says which timer failed)."""
    names, zone = [], zone_of(workflow)
    for task in list(workflow.top_workflow.event_manager.tasks.values()):
        definition = getattr(task.task_spec, "event_definition", None)
        if task.state != TaskState.WAITING or not isinstance(definition, TimerEventDefinition):
            continue
        value = task._get_internal_data("event_value")
        due = value.get("next") if isinstance(value, dict) else value
        if due and due_moment(due, zone) <= now:
            names.append(task.task_spec.bpmn_name or task.task_spec.name)
    return {"kind": "timer", "timers": names}


def apply(command: Command, workflow: Any, ctx: StepContext) -> None:
    """Apply a command to the workflow; the engine steps run after it."""
    kind = command["kind"]
    if kind == "complete":
        task = find_task(workflow, command["task_id"])
        if task is None or task.state != TaskState.READY:
            raise Conflict(f"task '{command['task_id']}' is no longer ready")
        ctx.submitted[command["task_id"]] = dict(command["data"])
        task.set_data(**command["data"], actor=command["actor"])
        task.run()
    elif kind == "message":
        for _task, definition in waiting_messages(workflow):
            if definition.name == command["name"]:
                workflow.catch(BpmnEvent(definition, command["payload"]))
                break
    elif kind == "timer":
        workflow.refresh_timers()
    elif kind != "start":
        raise ValueError(f"unknown engine command '{kind}'")


def describe(command: Command) -> str:
    """A short phrase for incident details: what the failed step was doing."""
    kind = command["kind"]
    if kind == "complete":
        return f"completing task {command['task_id']} for {command['actor']}"
    if kind == "message":
        return f"delivering message '{command['name']}'"
    if kind == "timer":
        names = ", ".join(f"'{n}'" for n in command.get("timers", [])) or "a timer"
        return f"firing timer {names}"
    return "starting the instance"
