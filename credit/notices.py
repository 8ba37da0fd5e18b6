"""Notices ahead of time: securities that expire and limits whose review falls due.

A notice goes to the credit managers 30 days and again 7 days before the date (credit-policy
"Periodic review"; issue 10). Each notice has a key naming its subject, date and stage, so the
outbox sends it once however often the sweep runs; a changed date gets notices of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.ledger import audit_customer
from credit.models import Customer, Security

STAGES = (30, 7)  # days ahead; the nearest stage not yet passed applies
CREDIT_MANAGERS = "credit_manager"


@dataclass(frozen=True)
class Notice:
    """A notice to send: its once-only key, template, values and the groups it reaches."""

    key: str
    template: str
    customer_id: int
    values: dict[str, Any]
    groups: list[str] = field(default_factory=lambda: [CREDIT_MANAGERS])


def stage_of(days_left: int) -> int | None:
    """The notice stage for a date `days_left` ahead: 7 within a week, 30 within a month."""
    if days_left < 0:
        return None
    fitting = [stage for stage in STAGES if days_left <= stage]
    return min(fitting) if fitting else None


def due_notices(session: so.Session, today: dt.date) -> list[Notice]:
    """Every notice due today: active limits' reviews and securities within 30 days."""
    horizon = today + dt.timedelta(days=max(STAGES))
    notices = []
    customers = session.execute(
        sa.select(
            Customer.id,
            Customer.name,
            Customer.review_due_on,
            Customer.credit_limit,
            Customer.currency,
        ).where(
            Customer.credit_limit.is_not(None),
            Customer.credit_limit > 0,
            Customer.review_due_on.between(today, horizon),
        )
    )
    for cid, name, due_on, limit, currency in customers:
        days = (due_on - today).days
        stage = stage_of(days)
        notices.append(
            Notice(
                f"review_due:{cid}:{due_on.isoformat()}:{stage}",
                "review_due",
                cid,
                {
                    "customer_id": cid,
                    "customer_name": name,
                    "review_due_on": due_on.isoformat(),
                    "days": days,
                    "credit_limit": str(limit),
                    "currency": currency,
                },
            )
        )
    securities = session.execute(
        sa.select(Security, Customer.name)
        .join(Customer, Customer.id == Security.customer_id)
        .where(Security.expires_on.between(today, horizon))
        .order_by(Security.id)
    )
    for security, name in securities:
        days = (security.expires_on - today).days
        stage = stage_of(days)
        notices.append(
            Notice(
                f"security_expiring:{security.id}:{security.expires_on.isoformat()}:{stage}",
                "security_expiring",
                security.customer_id,
                {
                    "customer_id": security.customer_id,
                    "customer_name": name,
                    "security_id": security.id,
                    "kind": security.kind,
                    "amount": str(security.amount),
                    "currency": security.currency,
                    "expires_on": security.expires_on.isoformat(),
                    "days": days,
                },
            )
        )
    return notices


def audit_notice(session: so.Session, now: dt.datetime, notice: Notice) -> None:
    """Record in the audit trail that a notice went out (once, with its first sending)."""
    audit_customer(
        session,
        now,
        "system",
        "notice_sent",
        notice.customer_id,
        template=notice.template,
        key=notice.key,
        groups=notice.groups,
    )
