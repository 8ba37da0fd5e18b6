"""The receivables ledger: invoices, partial / idempotent / reversed payments, credit notes,
write-offs and reservations keep each invoice's open amount and the customer's exposure exact."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa
from ledger_setup import NOW, RATES, book, customer_row, pay

from credit import adjustments, exposure, payments, reservations
from credit.models import Invoice, OrderReservation, Payment
from engine.errors import Conflict, Invalid, NotFound
from web.extensions import db

JAN1, FEB1 = dt.date(2026, 1, 1), dt.date(2026, 2, 1)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield customer_row()


def assert_exact(customer_id):
    """The stored open amounts and exposure equal a full recomputation from the ledger."""
    db.session.expire_all()
    stored = dict(
        db.session.execute(
            sa.select(Invoice.id, Invoice.open_amount).where(Invoice.customer_id == customer_id)
        ).all()
    )
    assert stored == exposure.ledger_open_amounts(db.session, customer_id)
    assert exposure.read_exposure(db.session, customer_id) == exposure.recompute_exposure(
        db.session, customer_id
    )


def test_a_booked_invoice_is_open_and_counts_in_the_exposure(ctx):
    invoice = book(ctx, "INV-1", "1000.50", JAN1, FEB1)
    assert (invoice.open_amount, invoice.status, invoice.settled_on) == (
        Decimal("1000.50"),
        "open",
        None,
    )
    assert exposure.read_exposure(db.session, ctx).receivables == Decimal("1000.50")
    assert_exact(ctx)


def test_the_same_number_again_is_the_same_invoice_and_other_fields_conflict(ctx):
    from credit.invoices import book_invoice

    first = book(ctx, "INV-1", "1000", JAN1, FEB1)
    values = {
        "customer_id": ctx,
        "number": "INV-1",
        "amount": Decimal("1000.00"),
        "currency": "cny",
        "issued_on": JAN1,
        "due_on": FEB1,
    }
    again = book_invoice(db.session, NOW, "erp1", values, RATES)
    assert (again.invoice.id, again.created) == (first.id, False)
    with pytest.raises(Conflict) as caught:
        book_invoice(db.session, NOW, "erp1", {**values, "amount": Decimal("999")}, RATES)
    assert caught.value.extra["fields"] == ["amount"]
    assert exposure.read_exposure(db.session, ctx).receivables == Decimal("1000.00")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": Decimal("0")}, "amount"),
        ({"amount": Decimal("-5")}, "amount"),
        ({"amount": Decimal("1.001")}, "amount"),
        ({"due_on": dt.date(2025, 12, 31)}, "due_on"),
        ({"currency": "XYZ"}, "currency"),
        ({"customer_id": 999999}, "customer_id"),
    ],
)
def test_an_invalid_invoice_names_the_field_and_books_nothing(ctx, change, field):
    from credit.invoices import book_invoice

    values = {
        "customer_id": ctx,
        "number": "BAD-1",
        "amount": Decimal("10"),
        "currency": "CNY",
        "issued_on": JAN1,
        "due_on": FEB1,
        **change,
    }
    with pytest.raises(Invalid) as caught:
        book_invoice(db.session, NOW, "erp1", values, RATES)
    assert field in caught.value.errors
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 0


def test_partial_payments_lower_the_open_amount_until_paid_on_the_last_payment_date(ctx):
    book(ctx, "INV-1", "1000", JAN1, FEB1)
    first = pay(ctx, "INV-1", "300", dt.date(2026, 2, 20))
    assert first.invoice_open_amount == Decimal("700.00")
    # Paid out of order: the remainder carries an earlier date than the first part.
    second = pay(ctx, "INV-1", "700", dt.date(2026, 2, 10))
    assert second.invoice_open_amount == Decimal("0.00")
    invoice = db.session.scalar(sa.select(Invoice))
    assert (invoice.status, invoice.settled_on) == ("paid", dt.date(2026, 2, 20))
    assert exposure.read_exposure(db.session, ctx).receivables == 0
    assert_exact(ctx)


def test_a_payment_above_the_open_amount_is_refused_and_writes_nothing(ctx):
    book(ctx, "INV-1", "1000", JAN1, FEB1)
    pay(ctx, "INV-1", "600", FEB1)
    db.session.commit()
    with pytest.raises(Invalid) as caught:
        pay(ctx, "INV-1", "400.01", FEB1)
    assert "amount" in caught.value.errors
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1
    assert exposure.read_exposure(db.session, ctx).receivables == Decimal("400.00")


@pytest.mark.parametrize(
    ("number", "amount", "paid_on", "field"),
    [
        ("NOPE", "10", FEB1, "invoice_number"),
        ("INV-1", "0", FEB1, "amount"),
        ("INV-1", "10", dt.date(2025, 12, 31), "paid_on"),
    ],
)
def test_an_invalid_payment_names_the_field(ctx, number, amount, paid_on, field):
    book(ctx, "INV-1", "1000", JAN1, FEB1)
    with pytest.raises(Invalid) as caught:
        pay(ctx, number, amount, paid_on)
    assert field in caught.value.errors


def test_an_invoice_of_another_customer_cannot_be_paid(ctx):
    other = customer_row(2)
    book(other, "INV-X", "1000", JAN1, FEB1)
    with pytest.raises(Invalid) as caught:
        pay(ctx, "INV-X", "10", FEB1)
    assert "invoice_number" in caught.value.errors


def test_a_payment_is_idempotent_by_reference(ctx):
    book(ctx, "INV-1", "1000", JAN1, FEB1)
    first = pay(ctx, "INV-1", "250", FEB1, reference="BANK-1")
    again = pay(ctx, "INV-1", "250.00", FEB1, reference="BANK-1")
    assert (again.payment.id, again.created, again.invoice_open_amount) == (
        first.payment.id,
        False,
        Decimal("750.00"),
    )
    with pytest.raises(Conflict) as caught:
        pay(ctx, "INV-1", "300", FEB1, reference="BANK-1")
    assert caught.value.extra["fields"] == ["amount"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Payment)) == 1
    assert_exact(ctx)


def test_a_reversed_payment_reopens_the_invoice_and_keeps_date_and_reason(ctx):
    book(ctx, "INV-1", "1000", JAN1, FEB1)
    paid = pay(ctx, "INV-1", "1000", FEB1).payment
    day = dt.date(2026, 2, 5)
    payment, balance = payments.reverse_payment(db.session, NOW, day, "erp1", paid.id, "bounced")
    assert (balance.open_amount, balance.status) == (Decimal("1000.00"), "open")
    assert (payment.reversed_on, payment.reversal_reason, payment.reversed_by) == (
        day,
        "bounced",
        "erp1",
    )
    invoice = db.session.scalar(sa.select(Invoice))
    assert (invoice.status, invoice.settled_on) == ("open", None)
    assert payments.bounced_since(db.session, ctx, dt.date(2026, 2, 5)) == [payment]
    assert payments.bounced_since(db.session, ctx, dt.date(2026, 2, 6)) == []
    assert exposure.read_exposure(db.session, ctx).receivables == Decimal("1000.00")
    with pytest.raises(Conflict):
        payments.reverse_payment(db.session, NOW, day, "erp1", paid.id, "error")
    with pytest.raises(Invalid):
        payments.reverse_payment(db.session, NOW, day, "erp1", paid.id, "lost")
    with pytest.raises(NotFound):
        payments.reverse_payment(db.session, NOW, day, "erp1", 999999, "error")
    assert_exact(ctx)


def test_a_reversal_reopens_a_partly_paid_invoice_by_the_payment_only(ctx):
    book(ctx, "INV-1", "1000", JAN1, FEB1)
    pay(ctx, "INV-1", "400", FEB1)
    second = pay(ctx, "INV-1", "600", FEB1).payment
    _, balance = payments.reverse_payment(db.session, NOW, FEB1, "erp1", second.id, "error")
    assert balance.open_amount == Decimal("600.00")
    assert_exact(ctx)


def test_a_credit_note_lowers_the_open_amount_and_can_settle_the_invoice(ctx):
    invoice = book(ctx, "INV-1", "1000", JAN1, FEB1)
    pay(ctx, "INV-1", "700", FEB1)
    done = adjustments.issue_credit_note(
        db.session, NOW, "collector1", invoice.id, Decimal("300"), dt.date(2026, 2, 9), "dispute"
    )
    assert (done.balance.open_amount, done.balance.status) == (Decimal("0.00"), "paid")
    assert db.session.get(Invoice, invoice.id).settled_on == dt.date(2026, 2, 9)
    assert_exact(ctx)


def test_a_write_off_takes_the_open_rest_and_marks_the_invoice_written_off(ctx):
    invoice = book(ctx, "INV-1", "1000", JAN1, FEB1)
    pay(ctx, "INV-1", "250", FEB1)
    day = dt.date(2026, 6, 30)
    done = adjustments.write_off(db.session, NOW, "gm1", invoice.id, day, "bankrupt")
    assert (done.entry.amount, done.balance.status) == (Decimal("750.00"), "written_off")
    assert db.session.get(Invoice, invoice.id).settled_on == day
    assert exposure.read_exposure(db.session, ctx).receivables == 0
    assert_exact(ctx)


def test_adjustments_check_their_own_preconditions(ctx):
    invoice = book(ctx, "INV-1", "1000", JAN1, FEB1)
    db.session.commit()
    with pytest.raises(Invalid) as caught:
        adjustments.issue_credit_note(db.session, NOW, "c", invoice.id, Decimal("5"), FEB1, " ")
    assert "reason" in caught.value.errors
    with pytest.raises(Invalid) as caught:
        adjustments.issue_credit_note(
            db.session, NOW, "c", invoice.id, Decimal("1000.01"), FEB1, "x"
        )
    assert "amount" in caught.value.errors
    db.session.rollback()
    with pytest.raises(Invalid):
        adjustments.write_off(db.session, NOW, "c", invoice.id, FEB1, "x", amount=Decimal("0"))
    db.session.rollback()
    pay(ctx, "INV-1", "1000", FEB1)
    with pytest.raises(Conflict):
        adjustments.write_off(db.session, NOW, "c", invoice.id, FEB1, "too late")
    with pytest.raises(NotFound):
        adjustments.write_off(db.session, NOW, "c", 999999, FEB1, "x")


def test_an_adjustment_reference_makes_it_idempotent(ctx):
    invoice = book(ctx, "INV-1", "1000", JAN1, FEB1)
    first = adjustments.issue_credit_note(
        db.session, NOW, "c", invoice.id, Decimal("100"), FEB1, "dispute", reference="CN-1"
    )
    again = adjustments.issue_credit_note(
        db.session, NOW, "c", invoice.id, Decimal("100"), FEB1, "dispute", reference="CN-1"
    )
    assert (again.entry.id, again.created, again.balance.open_amount) == (
        first.entry.id,
        False,
        Decimal("900.00"),
    )
    with pytest.raises(Conflict):
        adjustments.write_off(db.session, NOW, "c", invoice.id, FEB1, "x", reference="CN-1")
    assert_exact(ctx)


def test_foreign_currency_counts_in_cny_rounded_per_invoice(ctx):
    book(ctx, "USD-1", "100.01", JAN1, FEB1, currency="USD")  # 710.071 -> 710.07
    book(ctx, "HKD-1", "0.55", JAN1, FEB1, currency="HKD")  # 0.5005 -> 0.50
    assert exposure.read_exposure(db.session, ctx).receivables == Decimal("710.57")
    pay(ctx, "USD-1", "50", FEB1)  # open 50.01 -> 355.071 -> 355.07
    assert exposure.read_exposure(db.session, ctx).receivables == Decimal("355.57")
    assert_exact(ctx)


def reserve(customer_id, order_ref, amount):
    exposure.lock_exposure(db.session, customer_id)
    return reservations.hold_for_order(
        db.session,
        NOW,
        "erp1",
        customer_id,
        order_ref,
        Decimal(amount),
        "CNY",
        Decimal(1),
        Decimal(amount),
        "order",
    )


def test_an_invoice_with_the_order_ref_turns_the_reservation_into_receivable_once(ctx):
    reserve(ctx, "SO-1", "5000")
    assert exposure.read_exposure(db.session, ctx) == exposure.Exposure(Decimal(0), Decimal(5000))
    book(ctx, "INV-1", "5000", JAN1, FEB1, order_ref="SO-1")
    assert exposure.read_exposure(db.session, ctx) == exposure.Exposure(Decimal(5000), Decimal(0))
    assert db.session.get(OrderReservation, "SO-1").status == "invoiced"
    assert_exact(ctx)


def test_a_new_reservation_of_an_order_replaces_the_old_amount(ctx):
    reserve(ctx, "SO-1", "5000")
    reserve(ctx, "SO-1", "3000")
    assert exposure.read_exposure(db.session, ctx).reservations == Decimal(3000)
    assert_exact(ctx)


def test_a_cancelled_order_frees_its_reservation_and_a_reopened_one_counts_in_full(ctx):
    reserve(ctx, "SO-1", "5000")
    reservations.cancel_order(db.session, NOW, "erp1", "SO-1")
    reservations.cancel_order(db.session, NOW, "erp1", "SO-1")  # twice: nothing more
    assert exposure.read_exposure(db.session, ctx).reservations == 0
    reserve(ctx, "SO-1", "4000")
    assert exposure.read_exposure(db.session, ctx).reservations == Decimal(4000)
    assert_exact(ctx)
    with pytest.raises(NotFound):
        reservations.cancel_order(db.session, NOW, "erp1", "SO-404")


def test_an_order_ref_belongs_to_one_customer(ctx):
    reserve(ctx, "SO-1", "5000")
    other = customer_row(2)
    with pytest.raises(Conflict):
        reserve(other, "SO-1", "10")
    with pytest.raises(Conflict):
        book(other, "INV-9", "10", JAN1, FEB1, order_ref="SO-1")


def test_payment_history_counts_a_partly_paid_invoice_late_until_the_rest_is_paid(ctx):
    from credit.scorecard import max_days_past_due

    book(ctx, "INV-1", "1000", JAN1, FEB1)
    pay(ctx, "INV-1", "900", FEB1)  # on time, but 100 stays open
    pay(ctx, "INV-1", "100", dt.date(2026, 2, 13))
    rows = db.session.execute(sa.select(Invoice.due_on, Invoice.settled_on)).all()
    assert max_days_past_due([tuple(r) for r in rows], dt.date(2026, 6, 1)) == 12
