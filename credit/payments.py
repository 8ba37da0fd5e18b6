"""Record payments against invoices (partial, idempotent by reference) and reverse them.

A reversal keeps the payment row and dates it (``reversed_on``, the day it is recorded) with its
reason; ``bounced_since`` answers the early-warning question "bounced in the last N days".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.credit_file import ROW_ID_MAX
from credit.exposure import lock_exposure
from credit.ledger import Balance, apply_entry, audit_customer, get_invoice, invoice_by_number
from credit.receivable_models import Invoice, Payment, ReversalReason
from credit.watch import customer_changed
from engine.clock import to_db
from engine.errors import Conflict, Invalid, NotFound


@dataclass(frozen=True)
class Recorded:
    """A payment, the invoice's open amount after it, and whether this call recorded it."""

    payment: Payment
    invoice_open_amount: Decimal
    created: bool


def record_payment(
    session: so.Session, now: dt.datetime, actor: str, values: Mapping[str, Any]
) -> Recorded:
    """Record a payment of part or all of an invoice's open amount.

    ``values``: customer_id, invoice_number, amount, paid_on, reference (optional). The same
    reference again with the same values returns the recorded payment unchanged.

    :raises Invalid: unknown invoice of the customer, amount not above 0 or above the open
        amount, paid before the invoice was issued.
    :raises Conflict: the reference was used for a different payment.
    """
    customer_id, amount = values["customer_id"], values["amount"]
    reference = values.get("reference") or None
    if reference and (again := _by_reference(session, reference)) is not None:
        return _same_again(session, again, values)
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise Invalid.field("amount", "must be a decimal number greater than 0")
    invoice = invoice_by_number(session, customer_id, values["invoice_number"])
    if values["paid_on"] < invoice.issued_on:
        raise Invalid.field(
            "paid_on", f"must not be before the invoice was issued ({invoice.issued_on})"
        )
    lock_exposure(session, customer_id)
    if reference and (again := _by_reference(session, reference)) is not None:
        return _same_again(session, again, values)
    payment = Payment(
        customer_id=customer_id,
        invoice_id=invoice.id,
        amount=amount,
        fx_rate=invoice.fx_rate,
        paid_on=values["paid_on"],
        reference=reference,
        created_by=actor,
        created_at=to_db(now),
    )
    session.add(payment)
    try:
        session.flush()
    except sa.exc.IntegrityError:
        # Only another customer's concurrent payment can get here: ours waited for the lock.
        raise Conflict(
            f"payment reference {reference!r} was used by a concurrent request"
        ) from None
    balance = apply_entry(session, invoice, amount)
    audit_customer(
        session,
        now,
        actor,
        "payment_recorded",
        customer_id,
        payment_id=payment.id,
        invoice_id=invoice.id,
        number=invoice.number,
        amount=amount,
        paid_on=payment.paid_on,
        reference=reference,
        invoice_open_amount=balance.open_amount,
    )
    customer_changed(session, customer_id)
    return Recorded(payment, balance.open_amount, True)


def _by_reference(session: so.Session, reference: str) -> Payment | None:
    return session.scalar(
        sa.select(Payment)
        .where(Payment.reference == reference)
        .execution_options(populate_existing=True)
    )


def _same_again(session: so.Session, payment: Payment, values: Mapping[str, Any]) -> Recorded:
    invoice = get_invoice(session, payment.invoice_id)
    session.refresh(invoice, ["open_amount"])
    changed = [
        name
        for name, stored, given in [
            ("customer_id", payment.customer_id, values["customer_id"]),
            ("invoice_number", invoice.number, values["invoice_number"]),
            ("amount", payment.amount, Decimal(values["amount"]).quantize(Decimal("0.01"))),
            ("paid_on", payment.paid_on, values["paid_on"]),
        ]
        if stored != given
    ]
    if changed:
        raise Conflict(
            f"payment reference {payment.reference!r} was already used (payment {payment.id}) "
            f"with different {', '.join(changed)}",
            payment_id=payment.id,
            fields=changed,
        )
    return Recorded(payment, Decimal(invoice.open_amount), False)


def reverse_payment(
    session: so.Session,
    now: dt.datetime,
    today: dt.date,
    actor: str,
    payment_id: int,
    reason: str,
) -> tuple[Payment, Balance]:
    """Reverse a payment (bounced cheque 退票, or booked in error); the invoice reopens.

    :raises NotFound: no such payment.
    :raises Invalid: the reason is not one of ReversalReason.
    :raises Conflict: the payment was already reversed.
    """
    payment = session.get(Payment, payment_id) if payment_id <= ROW_ID_MAX else None
    if payment is None:
        raise NotFound(f"no payment with id {payment_id}")
    if reason not in set(ReversalReason):
        raise Invalid.field("reason", f"must be one of {', '.join(ReversalReason)}")
    lock_exposure(session, payment.customer_id)
    table = Payment.__table__
    done = session.execute(
        sa.update(table)
        .where(table.c.id == payment_id, table.c.reversed_on.is_(None))
        .values(
            reversed_on=today, reversal_reason=reason, reversed_by=actor, reversed_at=to_db(now)
        )
    )
    if done.rowcount != 1:
        raise Conflict(f"payment {payment_id} was already reversed")
    session.refresh(payment)
    invoice = get_invoice(session, payment.invoice_id)
    balance = apply_entry(session, invoice, -Decimal(payment.amount))
    audit_customer(
        session,
        now,
        actor,
        "payment_reversed",
        payment.customer_id,
        payment_id=payment.id,
        invoice_id=invoice.id,
        number=invoice.number,
        amount=payment.amount,
        reason=reason,
        reversed_on=today,
        invoice_open_amount=balance.open_amount,
    )
    customer_changed(session, payment.customer_id)
    return payment, balance


def bounced_since(session: so.Session, customer_id: int, since: dt.date) -> list[Payment]:
    """The customer's payments reversed as bounced on or after ``since``, latest first."""
    return list(
        session.scalars(
            sa.select(Payment)
            .where(
                Payment.customer_id == customer_id,
                Payment.reversed_on >= since,
                Payment.reversal_reason == ReversalReason.BOUNCED.value,
            )
            .order_by(Payment.reversed_on.desc(), Payment.id.desc())
        )
    )


def payments_of(
    session: so.Session, customer_id: int, limit: int = 100
) -> list[tuple[Payment, Invoice]]:
    """The customer's latest payments with their invoices, newest first."""
    rows = session.execute(
        sa.select(Payment, Invoice)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Payment.customer_id == customer_id)
        .order_by(Payment.paid_on.desc(), Payment.id.desc())
        .limit(limit)
    )
    return [(payment, invoice) for payment, invoice in rows]
