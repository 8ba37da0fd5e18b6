"""Book invoices and payments through the receivables services, for tests that need a ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from credit.invoices import book_invoice
from credit.payments import record_payment
from web.extensions import db

RATES = {"CNY": "1", "USD": "7.10", "EUR": "7.70", "HKD": "0.91"}
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def book(customer_id, number, amount, issued_on, due_on, currency="CNY", order_ref=None):
    """Book one invoice as erp1 and return it."""
    values = {
        "customer_id": customer_id,
        "number": number,
        "amount": Decimal(amount),
        "currency": currency,
        "issued_on": issued_on,
        "due_on": due_on,
        "order_ref": order_ref,
    }
    return book_invoice(db.session, NOW, "erp1", values, RATES).invoice


def pay(customer_id, number, amount, paid_on, reference=None):
    """Record one payment as erp1 and return it."""
    values = {
        "customer_id": customer_id,
        "invoice_number": number,
        "amount": Decimal(amount),
        "paid_on": paid_on,
        "reference": reference,
    }
    return record_payment(db.session, NOW, "erp1", values)


def customer_row(n: int = 1, limit: str | None = None, grade: str | None = None, **fields) -> int:
    """Insert a customer directly (no process) and return its id."""
    from credit.models import Customer
    from credit.uscc import make_uscc

    row = Customer(
        name=f"账款客户 {n}",
        uscc=make_uscc(f"91310000MB{n:06d}"),
        contacts=[],
        credit_limit=None if limit is None else Decimal(limit),
        grade=grade,
        created_at=NOW.replace(tzinfo=None),
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row.id


def post_csv(api, text, content_type="text/csv"):
    """POST /invoices/import as erp1 with a CSV body."""
    return api.client.post(
        "/api/v1/invoices/import",
        data=text.encode(),
        headers={"Content-Type": content_type, "Authorization": f"Bearer {api.token('erp1')}"},
    )
