"""Concurrent invoices, payments, reversals, adjustments, credit checks and cancellations on
PostgreSQL leave every exposure row equal to a full recomputation from the ledger."""

from __future__ import annotations

import datetime as dt
import random
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa
from ledger_setup import NOW, RATES, customer_row

from credit import adjustments, exposure, payments, reservations
from credit.check_models import CreditCheck
from credit.invoices import book_invoice
from credit.models import Invoice, Payment
from engine.errors import Conflict, Invalid
from web.extensions import db

THREADS, STEPS, CUSTOMERS = 6, 50, 3
JAN1, FEB1 = dt.date(2026, 1, 1), dt.date(2026, 2, 1)


def _invoice(session, rng, cids, thread, step):
    order_ref = f"SO-{rng.randrange(12)}" if rng.random() < 0.4 else None
    cid = rng.choice(cids)
    if order_ref:
        owner = session.scalar(
            sa.text("SELECT customer_id FROM order_reservation WHERE order_ref = :r"),
            {"r": order_ref},
        )
        cid = owner or cid
    values = {
        "customer_id": cid,
        "number": f"R-{thread}-{step}",
        "amount": Decimal(rng.randrange(100, 500_000)) / 100,
        "currency": rng.choice(["CNY", "CNY", "USD", "HKD"]),
        "issued_on": JAN1,
        "due_on": FEB1,
        "order_ref": order_ref,
    }
    book_invoice(session, NOW, "erp1", values, RATES)


def _pay(session, rng, cids, *_):
    row = session.execute(
        sa.select(Invoice.customer_id, Invoice.number, Invoice.open_amount)
        .where(Invoice.status == "open")
        .order_by(sa.func.random())
        .limit(1)
    ).first()
    if row is None:
        return
    amount = max(Decimal("0.01"), (row.open_amount * Decimal(rng.choice(["0.3", "0.5", "1"]))))
    values = {
        "customer_id": row.customer_id,
        "invoice_number": row.number,
        "amount": amount.quantize(Decimal("0.01")),
        "paid_on": FEB1,
    }
    payments.record_payment(session, NOW, "erp1", values)


def _reverse(session, rng, *_):
    pid = session.scalar(
        sa.select(Payment.id)
        .where(Payment.reversed_on.is_(None))
        .order_by(sa.func.random())
        .limit(1)
    )
    if pid is not None:
        payments.reverse_payment(session, NOW, FEB1, "erp1", pid, rng.choice(["bounced", "error"]))


def _adjust(session, rng, *_):
    iid = session.scalar(
        sa.select(Invoice.id).where(Invoice.status == "open").order_by(sa.func.random()).limit(1)
    )
    if iid is None:
        return
    if rng.random() < 0.5:
        adjustments.write_off(session, NOW, "gm1", iid, FEB1, "race")
    else:
        amount = Decimal(rng.randrange(1, 10_000)) / 100
        adjustments.issue_credit_note(session, NOW, "c", iid, amount, FEB1, "race")


def _check(session, rng, cids, *_):
    """A credit check of an order: reserves (or replaces) when approved."""
    from credit.credit_check import check_credit
    from engine.actor import Actor

    order_ref = f"SO-{rng.randrange(12)}"
    owner = session.scalar(
        sa.text("SELECT customer_id FROM order_reservation WHERE order_ref = :r"), {"r": order_ref}
    )
    values = {
        "customer_id": owner or rng.choice(cids),
        "amount": Decimal(rng.randrange(100, 300_000)) / 100,
        "currency": rng.choice(["CNY", "USD"]),
        "order_ref": order_ref,
    }
    check_credit(session, RUNTIME["rt"], Actor("erp1"), values, RATES)


def _cancel(session, rng, *_):
    try:
        reservations.cancel_order(session, NOW, "erp1", f"SO-{rng.randrange(12)}")
    except Exception as exc:  # an order nobody reserved yet
        if type(exc).__name__ != "NotFound":
            raise


OPERATIONS = [_invoice, _invoice, _pay, _pay, _reverse, _adjust, _check, _check, _cancel]
RUNTIME: dict = {}


@pytest.mark.postgres
@pytest.mark.slow
def test_racing_writers_keep_every_exposure_equal_to_a_recomputation(app, database_url):
    assert database_url.startswith("postgresql")
    with app.app_context():
        cids = [customer_row(n, limit="2000000", grade="B") for n in range(1, CUSTOMERS + 1)]
        db.session.commit()
    RUNTIME["rt"] = app.extensions["creditflow.runtime"]
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []
    done = {"ok": 0, "refused": 0}
    lock = threading.Lock()

    def work(thread: int) -> None:
        rng = random.Random(thread)
        start.wait()
        for step in range(STEPS):
            operation = rng.choice(OPERATIONS)
            with app.app_context():  # its own session, as one request
                session = db.session
                try:
                    operation(session, rng, cids, thread, step)
                    session.commit()
                    outcome = "ok"
                except (Invalid, Conflict):  # overpaid or reversed meanwhile: refused, fine
                    session.rollback()
                    outcome = "refused"
                except BaseException as exc:  # a deadlock or a lost update fails the test
                    failures.append(exc)
                    return
            with lock:
                done[outcome] += 1

    threads = [threading.Thread(target=work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert done["ok"] > THREADS * STEPS // 2
    with app.app_context():
        for cid in cids:
            stored = exposure.read_exposure(db.session, cid)
            assert stored == exposure.recompute_exposure(db.session, cid)
            open_amounts = dict(
                db.session.execute(
                    sa.select(Invoice.id, Invoice.open_amount).where(Invoice.customer_id == cid)
                ).all()
            )
            assert open_amounts == exposure.ledger_open_amounts(db.session, cid)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) > 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CreditCheck)) > 0
