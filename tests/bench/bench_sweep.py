"""Benchmark: the daily overdue sweep over a large ledger, on its first day and a quiet day.

N customers, M invoices of which K are overdue (spread evenly over the customers, 1–89 days past
due, so the first day starts escalations at every ladder stage: reminders to the contacts, call
tasks, holds with notices, letter and legal tasks). Day 1 starts one escalation per customer;
day 2 is a day on which nothing new falls overdue and no ladder step is due (the overdue days are
chosen so that none reaches a stage's day on day 2), so the sweep only reads. The rest of the
invoices fall due next year. Setup (bulk inserts) is not timed.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from support import drop_postgres, postgres_database  # noqa: E402

DAY1 = dt.date(2026, 6, 1)
# Days past due on day 1 whose next day is no stage's day (1, 7, 15, 30, 45, 60): day 2 is quiet.
QUIET_DPDS = [d for d in range(1, 90) if d + 1 not in (7, 15, 30, 45, 60)]


def _app(url: str):
    from web import create_app
    from web.config import Config
    from web.demo import seed_users
    from web.extensions import db
    from web.setup import deploy_shipped

    cfg = Config(database_url=url, secret_key="bench", test_clock=True, scheduler=False)
    app = create_app(cfg)
    with app.app_context():
        db.create_all()
        deploy_shipped()
        seed_users()
    return app


def fill(app, customers: int, invoices: int, overdue: int, progress=print) -> None:
    """Insert the customers and invoices with bulk statements (not timed)."""
    from credit.models import Customer, Invoice
    from credit.uscc import make_uscc
    from web.extensions import db

    now = dt.datetime(2026, 1, 1)
    with app.app_context():
        db.session.execute(
            sa.insert(Customer),
            [
                {
                    "name": f"基准客户 {n}",
                    "uscc": make_uscc(f"91330000MC{n:06d}"),
                    "contacts": [{"name": "财务", "email": f"ap{n}@bench.example"}],
                    "grade": "B",
                    "created_at": now,
                }
                for n in range(1, customers + 1)
            ],
        )
        db.session.commit()
        ids = list(db.session.scalars(sa.select(Customer.id).order_by(Customer.id)))
        batch, made = [], 0
        for n in range(invoices):
            late = n < overdue
            customer = ids[n % len(ids)]
            spread = (n % len(ids)) * 7 + (n // len(ids)) * 3  # each customer its own mix
            due = (
                DAY1 - dt.timedelta(days=QUIET_DPDS[spread % len(QUIET_DPDS)])
                if late
                else dt.date(2027, 1, 1) + dt.timedelta(days=n % 300)
            )
            amount = Decimal(1000 + n % 9000)
            batch.append(
                {
                    "customer_id": customer,
                    "number": f"B{n:09d}",
                    "amount": amount,
                    "currency": "CNY",
                    "fx_rate": Decimal(1),
                    "issued_on": due - dt.timedelta(days=30),
                    "due_on": due,
                    "open_amount": amount,
                    "status": "open",
                    "created_by": "bench",
                    "created_at": now,
                }
            )
            if len(batch) == 20_000 or n == invoices - 1:
                db.session.execute(sa.insert(Invoice), batch)
                db.session.commit()
                made += len(batch)
                batch = []
                progress(f"  invoices {made:,}/{invoices:,}")
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def sweep_day(app, day: dt.date) -> tuple[float, dict]:
    """Run the daily sweep on a day; return its wall time and report."""
    from credit.collection_sweep import sweep_collections
    from web.clock import write_test_clock
    from web.extensions import db

    with app.app_context():
        write_test_clock(dt.datetime.combine(day, dt.time(9), dt.timezone(dt.timedelta(hours=8))))
        db.session.commit()
        rt = app.extensions["creditflow.runtime"]
        started = time.perf_counter()
        report = sweep_collections(db.session, rt, rt.clock.today())
        elapsed = time.perf_counter() - started
        db.session.remove()
    return elapsed, report.as_dict()


def run(url: str, customers: int, invoices: int, overdue: int, progress=print) -> dict:
    """Fill a fresh database, sweep day 1 and day 2; return the figures."""
    app = _app(url)
    progress(f"filling {customers:,} customers, {invoices:,} invoices ({overdue:,} overdue)…")
    fill(app, customers, invoices, overdue, progress)
    first, first_report = sweep_day(app, DAY1)
    progress(f"  day 1: {first:.1f} s {first_report}")
    quiet, quiet_report = sweep_day(app, DAY1 + dt.timedelta(days=1))
    progress(f"  day 2: {quiet:.2f} s {quiet_report}")
    from web.extensions import db

    with app.app_context():
        db.engine.dispose()
    return {
        "customers": customers,
        "invoices": invoices,
        "overdue": overdue,
        "day1": first,
        "day1_report": first_report,
        "day2": quiet,
        "day2_report": quiet_report,
    }


def main(
    customers: int = 10_000,
    invoices: int = 1_000_000,
    overdue: int = 50_000,
    backends: tuple[str, ...] = ("sqlite", "postgresql"),
    write: bool = True,
    progress=print,
    postgres_url: str | None = None,
) -> list[dict]:
    """Run the benchmark on each backend and optionally append the figures to the docs."""
    results = []
    for backend in backends:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                url = f"sqlite:///{tmp}/bench.db"
                progress(f"SQLite ({url})")
                results.append(
                    {"backend": "SQLite", **run(url, customers, invoices, overdue, progress)}
                )
            continue
        base = postgres_url or os.environ.get("CREDITFLOW_TEST_POSTGRES_URL")
        if not base:
            raise SystemExit("set CREDITFLOW_TEST_POSTGRES_URL=postgresql+psycopg://… (admin role)")
        url, name = postgres_database(base, "cf_bench")
        progress(f"PostgreSQL (database {name})")
        try:
            results.append(
                {"backend": "PostgreSQL", **run(url, customers, invoices, overdue, progress)}
            )
        finally:
            drop_postgres(base, name)
    if write:
        _write(results)
    return results


def _write(results: list[dict]) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    lines = [
        "",
        "## Daily overdue sweep",
        "",
        "`creditflow bench sweep` (tests/bench/bench_sweep.py): the daily sweep of",
        "credit.collection_sweep over customers with 5 overdue invoices each (1–89 days past due)",
        "among all invoices. Day 1 starts one collection_escalation per customer, at the stage of",
        "its days past due (reminder emails, call tasks, holds and notices, letter and legal",
        "tasks); day 2 is a day on which nothing new is overdue and no ladder step is due.",
        "Targets: day 1 < 60 s, day 2 < 10 s.",
        "",
        "| database | customers | invoices | overdue | day 1 | started | day 2 |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['backend']} | {r['customers']:,} | {r['invoices']:,} | {r['overdue']:,} | "
            f"{r['day1']:.1f} s | {r['day1_report']['started']:,} | {r['day2']:.2f} s |"
        )
    path.write_text(text.rstrip("\n") + "\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
