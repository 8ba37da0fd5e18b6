"""Receivables figures of a period from the ledger, in CNY at each invoice's booking rate.

The open amount of an invoice at the end of a day is its amount minus the payments dated up to
that day, plus the reversals recorded up to that day, minus the credit notes and write-offs
dated up to that day. Everything is summed in the database.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.kpis import AGING_BUCKETS, AGING_LIMITS, PeriodFigures, compute_kpis
from credit.models import CreditHistory, Customer
from credit.receivable_models import Adjustment, AdjustmentKind, Invoice, Payment
from engine.errors import Invalid

DEFAULT_AFTER_DAYS = 90  # "customers with an invoice > 90 days overdue"
CENT = Decimal("0.01")


def period_figures(session: so.Session, start: dt.date, end: dt.date) -> PeriodFigures:
    """Opening receivables, sales, cash, write-offs, closing aging and customer counts."""
    if end < start:
        raise Invalid.field("to", f"must not be before from ({start})")
    opening = sum(open_at_by_bucket(session, start - dt.timedelta(days=1)).values(), Decimal(0))
    cny = Invoice.amount * Invoice.fx_rate
    sales = session.scalar(sa.select(sa.func.sum(cny)).where(Invoice.issued_on.between(start, end)))
    paid = session.scalar(
        sa.select(sa.func.sum(Payment.amount * Payment.fx_rate)).where(
            Payment.paid_on.between(start, end)
        )
    )
    reversed_ = session.scalar(
        sa.select(sa.func.sum(Payment.amount * Payment.fx_rate)).where(
            Payment.reversed_on.between(start, end)
        )
    )
    written_off = session.scalar(
        sa.select(sa.func.sum(Adjustment.amount * Adjustment.fx_rate)).where(
            Adjustment.kind == AdjustmentKind.WRITE_OFF.value,
            Adjustment.dated_on.between(start, end),
        )
    )
    return PeriodFigures(
        start=start,
        end=end,
        opening=opening,
        credit_sales=_money(sales),
        cash_collected=_money(paid) - _money(reversed_),
        written_off=_money(written_off),
        aging=open_at_by_bucket(session, end),
        defaulted_customers=_defaulted_customers(session, end),
        active_customers=_active_customers(session, end),
    )


def _money(value: Any) -> Decimal:
    """A sum from the database as CNY cents (SQLite returns floats, PostgreSQL exact sums)."""
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _open_at(on: dt.date, customer_id: int | None = None) -> sa.Subquery:
    """Each invoice issued by ``on`` with its open amount at the end of that day."""
    paid = (
        sa.select(Payment.invoice_id, sa.func.sum(Payment.amount).label("total"))
        .where(Payment.paid_on <= on)
        .group_by(Payment.invoice_id)
        .subquery()
    )
    reversed_ = (
        sa.select(Payment.invoice_id, sa.func.sum(Payment.amount).label("total"))
        .where(Payment.reversed_on <= on)
        .group_by(Payment.invoice_id)
        .subquery()
    )
    adjusted = (
        sa.select(Adjustment.invoice_id, sa.func.sum(Adjustment.amount).label("total"))
        .where(Adjustment.dated_on <= on)
        .group_by(Adjustment.invoice_id)
        .subquery()
    )
    open_amount = (
        Invoice.amount
        - sa.func.coalesce(paid.c.total, 0)
        + sa.func.coalesce(reversed_.c.total, 0)
        - sa.func.coalesce(adjusted.c.total, 0)
    )
    query = (
        sa.select(
            Invoice.customer_id,
            Invoice.due_on,
            (open_amount * Invoice.fx_rate).label("open_cny"),
        )
        .outerjoin(paid, paid.c.invoice_id == Invoice.id)
        .outerjoin(reversed_, reversed_.c.invoice_id == Invoice.id)
        .outerjoin(adjusted, adjusted.c.invoice_id == Invoice.id)
        .where(Invoice.issued_on <= on)
    )
    if customer_id is not None:
        query = query.where(Invoice.customer_id == customer_id)
    return query.subquery()


def _bucket_of(due_on: Any, on: dt.date) -> Any:
    """SQL CASE naming the aging bucket of a due date on a day."""
    whens = [(due_on >= on - dt.timedelta(days=days), name) for days, name in AGING_LIMITS]
    return sa.case(*whens, else_="over_90")


def open_at_by_bucket(
    session: so.Session, on: dt.date, customer_id: int | None = None
) -> dict[str, Decimal]:
    """Receivables open at the end of ``on`` split into aging buckets (CNY)."""
    opened = _open_at(on, customer_id)
    bucket = _bucket_of(opened.c.due_on, on).label("bucket")
    rows = session.execute(sa.select(bucket, sa.func.sum(opened.c.open_cny)).group_by(bucket)).all()
    found = {name: _money(total) for name, total in rows}
    return {name: found.get(name, Decimal(0)) for name in AGING_BUCKETS}


def _defaulted_customers(session: so.Session, on: dt.date) -> int:
    opened = _open_at(on)
    return (
        session.scalar(
            sa.select(sa.func.count(sa.distinct(opened.c.customer_id))).where(
                opened.c.open_cny > 0,
                opened.c.due_on < on - dt.timedelta(days=DEFAULT_AFTER_DAYS),
            )
        )
        or 0
    )


def _active_customers(session: so.Session, on: dt.date) -> int:
    """Customers whose limit in force on ``on`` is above 0.

    The limit in force is the latest credit history entry effective by then; a customer without
    history counts with its current limit once active.
    """
    latest = (
        sa.select(
            CreditHistory.customer_id,
            CreditHistory.credit_limit,
            sa.func.row_number()
            .over(
                partition_by=CreditHistory.customer_id,
                order_by=(CreditHistory.effective_on.desc(), CreditHistory.id.desc()),
            )
            .label("n"),
        )
        .where(CreditHistory.effective_on <= on)
        .subquery()
    )
    with_history = session.scalar(
        sa.select(sa.func.count()).where(latest.c.n == 1, latest.c.credit_limit > 0)
    )
    any_history = sa.select(CreditHistory.id).where(CreditHistory.customer_id == Customer.id)
    without_history = session.scalar(
        sa.select(sa.func.count())
        .select_from(Customer)
        .where(
            ~any_history.exists(),
            Customer.credit_limit > 0,
            sa.or_(Customer.limit_active_since.is_(None), Customer.limit_active_since <= on),
        )
    )
    return int(with_history or 0) + int(without_history or 0)


def period_kpis(session: so.Session, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The KPIs of a period (credit.kpis) computed from the ledger's figures."""
    return compute_kpis(period_figures(session, start, end))
