"""Work that belongs to a session's transaction: kept with the session until the transaction
commits, dropped when the savepoint (or transaction) it was done in rolls back.

The live-workflow cache and the audit chain both use it: neither may act on work that never
reached the database.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

_KEY = "creditflow.pending"


def _session(session: Any) -> so.Session:
    return session() if isinstance(session, so.scoped_session) else session


def keep(session: so.Session, kind: str, value: Any) -> None:
    """Keep `value` under `kind` until the session's transaction ends."""
    _install_hooks()
    session = _session(session)
    chain = []
    transaction = session.get_nested_transaction() or session.get_transaction()
    while transaction is not None:
        chain.append(transaction)
        transaction = transaction.parent
    # The savepoints it was done in: rolling back any of them drops it.
    session.info.setdefault(_KEY, {}).setdefault(kind, []).append((value, chain))


def kept(session: so.Session, kind: str) -> list[Any]:
    """The values kept under `kind` that still stand, oldest first."""
    items = _session(session).info.get(_KEY, {}).get(kind, [])
    return [value for value, _ in items]


def take(session: so.Session, kind: str) -> list[Any]:
    """Remove and return the values kept under `kind`, oldest first."""
    items = _session(session).info.get(_KEY, {}).pop(kind, [])
    return [value for value, _ in items]


def discard(session: so.Session, kind: str, matches: Callable[[Any], bool]) -> None:
    """Drop the values kept under `kind` that `matches`."""
    items = _session(session).info.get(_KEY, {}).get(kind)
    if items:
        items[:] = [item for item in items if not matches(item[0])]


_on_commit: list[Callable[[so.Session], None]] = []


def before_commit(hook: Callable[[so.Session], None]) -> None:
    """Run `hook(session)` before every outermost commit (once per hook, in order added)."""
    _install_hooks()
    if hook not in _on_commit:
        _on_commit.append(hook)


_after_commit: list[Callable[[so.Session], None]] = []


def after_commit(hook: Callable[[so.Session], None]) -> None:
    """Run `hook(session)` after every outermost commit, before the kept values are dropped."""
    _install_hooks()
    if hook not in _after_commit:
        _after_commit.append(hook)


def committing(session: so.Session) -> bool:
    """Whether the session's outermost commit has begun (work kept now would be too late)."""
    return bool(_session(session).info.get(_COMMITTING))


_COMMITTING = "creditflow.committing"


def _before_commit(session: so.Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint is being released
    # Other before-commit listeners may run after this one: what they do must not wait for a
    # hook that has already run (see `committing`).
    session.info[_COMMITTING] = True
    if _KEY not in session.info:
        return
    for hook in _on_commit:
        hook(session)


def _committed(session: so.Session) -> None:
    if session.in_nested_transaction() or _KEY not in session.info:
        return
    for hook in _after_commit:
        hook(session)


def _after_soft_rollback(session: so.Session, previous: Any) -> None:
    for items in session.info.get(_KEY, {}).values():
        items[:] = [item for item in items if previous not in item[1]]


def _after_transaction_end(session: so.Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_KEY, None)  # committed work was handed on; anything else never was
        session.info.pop(_COMMITTING, None)


_installed = threading.Lock()
_hooks: list[bool] = []


def _install_hooks() -> None:
    """Listen to every session's transaction ends (once per process)."""
    if _hooks:
        return
    with _installed:
        if _hooks:
            return
        sa.event.listen(so.Session, "before_commit", _before_commit)
        sa.event.listen(so.Session, "after_commit", _committed)
        sa.event.listen(so.Session, "after_soft_rollback", _after_soft_rollback)
        sa.event.listen(so.Session, "after_transaction_end", _after_transaction_end)
        _hooks.append(True)
