"""Per-customer exposure in CNY: open receivables plus open order reservations, one row each.

The credit check reads one ``customer_exposure`` row instead of summing invoices. It stays exact
under concurrent writers because of two rules every writer follows:

1. A transaction that changes a customer's receivables or reservations first calls
   ``lock_exposure`` (or ``lock_exposures``): an UPDATE of the row, so PostgreSQL takes the row
   lock and SQLite the write lock before anything is read. Writers of one customer therefore
   run one after another, and always lock this row before invoices, payments or reservations
   (one lock order, no deadlocks).
2. Changes are relative (``receivables = round(receivables + delta, 2)``) with deltas in whole
   cents: an invoice's CNY value is ``cny(open_amount, fx_rate)``, rounded per invoice, and a
   change moves the exposure by the difference of the rounded values before and after.

``recompute_exposure`` rebuilds the same figures from the ledger; tests race writers and
compare the two. An exposure stays below ``EXPOSURE_MAX`` (engine.money): a change that would
raise it further is refused with a field error on ``amount``, and nothing of it is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from credit.receivable_models import (
    Adjustment,
    CustomerExposure,
    Invoice,
    OrderReservation,
    Payment,
    ReservationStatus,
)
from engine.db import insert_for
from engine.errors import Invalid
from engine.money import EXPOSURE_MAX, MONEY_MAX

CENT = Decimal("0.01")
ZERO = Decimal(0)
_TABLE = CustomerExposure.__table__


@dataclass(frozen=True)
class Exposure:
    """A customer's open receivables and open reservations, in CNY."""

    receivables: Decimal = ZERO
    reservations: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        """Exposure as the credit check counts it."""
        return self.receivables + self.reservations


def fx_rate(currency: str, rates: Mapping[str, str]) -> Decimal:
    """Return the configured rate of a currency to CNY.

    :raises Invalid: naming ``currency`` when no rate is configured for it.
    """
    rate = rates.get(currency.upper())
    if rate is None:
        raise Invalid.field("currency", f"no exchange rate for {currency}; known: {sorted(rates)}")
    return Decimal(rate)


def cny(amount: Decimal, rate: Decimal) -> Decimal:
    """Convert an amount to CNY, rounded half up to the cent."""
    return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)


def limit_cny(customer: Any, rates: Mapping[str, str]) -> Decimal | None:
    """The customer's active credit limit in CNY (None: no limit was ever granted)."""
    if customer.credit_limit is None:
        return None
    return cny(Decimal(customer.credit_limit), fx_rate(customer.currency or "CNY", rates))


def _ensure_rows(session: so.Session, customer_ids: Iterable[int]) -> None:
    rows = [{"customer_id": cid, "receivables": ZERO, "reservations": ZERO} for cid in customer_ids]
    if not rows:
        return
    insert = insert_for(session.get_bind().dialect.name)
    session.execute(insert(_TABLE).on_conflict_do_nothing(index_elements=["customer_id"]), rows)


_LOCK = (
    sa.update(_TABLE)
    .where(_TABLE.c.customer_id == sa.bindparam("cid"))
    .values(receivables=_TABLE.c.receivables)
    .returning(_TABLE.c.receivables, _TABLE.c.reservations)
)


def lock_exposure(session: so.Session, customer_id: int) -> Exposure:
    """Lock the customer's exposure row (creating it at zero) and return its figures."""
    row = session.execute(_LOCK, {"cid": customer_id}).first()
    if row is None:
        _ensure_rows(session, [customer_id])
        row = session.execute(_LOCK, {"cid": customer_id}).first()
    return Exposure(Decimal(row[0]), Decimal(row[1]))


def lock_exposures(session: so.Session, customer_ids: Iterable[int]) -> Decimal | None:
    """Lock several customers' rows in ascending id order (bulk writers: imports).

    Returns the largest exposure among them when the lock reads it anyway (PostgreSQL; None
    on SQLite, where the lock is a write and reading it back would cost a statement).
    """
    ids = sorted(set(customer_ids))
    if not ids:
        return ZERO
    if session.get_bind().dialect.name == "postgresql":
        array = _pg_array(ids)
        session.execute(_ENSURE_MANY_PG, {"ids": array})
        largest = session.execute(_LOCK_MANY_PG, {"ids": array}).scalar()
        return Decimal(largest or 0)
    # SQLite: the first write takes the database's write lock.
    keys = json.dumps(ids)
    session.execute(_ENSURE_MANY_SQLITE, {"ids": keys})
    session.execute(_LOCK_MANY_SQLITE, {"ids": keys})
    return None


