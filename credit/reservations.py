"""Order reservations: what approved credit checks hold for orders until they are invoiced.

A reservation is keyed by the order reference. It counts in the exposure while ``open``; an
invoice carrying the order_ref turns it into receivable (``invoiced``), ``cancel_order`` frees
it (``cancelled``). A new approved check for the same order_ref replaces the amount; a check of
a cancelled or invoiced order opens it again at the full new amount. Callers lock the
customer's exposure first (credit.exposure) and read the reservation after that lock.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.check_facts import Reservation
from credit.exposure import ZERO, lock_exposure, shift_exposure
from credit.ledger import audit_customer
from credit.receivable_models import OrderReservation, ReservationStatus
from engine.clock import to_db
from engine.db import insert_for
from engine.errors import Conflict, NotFound


def find_reservation(session: so.Session, order_ref: str) -> OrderReservation | None:
    """Return the order's reservation as stored now (read after locking the exposure)."""
    return session.get(OrderReservation, order_ref, populate_existing=True)


def open_amount_cny(
    reservation: OrderReservation | Reservation | None, customer_id: int
) -> Decimal:
    """What the order holds in the customer's exposure now: its CNY amount while open.

    :raises Conflict: the order_ref belongs to another customer.
    """
    if reservation is None:
        return ZERO
    if reservation.customer_id != customer_id:
        raise Conflict(
            f"order {reservation.order_ref} belongs to customer {reservation.customer_id}, "
            f"not {customer_id}; order references are unique across customers"
        )
    if reservation.status != ReservationStatus.OPEN:
        return ZERO
    return Decimal(reservation.amount_cny)


_TABLE = OrderReservation.__table__
_HELD = sa.select(
    _TABLE.c.order_ref, _TABLE.c.customer_id, _TABLE.c.status, _TABLE.c.amount_cny
).where(_TABLE.c.order_ref == sa.bindparam("order_ref"))
_REPLACED = ("customer_id", "amount", "currency", "fx_rate", "amount_cny", "check_point",
             "status", "reserved_by", "reserved_at", "closed_at")  # fmt: skip


@functools.cache
def _hold(dialect: str) -> Any:
    """INSERT … ON CONFLICT (order_ref) DO UPDATE: the order's reservation, new or replaced."""
    insert = insert_for(dialect)(_TABLE)
    return insert.on_conflict_do_update(
        index_elements=[_TABLE.c.order_ref],
        set_={name: insert.excluded[name] for name in _REPLACED},
    )


def hold_for_order(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    customer_id: int,
    order_ref: str,
    amount: Decimal,
    currency: str,
    rate: Decimal,
    amount_cny: Decimal,
    check_point: str,
) -> None:
    """Reserve an approved order's amount, replacing what the order held before.

    The caller has locked the exposure and checked ``amount_cny`` against the limit with the
    order's previous amount (``open_amount_cny``) left out.

    :raises Conflict: the order_ref belongs to another customer.
    """
    held = session.execute(_HELD, {"order_ref": order_ref}).first()
    previous = open_amount_cny(Reservation(*held) if held else None, customer_id)
    session.execute(
        _hold(session.get_bind().dialect.name),
        {
            "order_ref": order_ref,
            "customer_id": customer_id,
            "amount": amount,
            "currency": currency,
            "fx_rate": rate,
            "amount_cny": amount_cny,
            "check_point": check_point,
            "status": ReservationStatus.OPEN.value,
            "reserved_by": actor,
            "reserved_at": to_db(now),
            "closed_at": None,
        },
    )
    shift_exposure(session, customer_id, reservations=amount_cny - previous)


def close_for_invoice(
    session: so.Session, now: dt.datetime, customer_id: int, order_ref: str
) -> Decimal:
    """Turn the order's open reservation into receivable; return the CNY amount it held.

    The caller has locked the exposure and is booking the invoice that carries the order_ref.
    """
    reservation = find_reservation(session, order_ref)
    held = open_amount_cny(reservation, customer_id)
    if reservation is not None and held:
        reservation.status, reservation.closed_at = ReservationStatus.INVOICED.value, to_db(now)
        shift_exposure(session, customer_id, reservations=-held)
    return held


def cancel_order(session: so.Session, now: dt.datetime, actor: str, order_ref: str) -> None:
    """Free a cancelled order's reservation; cancelling twice changes nothing.

    :raises NotFound: no credit check ever reserved for this order_ref.
    """
    known = session.scalar(
        sa.select(OrderReservation.customer_id).where(OrderReservation.order_ref == order_ref)
    )
    if known is None:
        raise NotFound(f"no reservation for order {order_ref!r}; only checked orders reserve")
    lock_exposure(session, known)
    reservation = find_reservation(session, order_ref)
    if reservation.status != ReservationStatus.OPEN:
        return
    held = open_amount_cny(reservation, known)
    reservation.status, reservation.closed_at = ReservationStatus.CANCELLED.value, to_db(now)
    shift_exposure(session, known, reservations=-held)
    audit_customer(
        session, now, actor, "order_cancelled", known, order_ref=order_ref, released_cny=held
    )
