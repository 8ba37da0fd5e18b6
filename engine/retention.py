"""Retention: a finished instance keeps a summary of its run, not its full state.

A completed or cancelled instance never runs again, so past the retention period its snapshot
(8 KB compressed for a credit application) is replaced by the names of the elements it completed
— what the instance page marks on the diagram. Its inbox rows, audit chain and history stay.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow.util.task import TaskState

from engine.clock import to_db
from engine.models import UNCOMPACTED, ProcessInstance
from engine.serializer import compacted_state

log = logging.getLogger(__name__)

_TABLE = ProcessInstance.__table__
_COMPACTABLE = (
    sa.select(
        _TABLE.c.id, _TABLE.c.process_key, _TABLE.c.version, _TABLE.c.revision, _TABLE.c.state
    )
    # The partial index's own predicate, literally: the planner then reads only that index.
    .where(sa.text(UNCOMPACTED), _TABLE.c.updated_at < sa.bindparam("before"))
    .order_by(_TABLE.c.updated_at)
    .limit(sa.bindparam("batch"))
)
_COMPACT = (
    sa.update(_TABLE)
    .where(_TABLE.c.id == sa.bindparam("b_id"), _TABLE.c.revision == sa.bindparam("b_revision"))
    # A new revision: every host's cached workflow of the instance is stale from now on.
    .values(state=sa.bindparam("state"), revision=_TABLE.c.revision + 1)
)


def compact_finished(rt: Any, session: so.Session, before: dt.datetime, batch: int = 500) -> int:
    """Compact the instances that finished before `before`, a batch per transaction; return
    how many were compacted. An instance that changed meanwhile is left for the next run."""
    done = 0
    while True:
        rows = session.execute(_COMPACTABLE, {"before": to_db(before), "batch": batch}).all()
        if not rows:
            return done
        values = [
            {"b_id": row.id, "b_revision": row.revision, "state": _summarized(rt, session, row)}
            for row in rows
        ]
        session.execute(_COMPACT, values)
        session.commit()
        for value in values:
            rt.cache.evict(value["b_id"])
        done += len(values)
        if len(rows) < batch:
            return done


def _summarized(rt: Any, session: so.Session, row: Any) -> str:
    try:
        bundle = rt.registry.get(session, row.process_key, row.version)
        workflow = bundle.serializer.deserialize_json(row.state)
    except Exception:  # a state that no longer loads keeps nothing to show either
        log.warning("finished instance with an unreadable state", extra={"instance": row.id})
        return compacted_state([])
    from engine.progress import element_states

    files = {name: sorted(s.completed) for name, s in element_states(workflow).items()}
    return compacted_state(sorted(_completed(workflow)), files)


def _completed(workflow: Any) -> set[str]:
    return {t.task_spec.name for t in workflow.get_tasks(state=TaskState.COMPLETED)}
