"""The hash-chained audit trail: append events, verify the chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.clock import from_db, to_db
from engine.models import AuditEvent, AuditHead

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    """An event to append; the chain adds seq, time and hashes."""

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


def _canonical(values: dict[str, Any]) -> str:
    body = {
        "seq": values["seq"],
        "at": from_db(values["at"]).isoformat(),
        "actor": values["actor"],
        "action": values["action"],
        "instance_id": values["instance_id"],
        "task_id": values["task_id"],
        "element": values["element"],
        "subject": values["subject"],
        "data": values["data"],
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


HASHED = ("seq", "at", "actor", "action", "instance_id", "task_id", "element", "subject", "data")


def link_hash(prev_hash: str, event: AuditEvent) -> str:
    """sha256(prev_hash ‖ canonical JSON of the event)."""
    return _link(prev_hash, {name: getattr(event, name) for name in HASHED})


def _link(prev_hash: str, values: dict[str, Any]) -> str:
    """The one place the chain's hash formula lives (append and verify both use it)."""
    return hashlib.sha256((prev_hash + _canonical(values)).encode()).hexdigest()


_HEAD = AuditHead.__table__
_EVENTS = AuditEvent.__table__
# Built once: appending runs in every engine step.
_LOCK_HEAD = (
    sa.update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(seq=_HEAD.c.seq)
    .returning(_HEAD.c.seq, _HEAD.c.hash)
)
_SET_HEAD = (
    sa.update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(seq=sa.bindparam("new_seq"), hash=sa.bindparam("new_hash"))
)
_INSERT_EVENTS = sa.insert(_EVENTS)


def append(session: so.Session, now: dt.datetime, entries: list[AuditEntry]) -> int:
    """Append entries to the chain inside the caller's transaction; return the last seq."""
    if not entries:
        return 0
    # Lock and read the head in one statement: on PostgreSQL the row lock orders concurrent
    # writers, on SQLite the write lock is taken before the head is read.
    head = session.execute(_LOCK_HEAD).first()
    if head is None:
        session.execute(sa.insert(_HEAD).values(id=1, seq=0, hash=GENESIS))
        seq, prev = 0, GENESIS
    else:
        seq, prev = head
    at = to_db(now)
    rows = []
    for entry in entries:
        seq += 1
        values = {
            "seq": seq,
            "at": at,
            "actor": entry.actor,
            "action": entry.action,
            "instance_id": entry.instance_id,
            "task_id": entry.task_id,
            "element": entry.element,
            "subject": entry.subject,
            "data": plain(entry.data),
        }
        values["prev_hash"] = prev
        values["hash"] = prev = _link(prev, values)
        rows.append(values)
    session.execute(_INSERT_EVENTS, rows)
    session.execute(_SET_HEAD, {"new_seq": seq, "new_hash": prev})
    return seq


@dataclass(frozen=True)
class Verification:
    """Result of recomputing the chain."""

    ok: bool
    events: int
    first_bad_seq: int | None


def verify(session: so.Session, batch: int = 2000) -> Verification:
    """Recompute every link and point at the first broken one (missing, altered, reordered)."""
    prev, expected_seq, count = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.seq > last_seq)
            .order_by(AuditEvent.seq)
            .limit(batch)
        ).all()
        if not rows:
            break
        for event in rows:
            count += 1
            if event.seq != expected_seq or event.prev_hash != prev:
                return Verification(
                    False, count, expected_seq if event.seq != expected_seq else event.seq
                )
            if link_hash(prev, event) != event.hash:
                return Verification(False, count, event.seq)
            prev, expected_seq, last_seq = event.hash, event.seq + 1, event.seq
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != last_seq or head.hash != prev):
        return Verification(False, count, last_seq + 1)
    return Verification(True, count, None)
