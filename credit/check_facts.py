"""What the credit check reads about a customer and an order, in as few statements as it can.

A check that does not reserve reads everything in one statement: the customer's terms, its
exposure row, the temporary limits valid today, the due date of its oldest open invoice, the
order's reservation and the active ``credit_decision`` version. A reserving check must read the
order's reservation, the invoices and the temporary limits only after it has locked the
customer's exposure (credit.exposure), so it reads the customer first (``read_customer``),
locks, then reads the rest (``read_after_lock``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.check_models import CreditRelease, ReleaseKind
from credit.exposure import ZERO, Exposure
from credit.models import Customer
from credit.receivable_models import CustomerExposure, Invoice, InvoiceStatus, OrderReservation
from engine.registry import active_version

_CUSTOMER = Customer.__table__
_EXPOSURE = CustomerExposure.__table__
_RESERVATION = OrderReservation.__table__
_RELEASE = CreditRelease.__table__
_INVOICE = Invoice.__table__


@dataclass(frozen=True)
class CustomerTerms:
    """The customer columns the check reads, and the active policy version."""

    id: int
    grade: str | None
    on_hold: bool
    credit_limit: Decimal | None
    currency: str
    review_due_on: dt.date | None
    warning_level: str | None
    policy_version: int | None


@dataclass(frozen=True)
class Reservation:
    """What an order's reservation holds now (read after the exposure lock when reserving)."""

    order_ref: str
    customer_id: int
    status: str
    amount_cny: Decimal


@dataclass(frozen=True)
class OrderFacts:
    """The figures that change under concurrent writers of the customer."""

    temporary_limits: Decimal
    oldest_open_due: dt.date | None
    reservation: Reservation | None


def _terms_columns(process_key: str) -> list[Any]:
    c = _CUSTOMER.c
    return [
        c.id,
        c.grade,
        c.on_hold,
        c.credit_limit,
        c.currency,
        c.review_due_on,
        c.warning_level,
        active_version(process_key).label("policy_version"),
    ]


def _order_columns() -> list[Any]:
    temporary = (
        sa.select(sa.func.sum(_RELEASE.c.amount_cny))
        .where(
            _RELEASE.c.customer_id == _CUSTOMER.c.id,
            _RELEASE.c.kind == ReleaseKind.TEMPORARY_LIMIT.value,
            _RELEASE.c.valid_until >= sa.bindparam("today", type_=sa.Date),
        )
        .scalar_subquery()
    )
    oldest = (
        sa.select(sa.func.min(_INVOICE.c.due_on))
        .where(
            _INVOICE.c.customer_id == _CUSTOMER.c.id,
            _INVOICE.c.status == InvoiceStatus.OPEN.value,
        )
        .scalar_subquery()
    )
    r = _RESERVATION.c
    return [
        temporary.label("temporary_limits"),
        oldest.label("oldest_open_due"),
        r.order_ref.label("r_order_ref"),
        r.customer_id.label("r_customer_id"),
        r.status.label("r_status"),
        r.amount_cny.label("r_amount_cny"),
    ]


def _with_reservation(select: sa.Select, customer: Any = _CUSTOMER) -> sa.Select:
    # The order's reservation, if any, joins the customer's row (order_ref NULL matches none).
    joined = customer.outerjoin(
        _RESERVATION, _RESERVATION.c.order_ref == sa.bindparam("order_ref", type_=sa.String)
    )
    return select.select_from(joined).where(_CUSTOMER.c.id == sa.bindparam("cid"))


_STATEMENTS: dict[tuple[str, str], sa.Select] = {}


def _statement(kind: str, process_key: str) -> sa.Select:
    """Build each statement once (SQLAlchemy caches its compiled form by the object's key)."""
    key = (kind, process_key)
    if key not in _STATEMENTS:
        if kind == "terms":
            stmt = sa.select(*_terms_columns(process_key)).where(
                _CUSTOMER.c.id == sa.bindparam("cid")
            )
        elif kind == "after_lock":
            stmt = _with_reservation(sa.select(*_order_columns()))
        else:
            exposure = [_EXPOSURE.c.receivables, _EXPOSURE.c.reservations]
            stmt = _with_reservation(
                sa.select(*_terms_columns(process_key), *exposure, *_order_columns()),
                _CUSTOMER.outerjoin(_EXPOSURE, _EXPOSURE.c.customer_id == _CUSTOMER.c.id),
            )
        _STATEMENTS[key] = stmt
    return _STATEMENTS[key]


def _terms(row: Any) -> CustomerTerms:
    return CustomerTerms(
        id=row.id,
        grade=row.grade,
        on_hold=bool(row.on_hold),
        credit_limit=None if row.credit_limit is None else Decimal(row.credit_limit),
        currency=row.currency,
        review_due_on=row.review_due_on,
        warning_level=row.warning_level,
        policy_version=row.policy_version,
    )


def _order(row: Any) -> OrderFacts:
    reservation = None
    if row.r_order_ref is not None:
        reservation = Reservation(
            row.r_order_ref, row.r_customer_id, row.r_status, Decimal(row.r_amount_cny)
        )
    return OrderFacts(
        temporary_limits=Decimal(row.temporary_limits or 0),
        oldest_open_due=row.oldest_open_due,
        reservation=reservation,
    )


def read_all(
    session: so.Session, process_key: str, customer_id: int, order_ref: str | None, today: dt.date
) -> tuple[CustomerTerms, Exposure, OrderFacts] | None:
    """Everything a check that does not reserve needs; None when there is no such customer."""
    row = session.execute(
        _statement("all", process_key), {"cid": customer_id, "order_ref": order_ref, "today": today}
    ).first()
    if row is None:
        return None
    exposure = Exposure(
        Decimal(row.receivables) if row.receivables is not None else ZERO,
        Decimal(row.reservations) if row.reservations is not None else ZERO,
    )
    return _terms(row), exposure, _order(row)


def read_customer(session: so.Session, process_key: str, customer_id: int) -> CustomerTerms | None:
    """The customer's terms and the active policy version (None: no such customer)."""
    row = session.execute(_statement("terms", process_key), {"cid": customer_id}).first()
    return None if row is None else _terms(row)


def read_after_lock(
    session: so.Session, customer_id: int, order_ref: str, today: dt.date
) -> OrderFacts:
    """The order's reservation, temporary limits and oldest open invoice, read under the lock."""
    row = session.execute(
        _statement("after_lock", ""), {"cid": customer_id, "order_ref": order_ref, "today": today}
    ).one()
    return _order(row)