def _pg_array(numbers: Iterable[int | Decimal]) -> str:
    """A PostgreSQL array literal of numbers (one text parameter, cast in the statement)."""
    return "{" + ",".join(map(str, numbers)) + "}"


# The ids travel as one JSON array; json_each yields them in order.
_ENSURE_MANY_SQLITE = sa.text(
    "INSERT INTO customer_exposure (customer_id, receivables, reservations)"
    " SELECT value, 0, 0 FROM json_each(:ids) WHERE true ON CONFLICT (customer_id) DO NOTHING"
)
_LOCK_MANY_SQLITE = sa.text(
    "UPDATE customer_exposure SET receivables = receivables"
    " WHERE customer_id IN (SELECT value FROM json_each(:ids))"
)
_ENSURE_MANY_PG = sa.text(
    "INSERT INTO customer_exposure (customer_id, receivables, reservations)"
    " SELECT unnest(CAST(:ids AS integer[])), 0, 0 ON CONFLICT (customer_id) DO NOTHING"
)
# Locks every row (in id order) and answers one number, not the rows.
_LOCK_MANY_PG = sa.text(
    "SELECT max(receivables + reservations) FROM (SELECT receivables, reservations"
    " FROM customer_exposure WHERE customer_id = ANY(CAST(:ids AS integer[]))"
    " ORDER BY customer_id FOR UPDATE) AS locked"
)


_D_RECV = sa.bindparam("d_recv", type_=sa.Numeric)
_D_RESV = sa.bindparam("d_resv", type_=sa.Numeric)
_SHIFT = (
    sa.update(_TABLE)
    .where(
        _TABLE.c.customer_id == sa.bindparam("cid"),
        # A rise stops short of EXPOSURE_MAX; a fall always applies.
        sa.or_(
            _D_RECV + _D_RESV <= 0,
            _TABLE.c.receivables + _TABLE.c.reservations + _D_RECV + _D_RESV
            < sa.literal(EXPOSURE_MAX, sa.Numeric),
        ),
    )
    .values(
        receivables=sa.func.round(_TABLE.c.receivables + _D_RECV, 2),
        reservations=sa.func.round(_TABLE.c.reservations + _D_RESV, 2),
    )
)


def shift_exposure(
    session: so.Session, customer_id: int, receivables: Decimal = ZERO, reservations: Decimal = ZERO
) -> None:
    """Add CNY deltas (whole cents) to a locked exposure row.

    :raises Invalid: naming ``amount`` when the exposure would reach EXPOSURE_MAX.
    """
    if not (receivables or reservations):
        return
    moved = session.execute(
        _SHIFT, {"cid": customer_id, "d_recv": receivables, "d_resv": reservations}
    )
    if moved.rowcount == 0:
        if not _has_row(session, customer_id):
            raise RuntimeError(f"customer {customer_id}'s exposure was not locked before a change")
        raise exposure_too_large(customer_id)


def exposure_too_large(customer_id: int) -> Invalid:
    """The error of a change that would take a customer's exposure to EXPOSURE_MAX or more."""
    return Invalid.field(
        "amount",
        f"would take customer {customer_id}'s exposure above {MONEY_MAX} CNY,"
        " the most creditflow keeps for one customer",
    )


def _has_row(session: so.Session, customer_id: int) -> bool:
    query = sa.select(_TABLE.c.customer_id).where(_TABLE.c.customer_id == customer_id)
    return session.scalar(query) is not None


