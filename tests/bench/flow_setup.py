"""An app on a fresh database with the demo users and one scored customer, for benchmarks."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: the shared support
from support import drop_postgres, postgres_database  # noqa: E402


@contextlib.contextmanager
def bench_database(postgres_url: str | None = None) -> Iterator[str]:
    """A fresh database URL for one run: a temporary SQLite file, or a PostgreSQL database
    created beside `postgres_url` (a role that may create databases) and dropped afterwards."""
    if not postgres_url:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    url, name = postgres_database(postgres_url, "cf_bench")
    try:
        yield url
    finally:
        drop_postgres(postgres_url, name)


def open_app(url: str):
    """The app on an existing benchmark database (another process's view of it)."""
    from web import create_app
    from web.config import Config

    return create_app(Config(database_url=url, secret_key="bench", testing=True, scheduler=False))


def bench_app(url: str):
    """Create the app, schema, shipped models, users and one customer; return (app, id)."""
    from web.demo import seed_users
    from web.extensions import db
    from web.setup import deploy_shipped

    app = open_app(url)
    with app.app_context():
        db.create_all()
        deploy_shipped()
        seed_users()
        db.session.commit()
    return app, add_scored_customer(app, 0)


def add_scored_customer(app, n: int) -> int:
    """A customer with a statement, a bureau report and collateral (scored as grade B)."""
    from credit.models import CreditReport, Customer, FinancialStatement, Security
    from credit.uscc import make_uscc
    from web.extensions import db

    with app.app_context():
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        customer = Customer(
            name=f"bench {n}" if n else "bench",
            uscc=make_uscc(f"91310000MA1F{n:04d}"),
            industry_risk="medium",
            founded_on=dt.date(2018, 1, 1),
            contacts=[],
            created_at=now,
        )
        db.session.add(customer)
        db.session.flush()
        db.session.add(
            FinancialStatement(
                customer_id=customer.id,
                period_end=dt.date(2025, 12, 31),
                created_at=now,
                current_assets=Decimal("12000000"),
                current_liabilities=Decimal("7000000"),
                inventory=Decimal("3000000"),
                total_assets=Decimal("30000000"),
                total_liabilities=Decimal("16000000"),
                equity=Decimal("14000000"),
                revenue=Decimal("45000000"),
                net_profit=Decimal("2700000"),
                ebit=Decimal("4200000"),
                interest_expense=Decimal("900000"),
                retained_earnings=Decimal("6000000"),
                operating_cash_flow=Decimal("3000000"),
            )
        )
        db.session.add(
            CreditReport(
                customer_id=customer.id,
                bureau="PBOC",
                score=75,
                report_date=dt.date(2026, 1, 15),
                created_at=now,
            )
        )
        db.session.add(
            Security(
                customer_id=customer.id,
                kind="collateral",
                amount=Decimal("1000000"),
                created_at=now,
            )
        )
        db.session.commit()
        return customer.id
