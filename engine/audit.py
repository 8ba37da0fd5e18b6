"""The hash-chained audit trail: one chain per instance (or subject), anchored globally.

Each event links to the previous event of its own chain (its process instance's; a subject's,
such as a customer, for events outside instances; else the system's): `hash = sha256(prev_hash ‖
canonical JSON of the event)`. Writers lock only the heads of their own chains, so concurrent
steps of different instances never wait for each other. A periodic job (`anchor`) appends the
heads of the chains that moved to one global anchor chain; an anchored event can no longer be
removed, even with the rest of its chain, without breaking a link. `verify` recomputes every
chain and the anchors and points at the first broken link.

Entries are appended when the transaction commits (all chains of the transaction in three
statements), so a rolled-back step or savepoint leaves no event behind.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine import pending
from engine.clock import from_db, to_db
from engine.db import insert_for
from engine.models import AuditChain, AuditEvent

GENESIS = "0" * 64
LEGACY = "legacy"  # the single global chain of installations from before chains per instance
SYSTEM = "system"


@dataclass(frozen=True)
class AuditEntry:
    """An event to append; the chain adds its place, time and hashes."""

    actor: str
    action: str
    instance_id: int | None = None
    task_id: str | None = None
    element: str | None = None
    subject: str | None = None
    data: dict[str, Any] | None = None


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"not serializable in audit data: {type(value).__name__}")


def plain(data: dict[str, Any] | None) -> dict[str, Any]:
    """Return data as JSON-native values (Decimal and dates as strings)."""
    return json.loads(json.dumps(data or {}, default=_jsonable))


def chain_of(instance_id: int | None, subject: str | None) -> str:
    """The chain an event belongs to: its instance's, else its subject's, else the system's."""
    if instance_id is not None:
        return f"instance:{instance_id}"
    return f"subject:{subject}" if subject else SYSTEM


HASHED = ("chain", "chain_seq", "at", "actor", "action", "instance_id", "task_id", "element")


def _canonical(values: dict[str, Any]) -> str:
    if values["chain"] == LEGACY:
        body = {"seq": values["chain_seq"]}  # the global chain's format: its place was `seq`
    else:
        body = {"chain": values["chain"], "chain_seq": values["chain_seq"]}
    body.update(
        at=from_db(values["at"]).isoformat(),
        actor=values["actor"],
        action=values["action"],
        instance_id=values["instance_id"],
        task_id=values["task_id"],
        element=values["element"],
        subject=values["subject"],
        data=values["data"],
    )
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _link(prev_hash: str, values: dict[str, Any]) -> str:
    """The one place the chain's hash formula lives (append and verify both use it)."""
    return hashlib.sha256((prev_hash + _canonical(values)).encode()).hexdigest()


def link_hash(prev_hash: str, event: AuditEvent) -> str:
    """sha256(prev_hash ‖ canonical JSON of the event)."""
    names = (*HASHED, "subject", "data")
    return _link(prev_hash, {name: getattr(event, name) for name in names})


_PENDING = "audit_entries"
_CHAINS = AuditChain.__table__
_EVENTS = AuditEvent.__table__
_INSERT_EVENTS = sa.insert(_EVENTS)
_SET_HEADS = (
    sa.update(_CHAINS)
    .where(_CHAINS.c.key == sa.bindparam("b_key"))
    .values(seq=sa.bindparam("b_seq"), hash=sa.bindparam("b_hash"))
)


def append(session: so.Session, now: dt.datetime, entries: list[AuditEntry]) -> None:
    """Append entries to their chains when the caller's transaction commits.

    The data is made JSON-native now, so an entry that cannot be stored fails its own step.
    """
    if not entries:
        return
    pending.before_commit(_write_pending)
    at = to_db(now)
    rows = [
        {
            "chain": chain_of(entry.instance_id, entry.subject),
            "at": at,
            "actor": entry.actor,
            "action": entry.action,
            "instance_id": entry.instance_id,
            "task_id": entry.task_id,
            "element": entry.element,
            "subject": entry.subject,
            "data": plain(entry.data),
        }
        for entry in entries
    ]
    if pending.committing(session):
        _write(session, rows)  # appended by another before-commit listener: write it now
        return
    for row in rows:
        pending.keep(session, _PENDING, row)


def _write_pending(session: so.Session) -> None:
    """Write the entries kept for the transaction (one batch for all of them)."""
    rows = pending.take(session, _PENDING)
    if rows:
        _write(session, rows)


def _write(session: so.Session, rows: list[dict[str, Any]]) -> None:
    """Link and insert entries, locking each of their chains' heads once."""
    heads = lock_heads(session, {row["chain"] for row in rows})
    for row in rows:
        seq, prev = heads[row["chain"]]
        row["chain_seq"], row["prev_hash"] = seq + 1, prev
        row["hash"] = _link(prev, row)
        heads[row["chain"]] = (seq + 1, row["hash"])
    session.execute(_INSERT_EVENTS, rows)
    session.execute(
        _SET_HEADS, [{"b_key": key, "b_seq": s, "b_hash": h} for key, (s, h) in heads.items()]
    )


def lock_heads(session: so.Session, keys: Iterable[str]) -> dict[str, tuple[int, str]]:
    """Create missing heads and lock all of them, in key order (no two writers deadlock)."""
    statement = _upsert_heads(session.get_bind().dialect.name)
    rows = session.execute(statement, [{"key": key} for key in sorted(keys)]).all()
    return {key: (seq, hash_) for key, seq, hash_ in rows}


@functools.cache
def _upsert_heads(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO UPDATE … RETURNING: one statement creates, locks and reads."""
    statement = insert_for(dialect)(_CHAINS).values(
        key=sa.bindparam("key"), seq=0, hash=GENESIS, anchored_seq=0
    )
    # Setting the key to itself takes the row lock without changing the head.
    return statement.on_conflict_do_update(
        index_elements=[_CHAINS.c.key], set_={"key": statement.excluded.key}
    ).returning(_CHAINS.c.key, _CHAINS.c.seq, _CHAINS.c.hash)


def verify(session: so.Session, batch: int = 2000) -> Any:
    """Recompute every chain and the anchors; point at the first broken link (see
    `engine.verification`)."""
    from engine.verification import verify as verify_chains

    return verify_chains(session, batch)


def instance_events(session: so.Session, instance_id: int) -> list[AuditEvent]:
    """Every audit event of one process instance, oldest first (its history)."""
    return list(
        session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.instance_id == instance_id)
            .order_by(AuditEvent.seq)
        )
    )
