"""A bulk invoice import books edge values exactly as stored elsewhere, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from ledger_setup import NOW, RATES, customer_row

from credit.exposure import lock_exposure, read_exposure
from credit.invoice_import import import_invoices
from credit.receivable_models import Invoice, OrderReservation
from credit.reservations import hold_for_order
from engine.models import AuditEvent
from engine.money import MONEY_MAX
from web.extensions import db

HEADER = "customer_id,number,amount,currency,issued_on,due_on,order_ref"
MAX = str(MONEY_MAX)  # 9999999999999.99, kept to the cent on both databases


def _lines(a: int, b: int, c: int) -> list[str]:
    return [
        HEADER + "\n",
        f"{c},MAX-1,{MAX},CNY,2026-01-01,2026-02-01,\n",
        f"{a},USD-1,250.55,USD,2026-01-01,2026-02-01,SO-1\n",
        f"{a},B\\S-1,1.5,CNY,2026-01-01,2026-02-01,R\\1\n",
        f'{a},"Q,1",5,CNY,2026-01-01,2026-02-01,"O,2"\n',
        f"{b},X-2,10,CNY,2026-01-01,2026-02-01,SO-1\n",
        f"{a},发票-7,3,cny,2026-01-01,2026-02-01,\n",
        "\n",
        "999999,U-1,3,CNY,2026-01-01,2026-02-01,\n",
        f"{a},USD-1,250.55,USD,2026-01-01,2026-02-01,SO-1\n",
        f"{a},USD-1,250.56,USD,2026-01-01,2026-02-01,SO-1\n",
        f"{a},E-1,0.01,EUR,2026-01-01,2026-01-01,\n",
        f'{a},"Q""2",2,CNY,2026-01-01,2026-02-01,"R""2"\n',
    ]


def test_edge_values_are_booked_exactly_and_a_second_run_changes_nothing(app):
    with app.app_context():
        a, b, c = customer_row(1), customer_row(2), customer_row(3)
        lock_exposure(db.session, a)
        hold_for_order(
            db.session, NOW, "sales", a, "SO-1", Decimal("100.00"), "CNY", Decimal(1),
            Decimal("100.00"), "order",
        )  # fmt: skip
        db.session.commit()
        sqlite = db.engine.dialect.name == "sqlite"

        report = import_invoices(db.session, NOW, "import", _lines(a, b, c), RATES)
        db.session.commit()
        assert (report.lines, report.imported, report.unchanged) == (13, 7, 1)
        assert [(r.line, r.errors, r.text) for r in report.rejected] == [
            (
                6,
                {"order_ref": [f"order SO-1 belongs to customer {a}"]},
                f"{b},X-2,10,CNY,2026-01-01,2026-02-01,SO-1",
            ),
            (
                9,
                {"customer_id": ["no customer with id 999999"]},
                "999999,U-1,3,CNY,2026-01-01,2026-02-01,",
            ),
            (
                11,
                {"number": ["already booked with different amount"]},
                f"{a},USD-1,250.56,USD,2026-01-01,2026-02-01,SO-1",
            ),
        ]

        stored = {
            i.number: (i.customer_id, i.amount, i.currency, i.fx_rate, i.order_ref, i.open_amount)
            for i in db.session.scalars(sa.select(Invoice))
        }
        big = Decimal(MAX)
        assert stored == {
            "MAX-1": (c, big, "CNY", Decimal("1.000000"), None, big),
            "USD-1": (a, Decimal("250.55"), "USD", Decimal("7.100000"), "SO-1", Decimal("250.55")),
            "B\\S-1": (a, Decimal("1.50"), "CNY", Decimal("1.000000"), "R\\1", Decimal("1.50")),
            "Q,1": (a, Decimal("5.00"), "CNY", Decimal("1.000000"), "O,2", Decimal("5.00")),
            "发票-7": (a, Decimal("3.00"), "CNY", Decimal("1.000000"), None, Decimal("3.00")),
            "E-1": (a, Decimal("0.01"), "EUR", Decimal("7.700000"), None, Decimal("0.01")),
            'Q"2': (a, Decimal("2.00"), "CNY", Decimal("1.000000"), 'R"2', Decimal("2.00")),
        }
        invoice = db.session.scalars(sa.select(Invoice).where(Invoice.number == "E-1")).one()
        assert (invoice.issued_on, invoice.due_on, invoice.status) == (
            dt.date(2026, 1, 1), dt.date(2026, 1, 1), "open"
        )  # fmt: skip
        assert invoice.created_by == "import" and invoice.created_at == NOW.replace(tzinfo=None)
        reservation = db.session.get(OrderReservation, "SO-1")
        assert (reservation.status, reservation.closed_at) == ("invoiced", NOW.replace(tzinfo=None))
        if sqlite:  # stored as SQLAlchemy stores moments, so text comparisons in SQL agree
            raw = db.session.execute(
                sa.text(
                    "SELECT closed_at, created_at FROM invoice, order_reservation"
                    " WHERE number = 'USD-1'"
                )
            ).one()
            assert tuple(raw) == ("2026-01-01 00:00:00.000000",) * 2
        # 250.55 x 7.10 = 1778.905 -> 1778.91; + 1.50 + 5 + 3 + 0.01 x 7.70 (0.077 -> 0.08) + 2
        assert read_exposure(db.session, a).receivables == Decimal("1790.49")
        assert read_exposure(db.session, a).reservations == Decimal("0.00")
        assert read_exposure(db.session, c).receivables == big
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "invoices_imported")
        ).all()
        assert [(e.data["count"], e.data["customers"], e.data["first_number"]) for e in events] == [
            (7, 2, "MAX-1")
        ]

        again = import_invoices(db.session, NOW, "import", _lines(a, b, c), RATES)
        db.session.commit()
        assert (again.imported, again.unchanged) == (0, 8)
        assert [(r.line, r.errors) for r in again.rejected if r.line in (2, 11)] == [
            (11, {"number": ["already booked with different amount"]}),
        ]
        assert read_exposure(db.session, a).receivables == Decimal("1790.49")


def test_line_numbers_count_the_lines_of_a_quoted_field_across_lines(app):
    with app.app_context():
        a = customer_row(1)
        db.session.commit()
        lines = [
            HEADER + "\r\n",
            f'{a},"M\r\n-1",5,CNY,2026-01-01,2026-02-01,\r\n',
            f"{a},M-2,0,CNY,2026-01-01,2026-02-01,\r\n",
            "\r\n",
            f"{a},M-3,7,CNY,2026-01-01,2026-02-01,\r\n",
            f"{a},M-4,x,CNY,2026-01-01,2026-02-01,",
        ]
        lines[1:2] = [f'{a},"M\r\n', '-1",5,CNY,2026-01-01,2026-02-01,\r\n']
        report = import_invoices(db.session, NOW, "import", lines, RATES, batch=2)
        db.session.commit()
        assert (report.lines, report.imported, report.unchanged) == (7, 1, 0)
        assert [(r.line, list(r.errors), r.text) for r in report.rejected] == [
            # as_csv writes the cells back without quotes (its line terminator is empty).
            (2, ["number"], f"{a},M\r\n-1,5,CNY,2026-01-01,2026-02-01,"),
            (4, ["amount"], f"{a},M-2,0,CNY,2026-01-01,2026-02-01,"),
            (7, ["amount"], f"{a},M-4,x,CNY,2026-01-01,2026-02-01,"),
        ]
