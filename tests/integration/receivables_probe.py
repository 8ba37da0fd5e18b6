"""Fill a database with many customers and invoices (benchmarks and their tiny smoke runs)."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from support import drop_postgres, postgres_database

HEADER = "customer_id,number,amount,currency,issued_on,due_on,order_ref"
START = dt.date(2025, 1, 1)


class Database:
    """A fresh database for a run: a SQLite file, or a PostgreSQL database dropped afterwards."""

    def __init__(self, backend: str, workdir: Path, postgres_url: str | None = None) -> None:
        self.backend, self._admin_url, self._name = backend, postgres_url, None
        if backend == "sqlite":
            self.url = f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:8]}.db'}"
            return
        if not postgres_url:
            raise RuntimeError("PostgreSQL runs need CREDITFLOW_TEST_POSTGRES_URL")
        self.url, self._name = postgres_database(postgres_url, "cf_ar_bench")

    def drop(self) -> None:
        """Remove the database (PostgreSQL)."""
        if self._name:
            drop_postgres(self._admin_url, self._name)


def make_app(url: str):
    """The app on a fresh schema with the shipped models deployed and the demo users."""
    from support import make_test_app

    return make_test_app(url)


def add_customers(app, count: int, limit: str = "50000000", grade: str = "B") -> list[int]:
    """Insert `count` customers with an active limit in one statement; return their ids."""
    from credit.models import Customer
    from credit.uscc import make_uscc
    from web.extensions import db

    with app.app_context():
        first = (db.session.scalar(sa.select(sa.func.max(Customer.id))) or 0) + 1
        rows = [
            {
                "id": first + n,
                "name": f"基准客户 {first + n}",
                "uscc": make_uscc(f"91310000MC{first + n:06d}"),
                "industry": "",
                "industry_risk": "medium",
                "legal_representative": "",
                "address": "",
                "contacts": [],
                "currency": "CNY",
                "grade": grade,
                "credit_limit": Decimal(limit),
                "on_hold": False,
                "created_by": "bench",
                "created_at": dt.datetime(2025, 1, 1),
            }
            for n in range(count)
        ]
        db.session.execute(sa.insert(Customer.__table__), rows)
        db.session.commit()
        return [row["id"] for row in rows]


def write_invoice_csv(path: Path, rows: int, customer_ids: list[int], seed: int = 7) -> None:
    """A CSV of `rows` invoices spread over the customers, due within 2025-2026."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for n in range(rows):
            issued = START + dt.timedelta(days=rng.randrange(540))
            due = issued + dt.timedelta(days=rng.choice((15, 30, 45, 60)))
            amount = f"{rng.randrange(10_000, 5_000_000) / 100:.2f}"
            out.write(f"{rng.choice(customer_ids)},B-{n:08d},{amount},CNY,{issued},{due},\n")
