"""Live workflows: a process-local cache that only ever holds committed revisions.

A step hands its new workflow to the session it ran in; the workflow reaches the shared cache
only after that session's outermost transaction commits. A rolled-back savepoint or transaction
drops what it held, so the cache never holds a state that did not reach the database.
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy.orm as so

from engine import pending


class WorkflowCache:
    """Process-local live workflows keyed by (instance, revision); an optimisation only."""

    def __init__(self, size: int = 256) -> None:
        self._items: dict[int, tuple[int, Any]] = {}
        self._size = size
        self._lock = threading.Lock()

    def checkout(self, instance_id: int, revision: int) -> Any | None:
        """Take the workflow out (one owner at a time); None when absent or stale."""
        with self._lock:
            item = self._items.pop(instance_id, None)
        if item is None or item[0] != revision:
            return None
        return item[1]

    def checkin(self, instance_id: int, revision: int, workflow: Any) -> None:
        """Keep a workflow whose revision is committed."""
        with self._lock:
            if len(self._items) >= self._size:
                self._items.pop(next(iter(self._items)))
            self._items[instance_id] = (revision, workflow)

    def evict(self, instance_id: int) -> None:
        """Forget an instance (after any failure)."""
        with self._lock:
            self._items.pop(instance_id, None)


_LIVE = "live_workflows"


def _held(session: so.Session, instance_id: int) -> tuple[WorkflowCache, int, int, Any] | None:
    for item in reversed(pending.kept(session, _LIVE)):
        if item[1] == instance_id:
            return item
    return None


def hold(
    session: so.Session, cache: WorkflowCache, instance_id: int, revision: int, wf: Any
) -> None:
    """Keep a just-written workflow with the session until its transaction commits."""
    pending.after_commit(_check_in)
    pending.discard(session, _LIVE, lambda item: item[1] == instance_id)
    pending.keep(session, _LIVE, (cache, instance_id, revision, wf))


def take(session: so.Session, cache: WorkflowCache, instance_id: int, revision: int) -> Any | None:
    """The live workflow of (instance, revision): this session's own, else the cache's.

    A workflow held by the session stays held: the step that takes it either holds its next
    revision in its place or, failing, forgets it.
    """
    item = _held(session, instance_id)
    if item is not None:
        return item[3] if item[2] == revision else None
    return cache.checkout(instance_id, revision)


def give_back(
    session: so.Session, cache: WorkflowCache, instance_id: int, revision: int, wf: Any
) -> None:
    """Return a workflow that was only read (to the cache unless the session holds it)."""
    item = _held(session, instance_id)
    if item is None or item[3] is not wf:
        cache.checkin(instance_id, revision, wf)


def forget(session: so.Session, cache: WorkflowCache, instance_id: int) -> None:
    """Drop an instance's workflow from the session and the cache (after a failure)."""
    pending.discard(session, _LIVE, lambda item: item[1] == instance_id)
    cache.evict(instance_id)


def _check_in(session: so.Session) -> None:
    """The transaction committed: its workflows are committed revisions now."""
    for cache, instance_id, revision, workflow in pending.take(session, _LIVE):
        cache.checkin(instance_id, revision, workflow)
