"""Messages: deliver by name and correlation key to waiting instances, or keep until one waits."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine import audit
from engine.actor import Actor
from engine.advance import advance, message_entry
from engine.audit import AuditEntry
from engine.clock import to_db
from engine.commands import message_command
from engine.models import InstanceStatus, MessageSubscription, PendingMessage, ProcessInstance
from engine.runtime import Runtime
from engine.steps import Change


def deliver_message(
    rt: Runtime, session: so.Session, name: str, key: str, payload: dict[str, Any], actor: Actor
) -> list[int]:
    """Deliver a message to every instance waiting for it; keep it when none waits.

    An instance whose step fails on the message keeps it in its incident (a retry delivers it
    again), so it counts as delivered.
    """
    subs = session.scalars(
        sa.select(MessageSubscription).where(
            MessageSubscription.name == name, MessageSubscription.correlation_key == key
        )
    ).all()
    delivered = []
    for instance_id in sorted({s.instance_id for s in subs}):
        row = session.get(ProcessInstance, instance_id)
        if row.status == InstanceStatus.ERROR:
            continue
        catch_message(rt, session, row, name, payload, actor.username)
        delivered.append(instance_id)
    if not delivered:
        session.add(
            PendingMessage(
                name=name, correlation_key=key, payload=payload, created_at=to_db(rt.clock.now())
            )
        )
        audit.append(
            session,
            rt.clock.now(),
            [
                AuditEntry(
                    actor.username, "message_pending", data={"name": name, "correlation_key": key}
                )
            ],
        )
    return delivered


def catch_message(
    rt: Runtime,
    session: so.Session,
    row: ProcessInstance,
    name: str,
    payload: dict[str, Any],
    username: str,
) -> Change:
    """Hand one message to one instance (a failure becomes the instance's incident)."""
    bundle = rt.registry.get(session, row.process_key, row.version)
    return advance(
        rt,
        session,
        row,
        bundle,
        message_command(name, payload),
        username,
        entries=[message_entry(row, name, payload, username)],
    )
