"""Failed engine steps: roll the step back, record the instance in error with its reason."""

from __future__ import annotations

import logging
import traceback
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine import audit
from engine.audit import AuditEntry
from engine.clock import to_db
from engine.errors import StepFailed
from engine.models import InstanceStatus, ProcessInstance
from engine.runtime import Runtime

log = logging.getLogger(__name__)


def _error_info(exc: BaseException, task: Any | None) -> dict[str, Any]:
    spiff_task = getattr(exc, "task", None) or task
    spec = getattr(spiff_task, "task_spec", None)
    title = str(exc).split("\n")[0] or type(exc).__name__
    tb = "".join(traceback.format_exception_only(type(exc), exc))
    return {
        "title": title,
        "task": getattr(spec, "name", None),
        "task_title": getattr(spec, "bpmn_name", None),
        "type": type(exc).__name__,
        "traceback": tb[-2000:],
    }


def record_failure(
    rt: Runtime,
    session: so.Session,
    row_id: int | None,
    exc: BaseException,
    task: Any,
    start: dict[str, Any] | None = None,
) -> StepFailed:
    """Roll the step back, then record the instance as failed in a transaction of its own."""
    info = _error_info(exc, task)
    log.warning("engine step failed", extra={"instance": row_id, "task": info["task"]})
    session.rollback()
    now = rt.clock.now()
    if row_id is None and start is not None:
        row = ProcessInstance(
            status=InstanceStatus.ERROR.value,
            error=info,
            revision=1,
            created_at=to_db(now),
            updated_at=to_db(now),
            **start,
        )
        session.add(row)
        session.flush()
        row_id = row.id
    else:
        session.execute(
            sa.update(ProcessInstance)
            .where(ProcessInstance.id == row_id)
            .values(
                status=InstanceStatus.ERROR.value,
                error=info,
                revision=ProcessInstance.revision + 1,
                updated_at=to_db(now),
            )
        )
    audit.append(session, now, [AuditEntry("system", "instance_error", row_id, data=info)])
    session.commit()
    rt.cache.evict(row_id or 0)
    return StepFailed(
        f"process instance {row_id} stopped with an error at "
        f"'{info['task'] or 'start'}': {info['title']}",
        instance_id=row_id,
        error=info,
    )
