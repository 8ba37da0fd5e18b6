"""The rest of the credit file (资信档案): assessments and reviews, reports, receivables, ratios.

``customer_summary`` (credit.credit_file) holds the profile and active terms; these sections
complete the file the credit manager reads: every assessment and review with score, grade and
reason codes, every credit report, ratios over time, invoices and payment behaviour.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.credit_file import StatementWithRatios, columns
from credit.models import (
    ApplicationStatus,
    CreditApplication,
    CreditReport,
    Invoice,
    InvoiceStatus,
    Payment,
)
from credit.monitoring_models import CreditReview
from credit.ratios import RATIO_NAMES
from credit.reviews import review_view
from credit.scorecard import as_points
from engine.clock import from_db

RATIO_ROWS = (*RATIO_NAMES, "altman_zone")


def assessments(session: so.Session, customer_id: int) -> list[dict[str, Any]]:
    """Every scored application and every scored review, newest first."""
    apps = session.scalars(
        sa.select(CreditApplication).where(
            CreditApplication.customer_id == customer_id, CreditApplication.grade.is_not(None)
        )
    )
    rows = [
        {
            "kind": "application",
            "id": app.id,
            "process_instance_id": app.process_instance_id,
            "at": from_db(app.decided_at or app.created_at),
            "status": app.status,
            "score": as_points(app.score),
            "grade": app.grade,
            "reason_codes": list(app.reason_codes or []),
            "limit": app.approved_limit
            if app.status == ApplicationStatus.APPROVED
            else app.requested_limit,
            "report": app.status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED),
        }
        for app in apps
    ]
    reviews = session.scalars(
        sa.select(CreditReview).where(
            CreditReview.customer_id == customer_id, CreditReview.grade.is_not(None)
        )
    )
    for review in reviews:
        view = review_view(review)
        rows.append(
            {
                "kind": "review",
                "id": review.id,
                "process_instance_id": review.process_instance_id,
                "at": view["completed_at"] or view["started_at"],
                "status": review.outcome or review.stage,
                "score": view["score"],
                "grade": review.grade,
                "reason_codes": view["reason_codes"],
                "limit": review.approved_limit or review.proposed_limit,
                "report": review.status == "completed",
            }
        )
    rows.sort(key=lambda row: row["at"] or dt.datetime.min.replace(tzinfo=dt.UTC), reverse=True)
    return rows


def credit_reports(session: so.Session, customer_id: int) -> list[dict[str, Any]]:
    """Every credit report, latest first."""
    rows = session.scalars(
        sa.select(CreditReport)
        .where(CreditReport.customer_id == customer_id)
        .order_by(CreditReport.report_date.desc(), CreditReport.id.desc())
    )
    return [columns(row) for row in rows]


def ratios_over_time(statements: list[StatementWithRatios]) -> dict[str, Any]:
    """Ratios by period, oldest period first (a table with one column per period)."""
    ordered = list(reversed(statements))
    return {
        "periods": [str(s.statement.period_end) for s in ordered],
        "rows": [
            {"ratio": name, "values": [s.ratios.get(name) for s in ordered]} for name in RATIO_ROWS
        ],
    }


def receivables(session: so.Session, customer_id: int, today: dt.date) -> dict[str, Any]:
    """Open invoices by age, recent payments, and how the customer has paid (12 months)."""
    open_rows = list(
        session.scalars(
            sa.select(Invoice)
            .where(Invoice.customer_id == customer_id, Invoice.status == InvoiceStatus.OPEN.value)
            .order_by(Invoice.due_on, Invoice.id)
            .limit(50)
        )
    )
    totals = session.execute(
        sa.select(
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(Invoice.open_amount), 0),
            sa.func.coalesce(
                sa.func.sum(sa.case((Invoice.due_on < today, Invoice.open_amount), else_=0)), 0
            ),
        ).where(Invoice.customer_id == customer_id, Invoice.status == InvoiceStatus.OPEN.value)
    ).one()
    settled = session.execute(
        sa.select(Invoice.due_on, Invoice.settled_on).where(
            Invoice.customer_id == customer_id,
            Invoice.settled_on.is_not(None),
            Invoice.settled_on >= today - dt.timedelta(days=365),
        )
    ).all()
    late = [max(0, (paid - due).days) for due, paid in settled]
    payments = session.execute(
        sa.select(Payment, Invoice.number)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Payment.customer_id == customer_id)
        .order_by(Payment.paid_on.desc(), Payment.id.desc())
        .limit(20)
    ).all()
    return {
        "open_count": totals[0],
        "open_amount": totals[1],
        "overdue_amount": totals[2],
        "open_invoices": [
            {
                "number": inv.number,
                "amount": inv.amount,
                "open_amount": inv.open_amount,
                "currency": inv.currency,
                "issued_on": inv.issued_on,
                "due_on": inv.due_on,
                "days_past_due": max(0, (today - inv.due_on).days),
            }
            for inv in open_rows
        ],
        "behaviour": {
            "settled_12m": len(settled),
            "settled_late_12m": sum(1 for days in late if days > 0),
            "average_days_late": round(sum(late) / len(late), 1) if late else None,
            "max_days_late": max(late) if late else None,
        },
        "payments": [
            {
                "invoice": number,
                "amount": payment.amount,
                "paid_on": payment.paid_on,
                "reference": payment.reference,
                "reversed_on": payment.reversed_on,
                "reversal_reason": payment.reversal_reason,
            }
            for payment, number in payments
        ],
    }
