"""Tables of the receivables ledger: invoices, payments, adjustments, reservations, exposure, holds.

Amounts are in the document's currency; ``fx_rate`` is the configured rate to CNY when the
invoice was booked, copied onto every entry of that invoice so CNY figures never need a join.
An invoice's ``open_amount`` is kept equal to amount - payments + reversed payments - credit
notes - write-offs; ``customer_exposure`` holds each customer's open receivables and open order
reservations in CNY (see credit.exposure for how both are kept exact).
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from engine.db import Base

Rate = sa.Numeric(12, 6)
_OPEN = sa.text("status = 'open'")


class InvoiceStatus(enum.StrEnum):
    """Where an invoice stands: open while its open amount is above zero."""

    OPEN = "open"
    PAID = "paid"
    WRITTEN_OFF = "written_off"


class ReversalReason(enum.StrEnum):
    """Why a payment was reversed; a bounced payment (退票) is an early-warning signal."""

    BOUNCED = "bounced"
    ERROR = "error"


class AdjustmentKind(enum.StrEnum):
    """A ledger entry that lowers an invoice's open amount other than a payment."""

    CREDIT_NOTE = "credit_note"
    WRITE_OFF = "write_off"


class ReservationStatus(enum.StrEnum):
    """An order reservation counts in the exposure while open."""

    OPEN = "open"
    INVOICED = "invoiced"
    CANCELLED = "cancelled"


class HoldSource(enum.StrEnum):
    """Who placed a credit hold; the source decides who may lift it (credit.holds)."""

    COLLECTION = "collection"
    EARLY_WARNING = "early_warning"
    REVIEW = "review"
    MANUAL = "manual"


class Invoice(Base):
    """A receivable of a customer, with its open amount kept in step with the ledger."""

    __tablename__ = "invoice"
    __table_args__ = (
        # The credit check's overdue test and the credit file: a customer's open invoices by age.
        sa.Index(
            "ix_invoice_open_customer_due",
            "customer_id",
            "due_on",
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        # The daily overdue sweep: open invoices due before a day, across customers.
        sa.Index(
            "ix_invoice_open_due",
            "due_on",
            "customer_id",
            sqlite_where=_OPEN,
            postgresql_where=_OPEN,
        ),
        sa.Index("ix_invoice_customer_issued", "customer_id", "issued_on"),
        sa.Index("ix_invoice_issued_on", "issued_on"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customer.id"))
    number: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    amount: so.Mapped[Decimal]
    currency: so.Mapped[str] = so.mapped_column(sa.String(3), default="CNY")
    fx_rate: so.Mapped[Decimal] = so.mapped_column(Rate, default=Decimal(1))
    issued_on: so.Mapped[dt.date]
    due_on: so.Mapped[dt.date]
    order_ref: so.Mapped[str | None] = so.mapped_column(sa.String(64), index=True)
    open_amount: so.Mapped[Decimal]
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=InvoiceStatus.OPEN.value)
    settled_on: so.Mapped[dt.date | None]
    created_by: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    created_at: so.Mapped[dt.datetime]


class Payment(Base):
    """A payment received against an invoice; a reversal keeps the row and dates the reversal."""

    __tablename__ = "payment"
    __table_args__ = (
        sa.Index("ix_payment_customer_paid", "customer_id", "paid_on"),
        sa.Index("ix_payment_customer_reversed", "customer_id", "reversed_on"),
        sa.Index("ix_payment_paid_on", "paid_on"),
        sa.Index("ix_payment_reversed_on", "reversed_on"),
        sa.UniqueConstraint("reference", name="uq_payment_reference"),
    )
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customer.id"))
    invoice_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("invoice.id"), index=True)
    amount: so.Mapped[Decimal]
    fx_rate: so.Mapped[Decimal] = so.mapped_column(Rate, default=Decimal(1))
    paid_on: so.Mapped[dt.date]
    reference: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    reversed_on: so.Mapped[dt.date | None]
    reversal_reason: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    reversed_by: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    reversed_at: so.Mapped[dt.datetime | None]
    created_by: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    created_at: so.Mapped[dt.datetime]


class Adjustment(Base):
    """A credit note or a write-off: lowers one invoice's open amount on a date."""

    __tablename__ = "receivable_adjustment"
    __table_args__ = (sa.Index("ix_receivable_adjustment_kind_dated", "kind", "dated_on"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customer.id"), index=True)
    invoice_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("invoice.id"), index=True)
    amount: so.Mapped[Decimal]
    fx_rate: so.Mapped[Decimal] = so.mapped_column(Rate, default=Decimal(1))
    dated_on: so.Mapped[dt.date]
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    reference: so.Mapped[str | None] = so.mapped_column(sa.String(128), unique=True)
    created_by: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    created_at: so.Mapped[dt.datetime]


class OrderReservation(Base):
    """The amount an approved credit check reserved for an order until it is invoiced."""

    __tablename__ = "order_reservation"
    __table_args__ = (sa.Index("ix_order_reservation_customer_status", "customer_id", "status"),)
    order_ref: so.Mapped[str] = so.mapped_column(sa.String(64), primary_key=True)
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customer.id"))
    amount: so.Mapped[Decimal]
    currency: so.Mapped[str] = so.mapped_column(sa.String(3), default="CNY")
    fx_rate: so.Mapped[Decimal] = so.mapped_column(Rate, default=Decimal(1))
    amount_cny: so.Mapped[Decimal]
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default=ReservationStatus.OPEN.value)
    check_point: so.Mapped[str] = so.mapped_column(sa.String(16), default="order")
    reserved_by: so.Mapped[str] = so.mapped_column(sa.String(64), default="")
    reserved_at: so.Mapped[dt.datetime]
    closed_at: so.Mapped[dt.datetime | None]


class CustomerExposure(Base):
    """One customer's open receivables and open reservations in CNY, read by the credit check."""

    __tablename__ = "customer_exposure"
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customer.id"), primary_key=True)
    receivables: so.Mapped[Decimal] = so.mapped_column(default=Decimal(0))
    reservations: so.Mapped[Decimal] = so.mapped_column(default=Decimal(0))


class CreditHold(Base):
    """A credit hold with its source; the customer is on hold while any hold is not lifted."""

    __tablename__ = "credit_hold"
    __table_args__ = (sa.Index("ix_credit_hold_customer_lifted", "customer_id", "lifted_at"),)
    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    customer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("customer.id"))
    source: so.Mapped[str] = so.mapped_column(sa.String(16))
    ref: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    reason: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    placed_by: so.Mapped[str] = so.mapped_column(sa.String(64))
    placed_at: so.Mapped[dt.datetime]
    lifted_at: so.Mapped[dt.datetime | None]
    lifted_by: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    lift_reason: so.Mapped[str | None] = so.mapped_column(sa.Text)
