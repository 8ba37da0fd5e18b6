"""Move an invoice's open amount and keep its status, settlement date and the exposure in step.

Every ledger entry (payment, reversal, credit note, write-off) goes through ``apply_entry`` after
its row was added and the customer's exposure row was locked (credit.exposure).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.credit_file import ROW_ID_MAX
from credit.exposure import cny, shift_exposure
from credit.receivable_models import (
    Adjustment,
    AdjustmentKind,
    Invoice,
    InvoiceStatus,
    Payment,
)
from engine.audit import AuditEntry, append
from engine.errors import Invalid, NotFound

_TABLE = Invoice.__table__
_REDUCE = (
    sa.update(_TABLE)
    .where(_TABLE.c.id == sa.bindparam("iid"), _TABLE.c.open_amount >= sa.bindparam("d"))
    .values(open_amount=sa.func.round(_TABLE.c.open_amount - sa.bindparam("d"), 2))
    .returning(_TABLE.c.open_amount)
)
_REOPEN = (
    sa.update(_TABLE)
    .where(_TABLE.c.id == sa.bindparam("iid"))
    .values(open_amount=sa.func.round(_TABLE.c.open_amount + sa.bindparam("d"), 2))
    .returning(_TABLE.c.open_amount)
)


@dataclass(frozen=True)
class Balance:
    """An invoice's open amount and status after an entry."""

    invoice_id: int
    open_amount: Decimal
    status: str


def invoice_by_number(session: so.Session, customer_id: int, number: str) -> Invoice:
    """Return the customer's invoice with this number.

    :raises Invalid: naming ``invoice_number`` when the customer has no such invoice.
    """
    invoice = session.scalar(sa.select(Invoice).where(Invoice.number == number))
    if invoice is None or invoice.customer_id != customer_id:
        raise Invalid.field(
            "invoice_number", f"customer {customer_id} has no invoice numbered {number!r}"
        )
    return invoice


def get_invoice(session: so.Session, invoice_id: int) -> Invoice:
    """Return an invoice by id; NotFound when there is none."""
    invoice = session.get(Invoice, invoice_id) if 1 <= invoice_id <= ROW_ID_MAX else None
    if invoice is None:
        raise NotFound(f"no invoice with id {invoice_id}")
    return invoice


def apply_entry(session: so.Session, invoice: Invoice, reduce_by: Decimal) -> Balance:
    """Lower (or, with a negative amount, raise) the open amount; move the exposure with it.

    The caller has locked the customer's exposure and added the entry's row.

    :raises Invalid: naming ``amount`` when it is more than the open amount.
    """
    if reduce_by > 0:
        new_open = session.scalar(_REDUCE, {"iid": invoice.id, "d": reduce_by})
        if new_open is None:
            session.refresh(invoice, ["open_amount"])
            raise Invalid.field(
                "amount",
                f"{reduce_by} is more than the open amount {invoice.open_amount} "
                f"of invoice {invoice.number}",
            )
    else:
        new_open = session.scalar(_REOPEN, {"iid": invoice.id, "d": -reduce_by})
    new_open = Decimal(new_open).quantize(Decimal("0.01"))
    old_open = new_open + reduce_by
    rate = Decimal(invoice.fx_rate)
    shift_exposure(
        session, invoice.customer_id, receivables=cny(new_open, rate) - cny(old_open, rate)
    )
    status, settled_on = _settlement(session, invoice.id, new_open)
    session.execute(
        sa.update(_TABLE)
        .where(_TABLE.c.id == invoice.id)
        .values(status=status, settled_on=settled_on)
    )
    session.expire(invoice, ["open_amount", "status", "settled_on"])
    return Balance(invoice.id, new_open, status)


def _settlement(
    session: so.Session, invoice_id: int, open_amount: Decimal
) -> tuple[str, dt.date | None]:
    """Status and settlement date: settled on the latest date of the entries that cleared it."""
    if open_amount > 0:
        return InvoiceStatus.OPEN.value, None
    paid_on = session.scalar(
        sa.select(sa.func.max(Payment.paid_on)).where(
            Payment.invoice_id == invoice_id, Payment.reversed_on.is_(None)
        )
    )
    adjusted = session.execute(
        sa.select(Adjustment.kind, sa.func.max(Adjustment.dated_on))
        .where(Adjustment.invoice_id == invoice_id)
        .group_by(Adjustment.kind)
    ).all()
    dates = [d for d in [paid_on, *(day for _, day in adjusted)] if d is not None]
    written_off = any(kind == AdjustmentKind.WRITE_OFF for kind, _ in adjusted)
    status = InvoiceStatus.WRITTEN_OFF if written_off else InvoiceStatus.PAID
    return status.value, max(dates) if dates else None


def audit_customer(
    session: so.Session, now: dt.datetime, actor: str, action: str, customer_id: int, **data: object
) -> None:
    """Append one audit event about a customer's receivables."""
    append(
        session,
        now,
        [
            AuditEntry(
                actor,
                action,
                subject=f"customer:{customer_id}",
                data={"customer_id": customer_id, **data},
            )
        ],
    )
