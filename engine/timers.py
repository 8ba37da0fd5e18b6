"""Due timers: lease instances whose next timer is due, fire them, release the lease."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.advance import advance
from engine.audit import AuditEntry
from engine.clock import to_db
from engine.commands import timer_command
from engine.errors import Conflict
from engine.models import InstanceStatus, ProcessInstance
from engine.runtime import Runtime
from engine.steps import load_workflow

log = logging.getLogger(__name__)

MAX_LEASE_SECONDS = 60


@dataclass(frozen=True)
class FireReport:
    """What one pass of `fire_due` did."""

    leased: int = 0
    fired: int = 0
    failed: int = 0


def due_instances(
    session: so.Session, now: dt.datetime, owner: str, lease_seconds: int = 30, batch: int = 100
) -> list[int]:
    """Lease up to `batch` instances with a due timer and no live lease; commit; return ids.

    PostgreSQL uses ``FOR UPDATE SKIP LOCKED`` so concurrent workers take disjoint batches.
    Leases run on the database server's clock: they are infrastructure time, and must expire
    even while a test clock stands still.
    """
    lease = min(lease_seconds, MAX_LEASE_SECONDS)
    at = to_db(now)
    postgres = session.get_bind().dialect.name == "postgresql"
    db_now, db_until = _db_times(postgres, lease)
    query = (
        sa.select(ProcessInstance.id)
        .where(
            ProcessInstance.next_timer_at.is_not(None),
            ProcessInstance.next_timer_at <= at,
            ProcessInstance.status == InstanceStatus.WAITING.value,
            sa.or_(ProcessInstance.lease_until.is_(None), ProcessInstance.lease_until < db_now),
        )
        .order_by(ProcessInstance.next_timer_at)
        .limit(batch)
    )
    if postgres:
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if ids:
        session.execute(
            sa.update(ProcessInstance)
            .where(
                ProcessInstance.id.in_(ids),
                sa.or_(ProcessInstance.lease_until.is_(None), ProcessInstance.lease_until < db_now),
            )
            .values(lease_owner=owner, lease_until=db_until)
            .execution_options(synchronize_session=False)
        )
    session.commit()
    return ids


def db_now(session: so.Session) -> dt.datetime:
    """The database server's current time, naive UTC (infrastructure time, not the Clock)."""
    now, _ = _db_times(session.get_bind().dialect.name == "postgresql", 0)
    value = session.scalar(sa.select(now))
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def _db_times(postgres: bool, lease: int) -> tuple[sa.ColumnElement, sa.ColumnElement]:
    """(now, now + lease) as naive UTC on the database server's clock."""
    if postgres:
        now = sa.func.timezone("UTC", sa.func.clock_timestamp())
        return now, now + sa.func.make_interval(0, 0, 0, 0, 0, 0, lease)
    return sa.func.datetime("now"), sa.func.datetime("now", f"+{int(lease)} seconds")


def fire_one(rt: Runtime, session: so.Session, instance_id: int, owner: str) -> bool:
    """Fire the due timers of one leased instance and release its lease; True when it fired.

    A step that fails leaves the instance in `error` with the timer named (an incident); it is
    no longer due, so it is not fired again until an operator retries it.
    """
    now = rt.clock.now()
    row = session.scalar(
        sa.select(ProcessInstance)
        .where(
            ProcessInstance.id == instance_id,
            ProcessInstance.lease_owner == owner,
            ProcessInstance.status == InstanceStatus.WAITING.value,
        )
        .execution_options(populate_existing=True)
    )
    if row is None or row.next_timer_at is None or row.next_timer_at > to_db(now):
        _release(session, instance_id, owner)
        return False
    bundle = rt.registry.get(session, row.process_key, row.version)
    try:
        workflow = load_workflow(rt, session, row, bundle)
        command = timer_command(workflow, now)
    except Exception:  # a state that does not load: the step below records the incident
        workflow, command = None, {"kind": "timer", "timers": []}
    entry = AuditEntry(
        "system",
        "timer_fired",
        row.id,
        subject=row.subject,
        data={"due": row.next_timer_at.isoformat(), "owner": owner},
    )
    change = advance(
        rt,
        session,
        row,
        bundle,
        command,
        "system",
        entries=[entry],
        workflow=workflow,
        release_lease=True,
    )
    session.commit()
    return change.failure is None


def _release(session: so.Session, instance_id: int, owner: str) -> None:
    session.execute(
        sa.update(ProcessInstance)
        .where(ProcessInstance.id == instance_id, ProcessInstance.lease_owner == owner)
        .values(lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def fire_due(
    rt: Runtime, session: so.Session, owner: str, lease_seconds: int = 30, batch: int = 100
) -> FireReport:
    """Lease one batch of due instances and fire each in its own transaction."""
    now = rt.clock.now()
    ids = due_instances(session, now, owner, lease_seconds, batch)
    fired = failed = 0
    # The batch was chosen as due at `now`: its firings all happen at that instant (and the
    # clock is read once, not once per instance).
    with rt.clock.frozen(now):
        for instance_id in ids:
            try:
                if fire_one(rt, session, instance_id, owner):
                    fired += 1
                else:
                    failed += 1
            except Conflict:
                # Another host moved the instance meanwhile; the next pass sees its new state.
                session.rollback()
                _release(session, instance_id, owner)
                failed += 1
            except Exception:
                # Not a step failure (those are incidents): e.g. the database went away.
                log.exception("timer firing failed", extra={"instance": instance_id})
                session.rollback()
                _release(session, instance_id, owner)
                failed += 1
    return FireReport(leased=len(ids), fired=fired, failed=failed)


def fire_all_due(
    rt: Runtime,
    session: so.Session,
    owner: str,
    lease_seconds: int = 30,
    batch: int = 100,
    max_rounds: int = 1000,
) -> int:
    """Fire batches until nothing is due (a timer firing may start another due one)."""
    total = 0
    for _ in range(max_rounds):
        report = fire_due(rt, session, owner, lease_seconds, batch)
        total += report.fired
        if report.leased == 0 or report.fired == 0:
            break
    return total
