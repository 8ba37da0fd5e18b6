"""Invoices (single, list, CSV import), payments and their reversal."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from werkzeug.exceptions import UnsupportedMediaType

from credit import invoice_import, invoices, payments
from web.api import bp
from web.api.receivable_schemas import (
    InvoiceBody,
    InvoiceOut,
    InvoiceQuery,
    PaymentBody,
    PaymentOut,
    ReversalBody,
)
from web.api.request import load
from web.auth import current_user, requires
from web.extensions import db
from web.runtime_access import runtime

RECEIVABLES = ("integration", "collector", "credit_manager", "admin")


def _rates() -> dict[str, str]:
    return current_app.config["CREDITFLOW"].fx_rates


@bp.post("/invoices")
@requires(*RECEIVABLES)
def create_invoice() -> tuple[dict[str, Any], int]:
    """Book an invoice; the same number with the same fields again changes nothing (200)."""
    values = load(InvoiceBody())
    booked = invoices.book_invoice(
        db.session, runtime().clock.now(), current_user().username, values, _rates()
    )
    db.session.commit()
    return InvoiceOut().dump(booked.invoice), 201 if booked.created else 200


@bp.get("/invoices")
@requires(*RECEIVABLES)
def list_invoices() -> dict[str, Any]:
    """Invoices by id, filtered by customer, status or overdue; ``next`` pages on."""
    query = InvoiceQuery().load(request.args.to_dict())
    page = invoices.list_invoices(db.session, runtime().clock.today(), **query)
    return {"items": InvoiceOut(many=True).dump(page.items), "next": page.next}


@bp.post("/invoices/import")
@requires(*RECEIVABLES)
def import_invoices() -> dict[str, Any]:
    """Import a CSV of invoices (text/csv); bad lines are reported, good lines booked."""
    if request.mimetype not in ("text/csv", "text/plain"):
        raise UnsupportedMediaType("send the CSV as the body with Content-Type: text/csv")
    text = request.get_data(cache=False).decode("utf-8-sig", errors="replace")
    report = invoice_import.import_invoices(
        db.session,
        runtime().clock.now(),
        current_user().username,
        text.splitlines(),
        _rates(),
    )
    db.session.commit()
    return {
        "imported": report.imported,
        "unchanged": report.unchanged,
        "rejected": [{"line": r.line, "errors": r.errors} for r in report.rejected],
    }


@bp.post("/payments")
@requires(*RECEIVABLES)
def create_payment() -> tuple[dict[str, Any], int]:
    """Record a payment against an invoice; the same reference again changes nothing (200)."""
    values = load(PaymentBody())
    recorded = payments.record_payment(
        db.session, runtime().clock.now(), current_user().username, values
    )
    db.session.commit()
    body = {
        **PaymentOut().dump(recorded.payment),
        "invoice_open_amount": recorded.invoice_open_amount,
    }
    return body, 201 if recorded.created else 200


@bp.post("/payments/<int:payment_id>/reverse")
@requires(*RECEIVABLES)
def reverse_payment(payment_id: int) -> dict[str, Any]:
    """Reverse a payment (bounced or booked in error); its invoice reopens."""
    values = load(ReversalBody())
    clock = runtime().clock
    payment, balance = payments.reverse_payment(
        db.session,
        clock.now(),
        clock.today(),
        current_user().username,
        payment_id,
        values["reason"],
    )
    db.session.commit()
    return {**PaymentOut().dump(payment), "invoice_open_amount": balance.open_amount}
