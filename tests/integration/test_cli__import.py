"""`creditflow import invoices FILE`: summary, rejected lines written to a file, idempotent."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

from ledger_setup import customer_row

from credit.exposure import read_exposure
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
