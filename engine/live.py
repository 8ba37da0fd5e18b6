"""Live workflows: a process-local cache that only ever holds committed revisions.

A step hands its new workflow to the session it ran in; the workflow reaches the shared cache
only after that session's outermost transaction commits. A rolled-back savepoint or transaction
drops what it held, so the cache never holds a state that did not reach the database.
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

_HELD = "creditflow.live_workflows"


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


class _Held:
    """A workflow written in a transaction that has not committed yet."""

    __slots__ = ("cache", "revision", "transactions", "workflow")

    def __init__(self, cache: WorkflowCache, revision: int, workflow: Any, session: Any) -> None:
        self.cache, self.revision, self.workflow = cache, revision, workflow
        if isinstance(session, so.scoped_session):
            session = session()
        chain = []
        transaction = session.get_nested_transaction() or session.get_transaction()
        while transaction is not None:
            chain.append(transaction)
            transaction = transaction.parent
        # The savepoints it was written in: rolling back any of them drops it.
        self.transactions = chain


def _held(session: so.Session) -> dict[int, _Held]:
    return session.info.setdefault(_HELD, {})


def hold(
    session: so.Session, cache: WorkflowCache, instance_id: int, revision: int, wf: Any
) -> None:
    """Keep a just-written workflow with the session until its transaction commits."""
    _install_hooks()
    _held(session)[instance_id] = _Held(cache, revision, wf, session)


def take(session: so.Session, cache: WorkflowCache, instance_id: int, revision: int) -> Any | None:
    """The live workflow of (instance, revision): this session's own, else the cache's.

    A workflow held by the session stays held: the step that takes it either holds its next
    revision in its place or, failing, forgets it.
    """
    held = session.info.get(_HELD)
    item = held.get(instance_id) if held else None
    if item is not None:
        return item.workflow if item.revision == revision else None
    return cache.checkout(instance_id, revision)


def give_back(
    session: so.Session, cache: WorkflowCache, instance_id: int, revision: int, wf: Any
) -> None:
    """Return a workflow that was only read (to the cache unless the session holds it)."""
    held = session.info.get(_HELD)
    item = held.get(instance_id) if held else None
    if item is None or item.workflow is not wf:
        cache.checkin(instance_id, revision, wf)


def forget(session: so.Session, cache: WorkflowCache, instance_id: int) -> None:
    """Drop an instance's workflow from the session and the cache (after a failure)."""
    held = session.info.get(_HELD)
    if held:
        held.pop(instance_id, None)
    cache.evict(instance_id)


def _after_commit(session: so.Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: nothing is committed yet
    held = session.info.pop(_HELD, None)
    for instance_id, item in (held or {}).items():
        item.cache.checkin(instance_id, item.revision, item.workflow)


def _after_soft_rollback(session: so.Session, previous: Any) -> None:
    held = session.info.get(_HELD)
    if not held:
        return
    for instance_id in [i for i, item in held.items() if previous in item.transactions]:
        del held[instance_id]


def _after_transaction_end(session: so.Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_HELD, None)  # committed ones were moved; anything else never was


_installed = threading.Lock()
_hooks: list[bool] = []


def _install_hooks() -> None:
    """Listen to every session's transaction ends (once per process)."""
    if _hooks:
        return
    with _installed:
        if _hooks:
            return
        sa.event.listen(so.Session, "after_commit", _after_commit)
        sa.event.listen(so.Session, "after_soft_rollback", _after_soft_rollback)
        sa.event.listen(so.Session, "after_transaction_end", _after_transaction_end)
        _hooks.append(True)
