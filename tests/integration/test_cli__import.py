"""`creditflow import invoices FILE`: summary, rejected lines written to a file, idempotent."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import sqlalchemy as sa
from ledger_setup import customer_row

from credit.exposure import read_exposure
from engine.db import end_bulk_load, tune_for_bulk_load
from web.extensions import db
from web.imports import import_invoices_cmd


def test_import_reports_imports_and_rejects_and_a_second_run_imports_nothing(app, tmp_path):
    with app.app_context():
        cid = customer_row(limit="1000000", grade="B")
        db.session.commit()
    path = tmp_path / "invoices.csv"
    path.write_text(
        "customer_id,number,amount,currency,issued_on,due_on\n"
        f"{cid},CLI-1,100.00,CNY,2026-01-01,2026-02-01\n"
        f"{cid},CLI-2,-5,CNY,2026-01-01,2026-02-01\n"
        f"{cid},CLI-3,250.50,CNY,2026-01-01,2026-02-01\n",
        encoding="utf-8",
    )
    runner = app.test_cli_runner()
    first = runner.invoke(import_invoices_cmd, [str(path)])
    assert first.exit_code == 0, first.output
    assert "3 lines: 2 imported, 0 unchanged, 1 rejected" in first.output
    rejected = tmp_path / "invoices.csv.rejected.csv"
    rows = list(csv.reader(rejected.open(encoding="utf-8")))
    assert rows[0] == [
        "line", "errors", "customer_id", "number", "amount", "currency", "issued_on", "due_on"
    ]  # fmt: skip
    assert rows[1][0] == "3" and list(json.loads(rows[1][1])) == ["amount"]
    assert rows[1][3:5] == ["CLI-2", "-5"]
    again = runner.invoke(import_invoices_cmd, [str(path), "--rejected", str(tmp_path / "r.csv")])
    assert "0 imported, 2 unchanged, 1 rejected" in again.output
    with app.app_context():
        assert read_exposure(db.session, cid).receivables == Decimal("350.50")


def test_an_import_of_several_batches_books_every_line_once(app, tmp_path):
    with app.app_context():
        cid = customer_row(limit="100000000", grade="B")
        db.session.commit()
    path = tmp_path / "many.csv"
    lines = [f"{cid},MANY-{n},10.00,CNY,2026-01-01,2026-02-01" for n in range(250)]
    path.write_text("customer_id,number,amount,currency,issued_on,due_on\n" + "\n".join(lines))
    result = app.test_cli_runner().invoke(import_invoices_cmd, [str(path), "--batch", "100"])
    assert "250 lines: 250 imported, 0 unchanged, 0 rejected" in result.output, result.output
    with app.app_context():
        assert read_exposure(db.session, cid).receivables == Decimal("2500.00")


def test_bulk_load_pragmas_are_set_and_restored_on_sqlite(app):
    with app.app_context():
        sqlite = db.session.get_bind().dialect.name == "sqlite"
        tune_for_bulk_load(db.session)
        if sqlite:
            assert db.session.execute(sa.text("PRAGMA cache_size")).scalar() == -65536
            assert db.session.execute(sa.text("PRAGMA wal_autocheckpoint")).scalar() == 100_000
        end_bulk_load(db.session)
        if sqlite:
            assert db.session.execute(sa.text("PRAGMA cache_size")).scalar() == -2000
            assert db.session.execute(sa.text("PRAGMA wal_autocheckpoint")).scalar() == 1000
        db.session.rollback()
