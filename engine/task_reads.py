"""Reading human tasks for display: the row by id, the forms of a page, an open task's data."""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.audit import plain
from engine.errors import NotFound
from engine.inbox import OPEN_STATES
from engine.models import HumanTask, ProcessInstance
from engine.runtime import Runtime
from engine.steps import find_task, load_workflow, release_workflow

TASK_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def task_row(session: so.Session, task_id: str) -> HumanTask:
    """The inbox row of a task id.

    :raises NotFound: an unknown or malformed id.
    """
    task = session.get(HumanTask, task_id) if TASK_ID.match(task_id) else None
    if task is None:
        raise NotFound(f"no task with id '{task_id[:40]}'")
    return task


def task_forms(rt: Runtime, session: so.Session, tasks: list[HumanTask]) -> list[Any]:
    """The forms of a page of tasks, with one query for their process versions."""
    ids = {t.instance_id for t in tasks}
    rows = session.execute(
        sa.select(ProcessInstance.id, ProcessInstance.process_key, ProcessInstance.version).where(
            ProcessInstance.id.in_(ids)
        )
    )
    versions = {instance_id: (key, version) for instance_id, key, version in rows}
    return [rt.registry.get(session, *versions[t.instance_id]).form(t.form_key) for t in tasks]


def task_data(rt: Runtime, session: so.Session, task: HumanTask) -> dict[str, Any]:
    """The live data of an open task (its business context for the form); a done task's
    context as it was kept."""
    if task.status not in OPEN_STATES:
        return dict(task.context or {})
    row = session.get(ProcessInstance, task.instance_id)
    bundle = rt.registry.get(session, row.process_key, row.version)
    workflow = load_workflow(rt, session, row, bundle)
    try:
        spiff_task = find_task(workflow, task.id)
        data = dict(spiff_task.data) if spiff_task is not None else {}
    finally:
        release_workflow(rt, session, row, workflow)
    return {k: v for k, v in plain(data).items() if not k.startswith("spiff__")}
