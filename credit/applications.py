"""Credit applications: file one (starting its process) and read its state."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy.orm as so

from credit.models import ApplicationStatus, CreditApplication, Customer
from credit.scorecard import as_points
from credit.terms import to_base
from engine.audit import AuditEntry, append
from engine.clock import from_db, to_db
from engine.errors import Invalid, NotFound
from engine.instances import Actor, start_instance
from engine.runtime import Runtime

PROCESS_KEY = "credit_application"


def file_application(
    session: so.Session, rt: Runtime, actor: Actor, values: dict[str, Any], rates: dict[str, str]
) -> CreditApplication:
    """Create an application and start its credit_application process.

    A process step that fails leaves the application filed and its instance in `error` (an
    incident for an operator), not a lost application.
    """
    customer = session.get(Customer, values["customer_id"])
    if customer is None:
        raise Invalid.field("customer_id", f"no customer with id {values['customer_id']}")
    currency = values.get("currency", "CNY").upper()
    if currency not in rates:
        raise Invalid.field("currency", f"no exchange rate for {currency}; known: {sorted(rates)}")
    now = rt.clock.now()
    app = CreditApplication(
        customer_id=customer.id,
        requested_limit=values["requested_limit"],
        currency=currency,
        requested_terms_days=values["requested_terms_days"],
        expected_monthly_purchases=values["expected_monthly_purchases"],
        reason=values.get("reason") or "",
        status=ApplicationStatus.IN_ASSESSMENT.value,
        applicant=actor.username,
        reason_codes=[],
        assessment={},
        created_at=to_db(now),
    )
    session.add(app)
    session.flush()
    subject = f"customer:{customer.id}"
    append(
        session,
        now,
        [
            AuditEntry(
                actor.username,
                "application_filed",
                subject=subject,
                data={
                    "application_id": app.id,
                    "requested_limit": app.requested_limit,
                    "currency": currency,
                    "requested_terms_days": app.requested_terms_days,
                },
            )
        ],
    )
    change = start_instance(
        rt,
        session,
        PROCESS_KEY,
        actor,
        business_key=str(app.id),
        subject=subject,
        data={
            "application_id": app.id,
            "requested_limit_cny": to_base(Decimal(app.requested_limit), currency, rates),
        },
    )
    app.process_instance_id = change.instance.id
    return app


def application_view(session: so.Session, application_id: int) -> dict[str, Any]:
    """The application as the API shows it, with every approval."""
    app = session.get(CreditApplication, application_id)
    if app is None:
        raise NotFound(f"no credit application with id {application_id}")
    assessment = app.assessment or {}
    return {
        "id": app.id,
        "customer_id": app.customer_id,
        "status": app.status,
        "process_instance_id": app.process_instance_id,
        "requested_limit": app.requested_limit,
        "currency": app.currency,
        "requested_terms_days": app.requested_terms_days,
        "expected_monthly_purchases": app.expected_monthly_purchases,
        "reason": app.reason,
        "applicant": app.applicant,
        "analyst": app.analyst,
        "score": as_points(app.score),
        "grade": app.grade,
        "reason_codes": list(app.reason_codes or []),
        "suggested_limit": app.suggested_limit,
        "suggested_terms_days": app.suggested_terms_days,
        "approved_limit": app.approved_limit,
        "approved_terms_days": app.approved_terms_days,
        "override": {
            "values": assessment.get("overrides") or {},
            "reason": assessment.get("override_reason"),
        }
        if assessment.get("overrides")
        else None,
        "assessment": assessment,
        "approvals": [
            {
                "tier": a.tier,
                "user": a.user,
                "decision": a.decision,
                "comment": a.comment,
                "approved_limit": a.approved_limit,
                "round": a.round,
                "at": from_db(a.at),
            }
            for a in app.approvals
        ],
        "created_at": from_db(app.created_at),
        "decided_at": from_db(app.decided_at),
    }
