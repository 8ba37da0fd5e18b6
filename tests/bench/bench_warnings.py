"""Benchmark: re-evaluate the early warning of N customers holding M invoices.

Builds a fresh database (SQLite file and/or PostgreSQL), fills it with customers that have
limits, reports, applications, invoices (mostly paid, some open and overdue) and a few bounced
payments, then times:

- the first daily sweep: every customer evaluated, levels stored, the actions of every rise
  run (an `early_warning` process each, reviews started, holds placed);
- the next day's sweep: every customer evaluated again (the steady state, target < 10 s);
- one customer re-evaluated as an event does before its commit (target < 5 ms).

``run(url, customers, invoices)`` returns the figures; ``main`` prints them and appends them to
docs/benchmarks.md. A tiny run is part of the test suite (tests/integration).
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
for path in (ROOT, ROOT / "tests", ROOT / "tests" / "integration"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
from support import drop_postgres, postgres_database  # noqa: E402

DAY0 = dt.date(2026, 3, 2)
CHUNK = 5000


def _rows(customers: int, invoices: int, seed: int = 7):
    """Generate the tables' rows; each customer gets invoices // customers invoices."""
    from credit.uscc import make_uscc

    rnd = random.Random(seed)
    per = max(1, invoices // customers)
    now = dt.datetime(2026, 3, 1)
    people, apps, reports, invs, pays, exposure = [], [], [], [], [], []
    for cid in range(1, customers + 1):
        people.append(
            {
                "id": cid,
                "name": f"基准客户 {cid}",
                "uscc": make_uscc(f"91310000MC{cid:06d}"),
                "contacts": [],
                "credit_limit": Decimal("1000000.00"),
                "grade": "B",
                "score": Decimal(75),
                "payment_terms_days": 45,
                "review_due_on": DAY0 + dt.timedelta(days=200 + cid % 100),
                "created_by": "sales1",
                "created_at": now,
            }
        )
        grades = ["B", "D"] if cid % 100 == 7 else ["B"]  # 1 %: the last grade dropped
        for n, grade in enumerate(grades):
            apps.append(
                {
                    "customer_id": cid,
                    "requested_limit": Decimal("1000000.00"),
                    "requested_terms_days": 45,
                    "expected_monthly_purchases": Decimal("500000.00"),
                    "status": "approved",
                    "applicant": "sales1" if cid % 2 else "sales2",
                    "grade": grade,
                    "score": Decimal(75),
                    "reason_codes": [],
                    "assessment": {},
                    "decided_at": now - dt.timedelta(days=300 - n),
                    "created_at": now - dt.timedelta(days=310 - n),
                }
            )
        drop = 25 if cid % 50 == 3 else 2  # 2 %: the external score fell by more than 20
        for n, score in enumerate((80, 80 - drop)):
            reports.append(
                {
                    "customer_id": cid,
                    "bureau": "PBOC",
                    "score": score,
                    "report_date": DAY0 - dt.timedelta(days=200 - 100 * n),
                    "enforcement_flag": n == 1 and cid % 200 == 11,  # 0.5 %: red
                    "created_at": now,
                }
            )
        open_total = Decimal(0)
        for k in range(per):
            number = f"B{cid:06d}-{k:04d}"
            issued = DAY0 - dt.timedelta(days=rnd.randint(20, 700))
            due = issued + dt.timedelta(days=45)
            amount = Decimal("1000.00")
            still_open = k == 0 and cid % 10 == 0 or due >= DAY0  # 10 % have an overdue one
            if k == 0 and still_open:  # 0 to 120 days past due
                due = DAY0 - dt.timedelta(days=rnd.randint(0, 120))
            if k == 0 and cid % 50 == 5:  # 2 %: a large open invoice near the limit
                amount, still_open, due = Decimal("850000.00"), True, DAY0 + dt.timedelta(days=20)
            invs.append(
                {
                    "id": cid * per + k,
                    "customer_id": cid,
                    "number": number,
                    "amount": amount,
                    "currency": "CNY",
                    "fx_rate": Decimal(1),
                    "issued_on": min(issued, due),
                    "due_on": due,
                    "open_amount": amount if still_open else Decimal(0),
                    "status": "open" if still_open else "paid",
                    "settled_on": None
                    if still_open
                    else due + dt.timedelta(days=rnd.randint(-5, 10)),
                    "created_by": "erp1",
                    "created_at": now,
                }
            )
            if still_open:
                open_total += amount
            elif k == 1 and cid % 100 == 13:  # 1 %: a payment that bounced ten days ago
                pays.append(
                    {
                        "customer_id": cid,
                        "invoice_id": cid * per + k,
                        "amount": amount,
                        "fx_rate": Decimal(1),
                        "paid_on": DAY0 - dt.timedelta(days=20),
                        "reference": f"P{cid}",
                        "reversed_on": DAY0 - dt.timedelta(days=10),
                        "reversal_reason": "bounced",
                        "created_by": "erp1",
                        "created_at": now,
                    }
                )
        exposure.append({"customer_id": cid, "receivables": open_total, "reservations": 0})
    return people, apps, reports, invs, pays, exposure


def fill(app, customers: int, invoices: int) -> None:
    """Insert the benchmark's customers and ledger in chunks (not timed)."""
    from credit.models import (
        CreditApplication,
        CreditReport,
        Customer,
        CustomerExposure,
        Invoice,
        Payment,
    )
    from web.extensions import db

    people, apps, reports, invs, pays, exposure = _rows(customers, invoices)
    with app.app_context():
        for model, rows in (
            (Customer, people),
            (CreditApplication, apps),
            (CreditReport, reports),
            (Invoice, invs),
            (Payment, pays),
            (CustomerExposure, exposure),
        ):
            table = model.__table__
            for start in range(0, len(rows), CHUNK):
                db.session.execute(sa.insert(table), rows[start : start + CHUNK])
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                for table in ("customer", "invoice"):
                    conn.execute(
                        sa.text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
                    )
                conn.execute(sa.text("ANALYZE"))
                conn.commit()
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()


def _sweep(app) -> tuple[float, int, int]:
    from credit.warnings import sweep_batch, sweep_batches
    from web.extensions import db

    rt = app.extensions["creditflow.runtime"]
    rates = app.config["CREDITFLOW"].fx_rates
    started = time.perf_counter()
    evaluated = rose = 0
    with app.app_context():
        for batch in sweep_batches(db.session):
            outcomes = sweep_batch(db.session, rt, rates, batch)
            db.session.commit()
            evaluated += len(batch)
            rose += sum(o.rose for o in outcomes)
    return time.perf_counter() - started, evaluated, rose


def _one_customer(app, customers: int, samples: int = 200) -> list[float]:
    """Milliseconds one re-evaluation adds to an event's transaction (its commit not counted).

    The clock is read before each sample: the test clock is a database row, a server's clock
    is the system's.
    """
    from credit.warnings import reevaluate
    from web.extensions import db

    rt = app.extensions["creditflow.runtime"]
    rates = app.config["CREDITFLOW"].fx_rates
    rnd = random.Random(3)
    times = []
    with app.app_context():
        reevaluate(db.session, rt, rates, [1])  # warm the rule cache and the statements
        db.session.rollback()
        for _ in range(samples):
            cid = rnd.randint(1, customers)
            # The test clock lives in the database; a server reads the system clock instead,
            # so its read stays outside the measured part.
            with rt.clock.frozen(rt.clock.read()):
                started = time.perf_counter()
                reevaluate(db.session, rt, rates, [cid])
                times.append((time.perf_counter() - started) * 1000)
            db.session.commit()
    return times


def _settle(app) -> None:
    """Before timing single events: fresh planner statistics after the sweeps' writes, and the
    sweeps' garbage collected (a server process handling an event carries neither)."""
    from web.extensions import db

    with app.app_context():
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    gc.collect()


def _levels(app) -> dict[str, int]:
    from credit.warning_views import level_counts
    from web.extensions import db

    with app.app_context():
        return level_counts(db.session)


def run(url: str, customers: int, invoices: int) -> dict:
    """Build a database at `url`, fill it, and time the sweeps and one re-evaluation."""
    from monitoring_setup import set_day
    from support import dispose_test_app, make_test_app

    app = make_test_app(url, secret_key="bench")
    try:
        with app.app_context():
            set_day(DAY0)
        started = time.perf_counter()
        fill(app, customers, invoices)
        filled = time.perf_counter() - started
        first, evaluated, rose = _sweep(app)
        levels = _levels(app)
        with app.app_context():
            set_day(DAY0 + dt.timedelta(days=1))
        second, evaluated2, rose2 = _sweep(app)
        steady, evaluated3, rose3 = _sweep(app)  # the same day again: nothing to act on
        _settle(app)
        one = _one_customer(app, customers)
    finally:
        dispose_test_app(app)
    return {
        "customers": customers,
        "invoices": invoices,
        "fill_s": filled,
        "first_sweep_s": first,
        "evaluated": evaluated,
        "rose": rose,
        "levels": levels,
        "second_sweep_s": second,
        "evaluated_again": evaluated2,
        "rose_again": rose2,
        "steady_sweep_s": steady,
        "rose_steady": rose3,
        "one_ms_median": statistics.median(one),
        "one_ms_p95": sorted(one)[int(len(one) * 0.95) - 1],
    }


def run_backend(backend: str, customers: int, invoices: int, postgres: str | None) -> dict:
    """Run on a fresh SQLite file or a fresh PostgreSQL database (dropped afterwards)."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            return {"backend": "SQLite", **run(f"sqlite:///{folder}/bench.db", customers, invoices)}
    if not postgres:
        raise SystemExit("PostgreSQL: set CREDITFLOW_TEST_POSTGRES_URL or --postgres-url")
    url, name = postgres_database(postgres, "cf_mon_bench")
    try:
        return {"backend": "PostgreSQL", **run(url, customers, invoices)}
    finally:
        drop_postgres(postgres, name)


def _line(r: dict) -> str:
    lv = r["levels"]
    return (
        f"| {r['backend']} | {r['customers']:,} | {r['invoices']:,} | {r['first_sweep_s']:.1f} s "
        f"({r['rose']:,} rises) | {r['second_sweep_s']:.1f} s ({r['rose_again']:,} rises) | "
        f"{r['steady_sweep_s']:.1f} s | {r['one_ms_median']:.1f} ms / "
        f"{r['one_ms_p95']:.1f} ms | {lv['blue']}/{lv['yellow']}/{lv['orange']}/{lv['red']} |"
    )


def main(
    customers: int, invoices: int, backends: list[str], write: bool, postgres: str | None
) -> None:
    """Run the benchmark on each backend, print the figures, append them to the docs."""
    results = []
    for backend in backends:
        print(f"{backend}: filling {customers:,} customers and {invoices:,} invoices…", flush=True)
        result = run_backend(backend, customers, invoices, postgres)
        print(result, flush=True)
        results.append(result)
    lines = [
        "| backend | customers | invoices | first sweep (every rise acted on) | next day's sweep "
        "| re-evaluate all, nothing changed | one customer (median / p95) "
        "| blue/yellow/orange/red |",
        "|---|---|---|---|---|---|---|---|",
        *(_line(r) for r in results),
    ]
    print("\n".join(lines))
    if write:
        with open(ROOT / "docs" / "benchmarks.md", "a", encoding="utf-8") as out:
            out.write(
                f"\n### `creditflow bench warnings` — {dt.date.today()} (2 shared cores)\n\n"
                + "\n".join(lines)
                + "\n"
            )


if __name__ == "__main__":
    main(10_000, 1_000_000, ["sqlite"], False, os.environ.get("CREDITFLOW_TEST_POSTGRES_URL"))
