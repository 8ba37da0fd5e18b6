"""Due timers: lease instances whose next timer is due, fire them, release the lease."""

from __future__ import annotations

import datetime as dt
import logging
import time
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
# Firings per transaction: they share a commit and the audit chain's statements. Small enough
# that a batch of 100 takes well under a second, so no lease (≥ 1 s) runs out mid-batch.
PER_TRANSACTION = 20


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


# Built once: every firing transaction loads its instances with it.
_LEASED = (
    sa.select(ProcessInstance)
    .where(
        ProcessInstance.id.in_(sa.bindparam("ids", expanding=True)),
        ProcessInstance.lease_owner == sa.bindparam("owner"),
        ProcessInstance.status == InstanceStatus.WAITING.value,
    )
    .execution_options(populate_existing=True)
)
_RELEASE = (
    sa.update(ProcessInstance)
    .where(
        ProcessInstance.id.in_(sa.bindparam("ids", expanding=True)),
        ProcessInstance.lease_owner == sa.bindparam("owner"),
    )
    .values(lease_owner=None, lease_until=None)
    .execution_options(synchronize_session=False)
)


def fire_leased(
    rt: Runtime, session: so.Session, instance_ids: list[int], owner: str, guarded: bool = True
) -> tuple[int, int]:
    """Fire the due timers of leased instances in the caller's transaction: (fired, not fired).

    The instances are loaded with one query; each fires in its own savepoint (a failing step is
    its instance's incident, the others go on) and its lease is cleared in its own row update.
    An instance that is no longer ours, no longer waiting or not due yet is released unfired.

    :param guarded: False fires without savepoints and raises at the first failing step or
        conflict: the caller rolls the transaction back and fires the instances again guarded.
    """
    now = rt.clock.now()
    rows = leased_rows(session, instance_ids, owner)
    due = [r for r in rows if r.next_timer_at is not None and r.next_timer_at <= to_db(now)]
    unfired = set(instance_ids) - {row.id for row in due}
    fired = 0
    for row in due:
        try:
            if _fire(rt, session, row, owner, now, guarded):
                fired += 1
        except Conflict:
            if not guarded:
                raise
            # Another host moved the instance meanwhile (its savepoint is rolled back); the
            # next pass sees its new state.
            unfired.add(row.id)
    if unfired:
        session.execute(_RELEASE, {"ids": sorted(unfired), "owner": owner})
    return fired, len(instance_ids) - fired


def leased_rows(session: so.Session, instance_ids: list[int], owner: str) -> list[ProcessInstance]:
    """The waiting instances among `instance_ids` that `owner` holds the lease of (one query)."""
    return list(session.scalars(_LEASED, {"ids": instance_ids, "owner": owner}))


def _fire(
    rt: Runtime,
    session: so.Session,
    row: ProcessInstance,
    owner: str,
    now: dt.datetime,
    guarded: bool,
) -> bool:
    """Fire one instance's due timers in a savepoint; True when it fired (no incident).

    A step that fails leaves the instance in `error` with the timer named (an incident); it is
    no longer due, so it is not fired again until an operator retries it.
    """
    bundle = rt.registry.get(session, row.process_key, row.version)
    try:
        workflow = load_workflow(rt, session, row, bundle)
        command = timer_command(workflow, now)
    except Exception:  # a state that does not load: the step below records the incident
        if not guarded:
            raise
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
        guarded=guarded,
    )
    return change.failure is None


def _fire_chunk(
    rt: Runtime, session: so.Session, chunk: list[int], owner: str, optimistic: bool
) -> tuple[int, int]:
    """Fire a chunk in one transaction and commit: optimistically without savepoints first;
    when a step fails or conflicts, roll back and fire the chunk again, each in a savepoint
    (the failing one becomes an incident, the others fire). Nothing of the first try commits."""
    if optimistic:
        try:
            result = fire_leased(rt, session, chunk, owner, guarded=False)
            session.commit()
            return result
        except Exception:
            session.rollback()
    result = fire_leased(rt, session, chunk, owner)
    session.commit()
    return result


def _release(session: so.Session, instance_ids: list[int], owner: str) -> None:
    session.execute(_RELEASE, {"ids": instance_ids, "owner": owner})
    session.commit()


def fire_due(
    rt: Runtime,
    session: so.Session,
    owner: str,
    lease_seconds: int = 30,
    batch: int = 100,
    per_transaction: int = PER_TRANSACTION,
) -> FireReport:
    """Lease one batch of due instances and fire them, `per_transaction` per transaction.

    One transaction per several firings shares its commit and its audit statements among them
    (the audit entries of a transaction are written at its commit). Half-way through the lease
    the rest of the batch is released unfired, so no lease runs out while its instance waits.
    """
    now = rt.clock.now()
    ids = due_instances(session, now, owner, lease_seconds, batch)
    # Savepoints cost two round trips per firing on PostgreSQL; SQLite (one scheduler, and a
    # savepoint opens its write transaction) keeps them.
    optimistic = session.get_bind().dialect.name == "postgresql"
    deadline = time.monotonic() + min(lease_seconds, MAX_LEASE_SECONDS) / 2
    fired = failed = 0
    # The batch was chosen as due at `now`: its firings all happen at that instant (and the
    # clock is read once, not once per instance).
    with rt.clock.frozen(now):
        for start in range(0, len(ids), per_transaction):
            chunk = ids[start : start + per_transaction]
            if time.monotonic() > deadline:
                _release(session, ids[start:], owner)
                failed += len(ids) - start
                break
            try:
                done, not_done = _fire_chunk(rt, session, chunk, owner, optimistic)
            except Exception:
                # Not a step failure (those are incidents): e.g. the database went away.
                log.exception("timer firing failed", extra={"instances": chunk})
                session.rollback()
                _release(session, chunk, owner)
                done, not_done = 0, len(chunk)
            fired, failed = fired + done, failed + not_done
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
