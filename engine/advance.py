"""Advance an instance by one command: a guarded step, an incident when it fails, then the
messages that were waiting for the subscriptions it created."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.audit import AuditEntry
from engine.clock import to_db
from engine.commands import Command, message_command
from engine.errors import Conflict, EngineError
from engine.failures import error_info, failing_task, record_failure
from engine.models import InstanceStatus, MessageSubscription, PendingMessage, ProcessInstance
from engine.registry import Bundle
from engine.runtime import Runtime
from engine.steps import Change, load_workflow, run_step

# Built once: looked up after every step that subscribes to a message.
_OLDEST_PENDING = (
    sa.select(PendingMessage)
    .where(
        PendingMessage.name == sa.bindparam("name"),
        PendingMessage.correlation_key == sa.bindparam("key"),
        PendingMessage.delivered_to.is_(None),
    )
    .order_by(PendingMessage.id)
    .limit(1)
)


def _any_pending(session: so.Session, subscriptions: list[tuple[str, str]]) -> bool:
    """Whether a kept message waits for any of the subscriptions: one statement for them all
    (an instance usually subscribes to several messages at once and none has arrived).

    Names and keys are matched as two lists (the key's index serves it on both databases; a row
    value IN scans the table on SQLite), then exactly, in Python.
    """
    if not subscriptions:
        return False
    names, keys = {name for name, _ in subscriptions}, {key for _, key in subscriptions}
    found = session.execute(
        sa.select(PendingMessage.name, PendingMessage.correlation_key).where(
            PendingMessage.correlation_key.in_(keys),
            PendingMessage.name.in_(names),
            PendingMessage.delivered_to.is_(None),
        )
    )
    wanted = set(subscriptions)
    return any(tuple(row) in wanted for row in found)


def _still_subscribed(session: so.Session, instance_id: int, name: str, key: str) -> bool:
    found = sa.select(MessageSubscription.id).where(
        MessageSubscription.instance_id == instance_id,
        MessageSubscription.name == name,
        MessageSubscription.correlation_key == key,
    )
    return session.scalar(found.limit(1)) is not None


def advance(
    rt: Runtime,
    session: so.Session,
    row: ProcessInstance,
    bundle: Bundle,
    command: Command,
    actor: str,
    *,
    entries: list[AuditEntry] | None = None,
    workflow: Any | None = None,
    release_lease: bool = False,
    raise_engine_errors: bool = False,
    initial_state: Callable[[], str] | None = None,
    guarded: bool = True,
) -> Change:
    """Run one command on the instance in a savepoint of the caller's transaction.

    A failing step leaves the caller's work in place and the instance in `error` with an
    incident (returned as `change.failure`, not raised). A `Conflict` always propagates: someone
    else moved the instance and their state stands.

    :param raise_engine_errors: let domain refusals (`Invalid`, `Forbidden`, …) reach the
        caller instead of becoming an incident: a user's own command is answered with them.
    :param initial_state: the state to keep when a new instance fails in its first step.
    :param guarded: False runs the step without its savepoint and lets every error through
        (no incident): the caller rolls its whole transaction back and redoes the step guarded.
    """
    revision, previous_status = row.revision, row.status
    previous = dict(row.error or {}) if previous_status == InstanceStatus.ERROR else None
    try:
        if workflow is None:
            workflow = load_workflow(rt, session, row, bundle)
        change = run_step(
            rt, session, row, bundle, workflow, actor, command, entries, release_lease, guarded
        )
    except Exception as exc:
        if not guarded or isinstance(exc, Conflict):
            raise
        if raise_engine_errors and isinstance(exc, EngineError):
            raise
        info = error_info(
            exc,
            failing_task(exc, workflow),
            command,
            bundle.serializer.registry.convert(command),
            rt.clock.now().isoformat(),
            previous,
        )
        failure = record_failure(
            rt,
            session,
            row,
            revision,
            info,
            state=initial_state() if initial_state else None,
            entries=entries,
            release_lease=release_lease,
        )
        return Change(instance=row, actor=actor, previous_status=previous_status, failure=failure)
    if change.subscribed:
        deliver_pending(rt, session, row, bundle, change.subscribed)
    return change


def message_entry(row: ProcessInstance, name: str, payload: dict[str, Any], actor: str) -> Any:
    """The audit event of a message reaching an instance."""
    return AuditEntry(
        actor,
        "message_received",
        row.id,
        subject=row.subject,
        data={"name": name, "payload": payload},
    )


def deliver_pending(
    rt: Runtime,
    session: so.Session,
    row: ProcessInstance,
    bundle: Bundle,
    subscriptions: list[tuple[str, str]],
) -> None:
    """Hand kept messages to an instance that has just begun waiting for them.

    A message is marked delivered before its step runs: if the step fails, the incident keeps
    the message and a retry delivers it again.
    """
    if not _any_pending(session, subscriptions):
        return
    delivered = False
    for name, key in subscriptions:
        if delivered and not _still_subscribed(session, row.id, name, key):
            continue  # the delivery before moved the instance past this wait: the message stays
        pending = session.scalar(_OLDEST_PENDING, {"name": name, "key": key})
        if pending is None:
            continue
        delivered = True
        pending.delivered_to, pending.delivered_at = row.id, to_db(rt.clock.now())
        change = advance(
            rt,
            session,
            row,
            bundle,
            message_command(name, pending.payload),
            "system",
            entries=[message_entry(row, name, pending.payload, "system")],
        )
        if change.failure is not None:
            return
