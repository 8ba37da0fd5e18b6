"""The receivables part of a customer's credit file: aging, open invoices, latest payments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.kpi_figures import open_at_by_bucket
from credit.payments import payments_of
from credit.receivable_models import Invoice, InvoiceStatus

OPEN_INVOICES_SHOWN = 50


def receivables_view(session: so.Session, customer_id: int, today: dt.date) -> dict[str, Any]:
    """Aging on ``today`` (CNY), the open invoices oldest due first, the latest payments."""
    invoices = session.scalars(
        sa.select(Invoice)
        .where(Invoice.customer_id == customer_id, Invoice.status == InvoiceStatus.OPEN.value)
        .order_by(Invoice.due_on, Invoice.id)
        .limit(OPEN_INVOICES_SHOWN)
    ).all()
    return {
        "aging": open_at_by_bucket(session, today, customer_id),
        "open_invoices": [
            {
                "number": i.number,
                "amount": i.amount,
                "open_amount": i.open_amount,
                "currency": i.currency,
                "issued_on": i.issued_on,
                "due_on": i.due_on,
                "days_past_due": max(0, (today - i.due_on).days),
            }
            for i in invoices
        ],
        "payments": [
            {
                "id": p.id,
                "number": i.number,
                "amount": p.amount,
                "currency": i.currency,
                "paid_on": p.paid_on,
                "reference": p.reference,
                "reversed_on": p.reversed_on,
                "reversal_reason": p.reversal_reason,
            }
            for p, i in payments_of(session, customer_id, limit=20)
        ],
    }
