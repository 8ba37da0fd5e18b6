"""Invoices (single, list, CSV import), payments and their reversal."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from werkzeug.exceptions import UnsupportedMediaType

from credit import collection_requests, invoice_import, invoices, payments
from web.api import bp
from web.api.receivable_schemas import (
    ImportResult,
    InvoiceBody,
    InvoiceOut,
    InvoicePage,
    InvoiceQuery,
    PaymentBody,
    PaymentOut,
    ReversalBody,
)
from web.api.request import body, query, responds, upload
from web.auth import requires
from web.extensions import db
from web.runtime_access import actor, runtime

RECEIVABLES = ("integration", "collector", "credit_manager", "admin")
CSV_UPLOAD = {
    "type": "string",
    "description": "header customer_id,number,amount,currency,issued_on,due_on[,order_ref]; "
    "the header is line 1",
}


def _rates() -> dict[str, str]:
    return current_app.config["CREDITFLOW"].fx_rates


@bp.post("/invoices")
@requires(*RECEIVABLES)
@body(InvoiceBody)
@responds(201, InvoiceOut, "booked")
@responds(200, InvoiceOut, "the same invoice was booked before; nothing changed")
def create_invoice(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Book an invoice; the same number with the same fields again changes nothing (200)."""
    booked = invoices.book_invoice(
        db.session, runtime().clock.now(), actor().username, body, _rates()
    )
    db.session.commit()
    return InvoiceOut().dump(booked.invoice), 201 if booked.created else 200


@bp.get("/invoices")
@requires(*RECEIVABLES)
@query(InvoiceQuery)
@responds(200, InvoicePage)
def list_invoices(args: dict[str, Any]) -> dict[str, Any]:
    """Invoices by id, filtered by customer, status or overdue; ``next`` pages on."""
    page = invoices.list_invoices(db.session, runtime().clock.today(), **args)
    return InvoicePage().dump(page)


@bp.post("/invoices/import")
@requires(*RECEIVABLES)
@upload(CSV_UPLOAD, "text/csv")
@responds(200, ImportResult)
def import_invoices() -> dict[str, Any]:
    """Import a CSV of invoices (text/csv); bad lines are reported, good lines booked."""
    if request.mimetype not in ("text/csv", "text/plain"):
        raise UnsupportedMediaType("send the CSV as the body with Content-Type: text/csv")
    text = request.get_data(cache=False).decode("utf-8-sig", errors="replace")
    report = invoice_import.import_invoices(
        db.session, runtime().clock.now(), actor().username, text.splitlines(), _rates()
    )
    db.session.commit()
    rejected = [{"line": r.line, "errors": r.errors} for r in report.rejected]
    return {"imported": report.imported, "unchanged": report.unchanged, "rejected": rejected}


@bp.post("/payments")
@requires(*RECEIVABLES)
@body(PaymentBody)
@responds(201, PaymentOut, "recorded")
@responds(200, PaymentOut, "the same reference was recorded before; nothing changed")
def create_payment(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Record a payment against an invoice; the same reference again changes nothing (200)."""
    recorded = collection_requests.record_payment(db.session, runtime(), actor(), body)
    db.session.commit()
    out = {
        **PaymentOut().dump(recorded.payment),
        "invoice_open_amount": recorded.invoice_open_amount,
    }
    return out, 201 if recorded.created else 200


@bp.post("/payments/<int:payment_id>/reverse")
@requires(*RECEIVABLES)
@body(ReversalBody)
@responds(200, PaymentOut)
def reverse_payment(payment_id: int, body: dict[str, Any]) -> dict[str, Any]:
    """Reverse a payment (bounced or booked in error); its invoice reopens."""
    clock = runtime().clock
    payment, balance = payments.reverse_payment(
        db.session,
        clock.now(),
        clock.today(),
        actor().username,
        payment_id,
        body["reason"],
    )
    db.session.commit()
    return {**PaymentOut().dump(payment), "invoice_open_amount": balance.open_amount}
