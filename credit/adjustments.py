"""Credit notes and write-offs: ledger entries that lower an invoice's open amount.

Both check their own preconditions from the database whoever calls them (an API route, a
collection process's service task): the invoice is open, the amount is above 0 and at most the
open amount, a reason is given. Approvals that must precede a write-off are the calling
process's precondition (its service checks them before calling ``write_off``). A ``reference``
makes a call idempotent: the same reference again returns the entry already made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.exposure import lock_exposure
from credit.ledger import Balance, apply_entry, audit_customer, get_invoice
from credit.receivable_models import Adjustment, AdjustmentKind, InvoiceStatus
from credit.watch import customer_changed
from engine.clock import to_db
from engine.errors import Conflict, Invalid


@dataclass(frozen=True)
class Adjusted:
    """The entry made (or found by its reference) and the invoice's balance after it."""

    entry: Adjustment
    balance: Balance
    created: bool


def issue_credit_note(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    invoice_id: int,
    amount: Decimal,
    dated_on: dt.date,
    reason: str,
    reference: str | None = None,
) -> Adjusted:
    """Issue a credit note of ``amount`` against an open invoice (e.g. a valid dispute).

    :raises NotFound: no such invoice.
    :raises Conflict: the invoice is not open, or the reference was used for another entry.
    :raises Invalid: amount not above 0 or above the open amount; no reason.
    """
    return _adjust(
        session,
        now,
        actor,
        AdjustmentKind.CREDIT_NOTE,
        invoice_id,
        amount,
        dated_on,
        reason,
        reference,
    )


def write_off(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    invoice_id: int,
    dated_on: dt.date,
    reason: str,
    amount: Decimal | None = None,
    reference: str | None = None,
) -> Adjusted:
    """Write off an open invoice's open amount (or part of it); dated the day of approval.

    :raises NotFound: no such invoice.
    :raises Conflict: the invoice is not open, or the reference was used for another entry.
    :raises Invalid: amount not above 0 or above the open amount; no reason.
    """
    return _adjust(
        session,
        now,
        actor,
        AdjustmentKind.WRITE_OFF,
        invoice_id,
        amount,
        dated_on,
        reason,
        reference,
    )


def _adjust(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    kind: AdjustmentKind,
    invoice_id: int,
    amount: Decimal | None,
    dated_on: dt.date,
    reason: str,
    reference: str | None,
) -> Adjusted:
    invoice = get_invoice(session, invoice_id)
    if not (reason or "").strip():
        raise Invalid.field("reason", f"a {kind.value.replace('_', ' ')} needs a written reason")
    lock_exposure(session, invoice.customer_id)
    if reference and (found := _by_reference(session, reference)) is not None:
        if (found.kind, found.invoice_id) != (kind.value, invoice_id) or (
            amount is not None and found.amount != amount
        ):
            raise Conflict(f"reference {reference!r} was used for {found.kind} {found.id}")
        session.refresh(invoice)
        return Adjusted(found, Balance(invoice.id, invoice.open_amount, invoice.status), False)
    session.refresh(invoice)
    if invoice.status != InvoiceStatus.OPEN:
        raise Conflict(f"invoice {invoice.number} is {invoice.status}; only open invoices")
    amount = Decimal(invoice.open_amount) if amount is None else amount
    if not amount.is_finite() or amount <= 0:
        raise Invalid.field("amount", "must be a decimal number greater than 0")
    entry = Adjustment(
        kind=kind.value,
        customer_id=invoice.customer_id,
        invoice_id=invoice.id,
        amount=amount,
        fx_rate=invoice.fx_rate,
        dated_on=dated_on,
        reason=reason.strip(),
        reference=reference,
        created_by=actor,
        created_at=to_db(now),
    )
    session.add(entry)
    session.flush()
    balance = apply_entry(session, invoice, amount)
    audit_customer(
        session,
        now,
        actor,
        f"{kind.value}_booked",
        invoice.customer_id,
        entry_id=entry.id,
        invoice_id=invoice.id,
        number=invoice.number,
        amount=amount,
        dated_on=dated_on,
        reason=entry.reason,
        invoice_open_amount=balance.open_amount,
    )
    customer_changed(session, invoice.customer_id)
    return Adjusted(entry, balance, True)


def _by_reference(session: so.Session, reference: str) -> Adjustment | None:
    return session.scalar(sa.select(Adjustment).where(Adjustment.reference == reference))
