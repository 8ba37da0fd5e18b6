"""Search the audit trail by instance, credit application, customer, actor, action and time.

One query for the API (GET /audit-events) and the auditor's page. A customer's trail is its
own events (subject ``customer:<id>``) and every event of the instances about it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.models import CreditApplication
from engine.clock import to_db
from engine.models import AuditEvent, ProcessInstance


@dataclass(frozen=True)
class AuditFilter:
    """What to look for; None leaves a criterion out. Ids are already bounded by the caller."""

    instance_id: int | None = None
    application_id: int | None = None
    customer_id: int | None = None
    actor: str | None = None
    action: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def audit_events(session: so.Session, flt: AuditFilter, limit: int) -> list[AuditEvent]:
    """The matching events, oldest first, at most ``limit``."""
    query = sa.select(AuditEvent)
    if flt.instance_id is not None:
        query = query.where(AuditEvent.instance_id == flt.instance_id)
    if flt.application_id is not None:
        instance = (
            sa.select(CreditApplication.process_instance_id)
            .where(CreditApplication.id == flt.application_id)
            .scalar_subquery()
        )
        query = query.where(AuditEvent.instance_id == instance)
    if flt.customer_id is not None:
        subject = f"customer:{flt.customer_id}"
        instances = sa.select(ProcessInstance.id).where(ProcessInstance.subject == subject)
        query = query.where(
            sa.or_(AuditEvent.subject == subject, AuditEvent.instance_id.in_(instances))
        )
    if flt.actor:
        query = query.where(AuditEvent.actor == flt.actor)
    if flt.action:
        query = query.where(AuditEvent.action == flt.action)
    if flt.since is not None:
        query = query.where(AuditEvent.at >= to_db(flt.since))
    if flt.until is not None:
        query = query.where(AuditEvent.at <= to_db(flt.until))
    return list(session.scalars(query.order_by(AuditEvent.seq).limit(limit)))
