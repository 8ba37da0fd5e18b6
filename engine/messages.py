"""Messages: deliver by name and correlation key to waiting instances, or keep until one waits."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from SpiffWorkflow.bpmn import BpmnEvent, BpmnWorkflow

from engine import audit
from engine.actor import Actor
from engine.audit import AuditEntry
from engine.clock import to_db
from engine.errors import EngineError
from engine.failures import record_failure
from engine.models import InstanceStatus, MessageSubscription, PendingMessage, ProcessInstance
from engine.runtime import Runtime
from engine.steps import Change, load_workflow, run_step


def deliver_message(
    rt: Runtime, session: so.Session, name: str, key: str, payload: dict[str, Any], actor: Actor
) -> list[int]:
    """Deliver a message to every instance waiting for it; keep it when none waits."""
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
    bundle = rt.registry.get(session, row.process_key, row.version)
    workflow = load_workflow(rt, row, bundle)
    entry = AuditEntry(
        username,
        "message_received",
        row.id,
        subject=row.subject,
        data={"name": name, "payload": payload},
    )

    def command(wf: BpmnWorkflow, ctx: Any) -> None:
        from engine.subscriptions import waiting_message_tasks

        for task in waiting_message_tasks(wf):
            definition = task.task_spec.event_definition
            if definition.name == name:
                wf.catch(BpmnEvent(definition, payload))
                break

    try:
        return run_step(rt, session, row, bundle, workflow, username, command, [entry])
    except EngineError:
        raise
    except Exception as exc:
        raise record_failure(rt, session, row.id, exc, None) from exc


def deliver_pending(rt: Runtime, session: so.Session, row: ProcessInstance) -> None:
    """Hand kept messages to an instance that now waits for them."""
    subs = session.scalars(
        sa.select(MessageSubscription).where(MessageSubscription.instance_id == row.id)
    ).all()
    for sub in subs:
        pending = session.scalar(
            sa.select(PendingMessage)
            .where(
                PendingMessage.name == sub.name,
                PendingMessage.correlation_key == sub.correlation_key,
                PendingMessage.delivered_to.is_(None),
            )
            .order_by(PendingMessage.id)
            .limit(1)
        )
        if pending is not None:
            catch_message(rt, session, row, pending.name, pending.payload, "system")
            pending.delivered_to, pending.delivered_at = row.id, to_db(rt.clock.now())
