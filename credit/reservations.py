"""Order reservations: what approved credit checks hold for orders until they are invoiced.

A reservation is keyed by the order reference. It counts in the exposure while ``open``; an
invoice carrying the order_ref turns it into receivable (``invoiced``), ``cancel_order`` frees
it (``cancelled``). A new approved check for the same order_ref replaces the amount; a check of
a cancelled or invoiced order opens it again at the full new amount. Callers lock the
customer's exposure first (credit.exposure) and read the reservation after that lock.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.check_facts import Reservation
from credit.exposure import ZERO, lock_exposure, shift_exposure
from credit.ledger import audit_customer
from credit.receivable_models import OrderReservation, ReservationStatus
from engine.clock import to_db
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
) -> OrderReservation:
    """Reserve an approved order's amount, replacing what the order held before.

    The caller has locked the exposure and checked ``amount_cny`` against the limit with the
    order's previous amount (``open_amount_cny``) left out.
    """
    reservation = find_reservation(session, order_ref)
    previous = open_amount_cny(reservation, customer_id)
    if reservation is None:
        reservation = OrderReservation(order_ref=order_ref, customer_id=customer_id)
        session.add(reservation)
    reservation.amount, reservation.currency, reservation.fx_rate = amount, currency, rate
    reservation.amount_cny, reservation.check_point = amount_cny, check_point
    reservation.status, reservation.closed_at = ReservationStatus.OPEN.value, None
    reservation.reserved_by, reservation.reserved_at = actor, to_db(now)
    session.flush()
    shift_exposure(session, customer_id, reservations=amount_cny - previous)
    return reservation


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
