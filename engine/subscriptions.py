"""Message subscriptions: which stored instance waits for which message and key."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.util.task import TaskState

from engine.models import MessageSubscription, ProcessInstance
from engine.registry import task_properties


def waiting_messages(workflow: Any) -> list[tuple[Any, MessageEventDefinition]]:
    """Tasks of the workflow (and called processes) waiting for a message, with its definition.

    Read from the top workflow's event manager (the catching tasks it tracks), not by walking
    the task tree: this runs in every engine step. An event-based gateway is one waiting task
    that holds the definitions of the events after it (Spiff moves them there), so it waits for
    each of its messages.
    """
    manager = workflow.top_workflow.event_manager
    waiting = []
    for task in list(manager.tasks.values()):
        if task.state != TaskState.WAITING:
            continue
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, MultipleEventDefinition):
            nested = definition.event_definitions
        else:
            nested = [definition]
        waiting.extend((task, one) for one in nested if isinstance(one, MessageEventDefinition))
    return waiting


def correlation_key(rt: Any, row: ProcessInstance, task: Any) -> str:
    """The key a waiting task answers to: its correlationKey expression, else the business key."""
    expression = task_properties(task.task_spec).get("correlationKey")
    if expression:
        return str(rt.script_engine.evaluate(task, expression))
    return row.business_key or str(row.id)


def sync_subscriptions(
    rt: Any, session: so.Session, row: ProcessInstance, workflow: Any, waiting_before: set[Any]
) -> list[tuple[str, str]]:
    """Replace the instance's subscriptions with those of its waiting message events.

    :param waiting_before: ids of the tasks that waited for a message before this step; when
        none waited before and none waits now there is nothing to replace (no statement at all).
    :returns: (name, correlation key) of each subscription this step created.
    """
    waiting = waiting_messages(workflow)
    if not waiting and not waiting_before:
        return []
    session.execute(sa.delete(MessageSubscription).where(MessageSubscription.instance_id == row.id))
    created, rows = [], []
    for task, definition in waiting:
        name = definition.name
        key = correlation_key(rt, row, task)
        rows.append(
            {"instance_id": row.id, "task_id": str(task.id), "name": name, "correlation_key": key}
        )
        if task.id not in waiting_before:
            created.append((name, key))
    if rows:  # one executemany; the rows' ids are never needed
        session.execute(sa.insert(MessageSubscription), rows)
    return created