def shift_exposures(session: so.Session, deltas: Mapping[int, tuple[Decimal, Decimal]]) -> None:
    """Add (receivables, reservations) deltas to many locked rows.

    PostgreSQL: one UPDATE … FROM unnest(arrays); SQLite: one executemany through the driver,
    the deltas bound as REAL as SQLAlchemy binds them (per-row parameter processing would cost
    more than the updates).
    """
    rows = [(cid, recv, resv) for cid, (recv, resv) in sorted(deltas.items()) if recv or resv]
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        cursor = session.connection().connection.driver_connection.cursor()
        try:
            cursor.executemany(
                _SHIFT_MANY_SQLITE,
                [(float(recv), float(resv), cid, float(recv + resv)) for cid, recv, resv in rows],
            )
            moved = cursor.rowcount
        finally:
            cursor.close()
    else:
        cids, recv, resv = (_pg_array(column) for column in zip(*rows, strict=True))
        moved = session.execute(
            _SHIFT_MANY_PG, {"cids": cids, "recv": recv, "resv": resv, "most": EXPOSURE_MAX}
        ).rowcount
    if moved != len(rows):  # the caller checked each rise against the locked totals
        raise RuntimeError(f"{len(rows) - moved} exposure rows were missing or would overflow")


_SHIFT_MANY_SQLITE = (
    "UPDATE customer_exposure SET receivables = round(receivables + ?1, 2),"
    " reservations = round(reservations + ?2, 2) WHERE customer_id = ?3"
    f" AND (?4 <= 0 OR receivables + reservations + ?4 < {EXPOSURE_MAX})"
)
# One statement for any number of rows: the deltas travel as three arrays.
_SHIFT_MANY_PG = sa.text(
    "UPDATE customer_exposure AS e"
    " SET receivables = round(e.receivables + g.d_recv, 2),"
    " reservations = round(e.reservations + g.d_resv, 2)"
    " FROM unnest(CAST(:cids AS integer[]), CAST(:recv AS numeric[]), CAST(:resv AS numeric[]))"
    " AS g(cid, d_recv, d_resv) WHERE e.customer_id = g.cid"
    " AND (g.d_recv + g.d_resv <= 0 OR e.receivables + e.reservations + g.d_recv + g.d_resv"
    " < CAST(:most AS numeric))"
)


def read_exposure(session: so.Session, customer_id: int) -> Exposure:
    """Return the stored exposure without locking (zero when the customer has none yet)."""
    row = session.execute(
        sa.select(_TABLE.c.receivables, _TABLE.c.reservations).where(
            _TABLE.c.customer_id == customer_id
        )
    ).first()
    return Exposure() if row is None else Exposure(Decimal(row[0]), Decimal(row[1]))


def ledger_open_amounts(session: so.Session, customer_id: int) -> dict[int, Decimal]:
    """Recompute every invoice's open amount of a customer from its ledger entries."""
    paid = (
        sa.select(Payment.invoice_id, sa.func.sum(Payment.amount).label("total"))
        .where(Payment.customer_id == customer_id, Payment.reversed_on.is_(None))
        .group_by(Payment.invoice_id)
        .subquery()
    )
    adjusted = (
        sa.select(Adjustment.invoice_id, sa.func.sum(Adjustment.amount).label("total"))
        .where(Adjustment.customer_id == customer_id)
        .group_by(Adjustment.invoice_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(Invoice.id, Invoice.amount, paid.c.total, adjusted.c.total)
        .outerjoin(paid, paid.c.invoice_id == Invoice.id)
        .outerjoin(adjusted, adjusted.c.invoice_id == Invoice.id)
        .where(Invoice.customer_id == customer_id)
    )
    return {
        invoice_id: (Decimal(amount) - Decimal(payments or 0) - Decimal(adjustments or 0)).quantize(
            CENT
        )
        for invoice_id, amount, payments, adjustments in rows
    }


def recompute_exposure(session: so.Session, customer_id: int) -> Exposure:
    """Rebuild a customer's exposure from invoices, payments, adjustments and reservations."""
    open_amounts = ledger_open_amounts(session, customer_id)
    rates = dict(
        session.execute(
            sa.select(Invoice.id, Invoice.fx_rate).where(Invoice.customer_id == customer_id)
        ).all()
    )
    receivables = sum(
        (cny(amount, Decimal(rates[i])) for i, amount in open_amounts.items() if amount > 0), ZERO
    )
    reserved = session.scalar(
        sa.select(sa.func.sum(OrderReservation.amount_cny)).where(
            OrderReservation.customer_id == customer_id,
            OrderReservation.status == ReservationStatus.OPEN.value,
        )
    )
    return Exposure(receivables.quantize(CENT), Decimal(reserved or 0).quantize(CENT))
