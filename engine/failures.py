"""Failed engine steps: the instance goes to `error` with an incident an operator can work."""

from __future__ import annotations

import logging
import traceback
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow.util.task import TaskState

from engine import audit
from engine.audit import AuditEntry
from engine.clock import to_db
from engine.commands import Command, describe
from engine.errors import Conflict, StepFailed
from engine.models import InstanceStatus, ProcessInstance
from engine.runtime import Runtime

log = logging.getLogger(__name__)


def failing_task(exc: BaseException, workflow: Any | None) -> Any | None:
    """The task a step failed at: the one the error names, else the one Spiff marked ERROR."""
    task = getattr(exc, "task", None)
    if task is not None or workflow is None:
        return task
    try:
        errored = workflow.get_tasks(state=TaskState.ERROR)
    except Exception:
        return None
    return errored[0] if errored else None


def error_info(
    exc: BaseException,
    task: Any | None,
    command: Command,
    stored_command: dict[str, Any],
    at: str,
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    """The incident kept on the instance: what failed, where, when, how often, and the command.

    No local variables or task data: they hold customer data. The command is kept so that a
    retry runs it again (a message or a user's entries are not lost).
    """
    spec = getattr(task, "task_spec", None)
    message = str(exc).strip() or type(exc).__name__
    title = message.split("\n")[0][:300]
    element = getattr(spec, "name", None)
    doing = describe(command)
    detail = f"{doing}: {message}" if element is None else f"{doing}, at '{element}': {message}"
    again = previous is not None
    return {
        "title": title,
        "detail": detail[:2000],
        "task": element,
        "task_title": getattr(spec, "bpmn_name", None),
        "type": type(exc).__name__,
        "traceback": "".join(traceback.format_exception_only(type(exc), exc))[-2000:],
        "command": stored_command,
        "timers": command.get("timers", []),
        "at": at,
        "first_at": previous.get("first_at", at) if again else at,
        "attempts": int(previous.get("attempts", 1)) + 1 if again else 1,
    }


def record_failure(
    rt: Runtime,
    session: so.Session,
    row: ProcessInstance,
    revision: int,
    info: dict[str, Any],
    state: str | None = None,
    entries: list[AuditEntry] | None = None,
    release_lease: bool = False,
) -> StepFailed:
    """Put the instance into `error` with the incident, if it is still at `revision`.

    Runs in the caller's transaction (the failed step's savepoint is already rolled back), so
    the caller's own work and the incident commit together.

    :param state: a state to store with the error (a new instance's state before its start).
    :raises Conflict: the instance moved meanwhile; the newer state stands.
    """
    log.warning(
        "engine step failed",
        extra={"instance": row.id, "task": info["task"], "error": info["title"]},
    )
    now = rt.clock.now()
    subject = row.subject
    values: dict[str, Any] = {
        "status": InstanceStatus.ERROR.value,
        "error": info,
        "revision": revision + 1,
        "updated_at": to_db(now),
    }
    if state is not None:
        values["state"] = state
    if release_lease:
        values.update(lease_owner=None, lease_until=None)
    result = session.execute(
        sa.update(ProcessInstance)
        .where(ProcessInstance.id == row.id, ProcessInstance.revision == revision)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(
            f"process instance {row.id} was changed by someone else while a step failed "
            f"(revision {revision}); reload it"
        )
    session.expire(row)
    summary = {k: v for k, v in info.items() if k not in ("command", "traceback")}
    failed = AuditEntry(
        "system", "instance_error", row.id, element=info["task"], subject=subject, data=summary
    )
    audit.append(session, now, [*(entries or []), failed])
    return StepFailed(
        f"process instance {row.id} stopped with an error at "
        f"'{info['task'] or 'start'}': {info['title']}",
        instance_id=row.id,
        error={k: info[k] for k in ("title", "task", "detail", "attempts")},
    )
