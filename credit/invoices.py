"""Book and list invoices. Booking is idempotent by invoice number.

``book_invoice`` is the one way a single invoice enters the ledger (API, demo, tests); the bulk
import (credit.invoice_import) applies the same rules row by row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.credit_file import find_customer
from credit.exposure import cny, fx_rate, lock_exposure, shift_exposure
from credit.ledger import audit_customer
from credit.receivable_models import Invoice, InvoiceStatus
from credit.reservations import close_for_invoice
from credit.watch import customer_changed
from engine.clock import to_db
from engine.errors import Conflict, Invalid
from engine.money import MONEY_MAX

# The fields that identify a booking: the same number with these equal is the same invoice.
INVOICE_FIELDS = ("customer_id", "number", "amount", "currency", "issued_on", "due_on", "order_ref")


@dataclass(frozen=True)
class Booked:
    """An invoice and whether this call created it (False: the same invoice was already there)."""

    invoice: Invoice
    created: bool


@dataclass(frozen=True)
class InvoicePage:
    """A page of invoices and the cursor of the next page (None at the end)."""

    items: list[Invoice]
    next: int | None


def rule_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Field errors of an invoice's values beyond their types (amount, dates)."""
    errors: dict[str, list[str]] = {}
    amount = values.get("amount")
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        errors["amount"] = ["must be a decimal number greater than 0"]
    elif amount > MONEY_MAX or amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = [f"at most 2 decimal places and at most {MONEY_MAX}"]
    issued, due = values.get("issued_on"), values.get("due_on")
    if isinstance(issued, dt.date) and isinstance(due, dt.date) and due < issued:
        errors["due_on"] = [f"must not be before issued_on ({issued})"]
    return errors


def differences(invoice: Invoice, values: Mapping[str, Any]) -> list[str]:
    """The identifying fields in which ``values`` differ from a booked invoice."""
    wanted = normalized(values)
    return [name for name in INVOICE_FIELDS if getattr(invoice, name) != wanted[name]]


def normalized(values: Mapping[str, Any]) -> dict[str, Any]:
    """The identifying fields as stored: currency upper-case, empty order_ref as None."""
    return {
        "customer_id": values["customer_id"],
        "number": values["number"],
        "amount": Decimal(values["amount"]).quantize(Decimal("0.01")),
        "currency": str(values.get("currency") or "CNY").upper(),
        "issued_on": values["issued_on"],
        "due_on": values["due_on"],
        "order_ref": values.get("order_ref") or None,
    }


def same_number_conflict(invoice: Invoice, changed: list[str]) -> Conflict:
    """The 409 for a number that is already booked with other values."""
    return Conflict(
        f"invoice {invoice.number} already exists (id {invoice.id}) with different "
        f"{', '.join(changed)}; book a correction under a new number",
        invoice_id=invoice.id,
        fields=changed,
    )


def book_invoice(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    values: Mapping[str, Any],
    rates: Mapping[str, str],
) -> Booked:
    """Book an invoice: open receivable in the exposure; an order_ref's reservation ends.

    :raises Invalid: unknown customer or currency, a non-positive amount, due before issued.
    :raises Conflict: the number is booked with different fields.
    """
    if errors := rule_errors(values):
        raise Invalid(f"invalid fields: {', '.join(sorted(errors))}", errors)
    wanted = normalized(values)
    existing = _by_number(session, wanted["number"])
    if existing is not None:
        return _same_again(existing, wanted)
    if find_customer(session, wanted["customer_id"]) is None:
        raise Invalid.field("customer_id", f"no customer with id {wanted['customer_id']}")
    rate = fx_rate(wanted["currency"], rates)
    lock_exposure(session, wanted["customer_id"])
    existing = _by_number(session, wanted["number"])  # booked meanwhile by the same customer
    if existing is not None:
        return _same_again(existing, wanted)
    invoice = Invoice(
        **wanted,
        fx_rate=rate,
        open_amount=wanted["amount"],
        status=InvoiceStatus.OPEN.value,
        created_by=actor,
        created_at=to_db(now),
    )
    session.add(invoice)
    try:
        session.flush()
    except sa.exc.IntegrityError:
        # Only another customer's concurrent booking can get here: ours waited for the lock.
        raise Conflict(
            f"invoice {wanted['number']} was booked by a concurrent request; send it again "
            "to compare"
        ) from None
    shift_exposure(session, invoice.customer_id, receivables=cny(invoice.amount, rate))
    released = Decimal(0)
    if invoice.order_ref:
        released = close_for_invoice(session, now, invoice.customer_id, invoice.order_ref)
    audit_customer(
        session,
        now,
        actor,
        "invoice_booked",
        invoice.customer_id,
        invoice_id=invoice.id,
        number=invoice.number,
        amount=invoice.amount,
        currency=invoice.currency,
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        order_ref=invoice.order_ref,
        reservation_released_cny=released,
    )
    customer_changed(session, invoice.customer_id)
    return Booked(invoice, True)


def _by_number(session: so.Session, number: str) -> Invoice | None:
    return session.scalar(
        sa.select(Invoice).where(Invoice.number == number).execution_options(populate_existing=True)
    )


def _same_again(existing: Invoice, wanted: Mapping[str, Any]) -> Booked:
    changed = differences(existing, wanted)
    if changed:
        raise same_number_conflict(existing, changed)
    return Booked(existing, False)


def list_invoices(
    session: so.Session,
    today: dt.date,
    customer_id: int | None = None,
    status: str | None = None,
    overdue: bool = False,
    limit: int = 100,
    after: int | None = None,
) -> InvoicePage:
    """Invoices by id, a page at a time; ``overdue``: open and past due on ``today``."""
    query = sa.select(Invoice).order_by(Invoice.id).limit(limit + 1)
    if customer_id is not None:
        query = query.where(Invoice.customer_id == customer_id)
    if status:
        query = query.where(Invoice.status == InvoiceStatus(status).value)
    if overdue:
        query = query.where(Invoice.status == InvoiceStatus.OPEN.value, Invoice.due_on < today)
    if after is not None:
        query = query.where(Invoice.id > after)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return InvoicePage(rows, rows[-1].id if more else None)
