"""Benchmark: POST /credit-check through gunicorn as deployed, load from 127.0.0.1.

    creditflow bench credit-check [--customers 10000] [--invoices 1000000] [--rate 1000]
                                  [--seconds 20] [--workers N] [--no-write]

A fresh PostgreSQL database gets the customers (each with a limit) and the open invoices (by the
CSV import); `creditflow serve --no-scheduler` runs with N gunicorn workers; an asyncio load
generator keeps HTTP/1.1 connections open and sends checks on a fixed schedule (open loop:
latency counts from the moment a request was due, so a slow server cannot hide its queue), half
of them with an order_ref (they lock the exposure row, reserve and write), then runs closed loop
for the maximum rate. Figures: requests/s achieved, p50 / p99 / max latency, errors.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "integration"),
                str(ROOT / "tests" / "bench")]  # fmt: skip

import http_load as load  # noqa: E402

CONNECTIONS = 64


def _prepare(url: str, customers: int, invoices: int, workdir: Path) -> list[int]:
    from receivables_probe import add_customers, make_app, write_invoice_csv

    from web.extensions import db
    from web.imports import import_invoice_file

    app = make_app(url)
    ids = add_customers(app, customers)
    csv_path = workdir / "invoices.csv"
    write_invoice_csv(csv_path, invoices, ids)
    with app.app_context():
        report, seconds = import_invoice_file(csv_path, batch=20_000)
        assert report.imported == invoices, report.rejected[:3]
        db.session.remove()
        db.engine.dispose()
    print(f"prepared {customers:,} customers and {invoices:,} open invoices ({seconds:.0f} s)")
    return ids


def _checks(ids: list[int], count: int, seed: int) -> list[load.Request]:
    rng = random.Random(seed)
    checks = []
    for n in range(count):
        body = {"customer_id": rng.choice(ids), "amount": f"{rng.randrange(1000, 200000)}.00"}
        if n % 2:
            body["order_ref"] = f"BENCH-{seed}-{n}"
        checks.append(("POST", "/api/v1/credit-check", json.dumps(body).encode()))
    return checks


def main(customers: int, invoices: int, rate: int, seconds: int, workers: int, write: bool) -> dict:
    """Prepare, serve, load; print the figures and append them to docs/benchmarks.md."""
    from receivables_probe import Database

    postgres = os.environ.get("CREDITFLOW_TEST_POSTGRES_URL")
    with tempfile.TemporaryDirectory() as tmp:
        database = Database("postgresql", Path(tmp), postgres)
        try:
            ids = _prepare(database.url, customers, invoices, Path(tmp))
            with load.served(database.url, workers) as port:
                bearer = load.token(port, "erp1")
                warmup = _checks(ids, min(500, rate), 1)
                load.run(load.closed_loop(port, bearer, warmup, 8))
                at_rate = load.run(
                    load.open_loop(port, bearer, _checks(ids, rate * seconds, 2), rate, CONNECTIONS)
                )
                peak = load.run(load.closed_loop(port, bearer, _checks(ids, rate * seconds, 3), 16))
        finally:
            database.drop()
    result = {"customers": customers, "invoices": invoices, "workers": workers,
              "offered": rate, "at_rate": at_rate, "peak": peak}  # fmt: skip
    for name, figures in (("open loop", at_rate), ("closed loop, 16 clients", peak)):
        print(
            f"{name}: {figures['requests']:,} checks, {figures['rate']:,.0f}/s, "
            f"p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms, "
            f"max {figures['max']:.0f} ms, errors {figures['errors']}"
        )
    if write:
        _write(result)
    return result


def _write(r: dict) -> None:
    a, p = r["at_rate"], r["peak"]
    lines = [
        "",
        f"### Credit check, {dt.date.today()} (`creditflow bench credit-check --rate "
        f"{r['offered']} --workers {r['workers']}`)",
        "",
        f"{r['customers']:,} customers, {r['invoices']:,} open invoices, PostgreSQL, "
        f"{r['workers']} gunicorn workers (gthread).",
        "",
        "| load | checks | achieved | p50 | p99 | max | errors |",
        "|---|---|---|---|---|---|---|",
        f"| open loop, {r['offered']}/s offered | {a['requests']:,} | {a['rate']:,.0f}/s | "
        f"{a['p50']:.1f} ms | {a['p99']:.1f} ms | {a['max']:.0f} ms | {a['errors']} |",
        f"| closed loop, 16 clients | {p['requests']:,} | {p['rate']:,.0f}/s | "
        f"{p['p50']:.1f} ms | {p['p99']:.1f} ms | {p['max']:.0f} ms | {p['errors']} |",
    ]
    load.append_to_benchmarks("Receivables: invoice import and credit check", lines)
