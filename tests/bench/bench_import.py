"""Benchmark: import N invoice rows from CSV into SQLite and PostgreSQL; rows/s, then re-import.

    creditflow bench import --rows 1000000 [--backends sqlite,postgresql] [--no-write]

10,000 customers exist; the CSV spreads the rows over them. The import runs exactly as
`creditflow import invoices FILE` does (batches of 5,000, a commit per batch, exposure moved per
customer and batch); the second run of the same file must import nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

CUSTOMERS = 10_000


def run(backend: str, rows: int, customers: int, workdir: Path) -> dict:
    """Import `rows` invoices into a fresh database of `backend`; return the figures."""
    from receivables_probe import Database, add_customers, make_app, write_invoice_csv

    from web.extensions import db
    from web.imports import import_invoice_file

    database = Database(backend, workdir, os.environ.get("CREDITFLOW_TEST_POSTGRES_URL"))
    try:
        app = make_app(database.url)
        ids = add_customers(app, customers)
        csv_path = workdir / f"invoices-{backend}.csv"
        write_invoice_csv(csv_path, rows, ids)
        with app.app_context():
            first, seconds = import_invoice_file(csv_path)
            again, again_seconds = import_invoice_file(csv_path)
            db.session.remove()
            db.engine.dispose()
        assert first.imported == rows and not first.rejected, (first.imported, first.rejected[:3])
        assert again.imported == 0 and again.unchanged == rows
        return {
            "backend": backend,
            "rows": rows,
            "seconds": seconds,
            "rate": rows / seconds,
            "again_seconds": again_seconds,
            "again_rate": rows / again_seconds,
        }
    finally:
        database.drop()


def main(rows: int, backends: list[str], write: bool, customers: int = CUSTOMERS) -> list[dict]:
    """Run each backend, print the figures and append them to docs/benchmarks.md."""
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            result = run(backend, rows, customers, Path(tmp))
            results.append(result)
            print(
                f"{backend}: {rows:,} rows in {result['seconds']:.1f} s "
                f"= {result['rate']:,.0f} rows/s; re-import {result['again_seconds']:.1f} s "
                f"({result['again_rate']:,.0f} rows/s, 0 imported)"
            )
    if write:
        _write(results)
    return results


def _write(results: list[dict]) -> None:
    lines = [
        "",
        f"### Invoice import, {dt.date.today()} "
        f"(`creditflow bench import --rows {results[0]['rows']}`)",
        "",
        "| backend | rows | import | rate | re-import (0 imported) |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['backend']} | {r['rows']:,} | {r['seconds']:.1f} s | **{r['rate']:,.0f}/s** | "
        f"{r['again_seconds']:.1f} s ({r['again_rate']:,.0f}/s) |"
        for r in results
    ]
    path = ROOT / "docs" / "benchmarks.md"
    path.write_text(path.read_text().rstrip("\n") + "\n" + "\n".join(lines) + "\n")
