"""Benchmark: the floors under the import and credit-check targets on this machine.

    creditflow bench floors [--rows 1000000] [--customers 10000] [--invoices 1000000]
                            [--checks 8000] [--workers N] [--no-write]

What the stack alone reaches, with none of creditflow's own work, so a target below a floor is
out of reach here whatever creditflow does:

- import: the same rows (the CSV `bench import` writes), already parsed and typed outside the
  timing, into the shipped `invoice` table: SQLite `executemany` of tuples and PostgreSQL `COPY`
  of rendered text, batches of 5,000 (the import's default) and 50,000, a commit each;
- credit check: gunicorn (gthread, N workers) serving tests/bench/floor_apps.py — `bare` (a
  constant answer, no database) and `core` (the check's statements through SQLAlchemy Core, see
  there) — with the load generator of `bench credit-check` (closed loop, 16 clients; open loop
  at 1,000/s), and the CPU each side used per check (from /proc: PostgreSQL's processes, the
  server's, the load generator's).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "integration"),
                str(ROOT / "tests" / "bench")]  # fmt: skip

import http_load as load  # noqa: E402
from sections import cpu_of_matching  # noqa: E402

BATCHES = (5_000, 50_000)
STAMP = "2026-01-01 00:00:00.000000"


def _rows(csv_path: Path) -> list[tuple]:
    """The CSV's lines as the import types them (amounts as text, dates as ISO text)."""
    rows = []
    with csv_path.open(encoding="utf-8") as lines:
        next(lines)
        for line in lines:
            cid, number, amount, currency, issued, due, _ = line.rstrip("\n").split(",")
            rows.append((int(cid), number, amount, currency, issued, due))
    return rows


def _sqlite_floor(url: str, rows: list[tuple], batch: int) -> float:
    from credit.invoice_import import _COLUMNS

    typed = [
        (cid, number, float(amount), currency, 1.0, issued, due, None, float(amount), "open",
         "bench", STAMP)
        for cid, number, amount, currency, issued, due in rows
    ]  # fmt: skip
    conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON",
                   "cache_size=-65536", "wal_autocheckpoint=100000"):  # fmt: skip
        conn.execute(f"PRAGMA {pragma}")
    sql = f"INSERT INTO invoice ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
    started = time.perf_counter()
    for start in range(0, len(typed), batch):
        conn.execute("BEGIN")
        conn.executemany(sql, typed[start : start + batch])
        conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    seconds = time.perf_counter() - started
    conn.close()
    return len(rows) / seconds


def _postgres_floor(url: str, rows: list[tuple], batch: int) -> float:
    import psycopg

    from credit.invoice_import import _COLUMNS

    blocks = [
        "".join(
            f"{cid}\t{number}\t{amount}\t{currency}\t1\t{issued}\t{due}\t\\N\t{amount}\topen"
            f"\tbench\t{STAMP}\n"
            for cid, number, amount, currency, issued, due in rows[start : start + batch]
        )
        for start in range(0, len(rows), batch)
    ]
    copy_sql = f"COPY invoice ({', '.join(_COLUMNS)}) FROM STDIN"
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        started = time.perf_counter()
        for block in blocks:
            with conn.cursor() as cursor, cursor.copy(copy_sql) as copy:
                copy.write(block)
            conn.commit()
        seconds = time.perf_counter() - started
    return len(rows) / seconds


def import_floors(rows: int, customers: int, backends: list[str], workdir: Path) -> list[dict]:
    """rows/s of the bare inserts per backend and batch size, each into a fresh database."""
    from receivables_probe import Database, add_customers, make_app, write_invoice_csv

    from web.extensions import db

    floors = {"sqlite": _sqlite_floor, "postgresql": _postgres_floor}
    results = []
    for backend in backends:
        for batch in BATCHES:
            database = Database(backend, workdir, os.environ.get("CREDITFLOW_TEST_POSTGRES_URL"))
            try:
                app = make_app(database.url)
                ids = add_customers(app, customers)
                with app.app_context():
                    db.session.remove()
                    db.engine.dispose()
                csv_path = workdir / "floor.csv"
                write_invoice_csv(csv_path, rows, ids)
                rate = floors[backend](database.url, _rows(csv_path), batch)
            finally:
                database.drop()
            print(f"import floor, {backend}, batch {batch:,}: {rate:,.0f} rows/s")
            results.append({"backend": backend, "batch": batch, "rate": rate})
    return results


def _is_postgres(command: str) -> bool:
    return command.startswith("postgres")


def _load(port: int, ids: list[int], checks: int, app: str) -> dict:
    """Closed loop (16 clients) with the CPU split per check, then open loop at 1,000/s."""
    from bench_credit_check import _checks

    def is_server(command: str) -> bool:
        return "gunicorn" in command and f"floor_apps:{app}" in command

    load.run(load.closed_loop(port, "-", _checks(ids, 500, 1), 8))
    before = (cpu_of_matching(_is_postgres), cpu_of_matching(is_server), time.process_time())
    peak = load.run(load.closed_loop(port, "-", _checks(ids, checks, 3), 16))
    after = (cpu_of_matching(_is_postgres), cpu_of_matching(is_server), time.process_time())
    cpu = [1000 * (b - a) / checks for a, b in zip(before, after, strict=True)]
    at_rate = load.run(load.open_loop(port, "-", _checks(ids, checks, 2), 1000, 64))
    return {"app": app, "peak": peak, "at_rate": at_rate,
            "cpu_ms": dict(zip(("postgres", "server", "load"), cpu, strict=True))}  # fmt: skip


def check_floors(customers: int, invoices: int, checks: int, workers: int, workdir: Path):
    """The two floor apps through gunicorn against a prepared PostgreSQL database."""
    from bench_credit_check import _prepare
    from receivables_probe import Database

    database = Database("postgresql", workdir, os.environ.get("CREDITFLOW_TEST_POSTGRES_URL"))
    results = []
    try:
        ids = _prepare(database.url, customers, invoices, workdir)
        for app in ("bare", "core"):
            port = load.free_port()
            server = subprocess.Popen(
                [str(ROOT / ".venv/bin/gunicorn"), "--workers", str(workers),
                 "--worker-class", "gthread", "--threads", "4", "--keep-alive", "5",
                 "--bind", f"{load.HOST}:{port}", "--chdir", str(ROOT / "tests" / "bench"),
                 f"floor_apps:{app}"],
                env={**os.environ, "FLOOR_DATABASE_URL": database.url, "PYTHONPATH": str(ROOT)},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            try:
                _wait_for(port)
                result = _load(port, ids, checks, app)
            finally:
                server.terminate()
                server.wait(timeout=60)
            peak, cpu = result["peak"], result["cpu_ms"]
            print(
                f"credit-check floor, {app}: closed loop {peak['rate']:,.0f}/s, "
                f"p99 {peak['p99']:.1f} ms; at 1,000/s offered {result['at_rate']['rate']:,.0f}/s, "
                f"p99 {result['at_rate']['p99']:.1f} ms; CPU ms per check: postgres "
                f"{cpu['postgres']:.2f}, server {cpu['server']:.2f}, load {cpu['load']:.2f}; "
                f"errors {peak['errors'] + result['at_rate']['errors']}"
            )
            results.append(result)
    finally:
        database.drop()
    return results


def _wait_for(port: int) -> None:
    import socket

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex((load.HOST, port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("the floor app did not come up within 30 s")


def main(rows: int, customers: int, invoices: int, checks: int, workers: int, write: bool) -> dict:
    """Measure both floors; print them and append them to docs/benchmarks.md."""
    backends = ["sqlite"] + (
        ["postgresql"] if os.environ.get("CREDITFLOW_TEST_POSTGRES_URL") else []
    )
    with tempfile.TemporaryDirectory() as tmp:
        result = {
            "import": import_floors(rows, customers, backends, Path(tmp)),
            "check": check_floors(customers, invoices, checks, workers, Path(tmp)),
            "rows": rows, "customers": customers, "invoices": invoices, "workers": workers,
        }  # fmt: skip
    if write:
        _write(result)
    return result


def _write(r: dict) -> None:
    lines = [
        "",
        f"### Floors, {dt.date.today()} (`creditflow bench floors --rows {r['rows']}`)",
        "",
        "| floor | result |",
        "|---|---|",
    ]
    for f in r["import"]:
        lines.append(f"| import, {f['backend']}, batch {f['batch']:,} | {f['rate']:,.0f} rows/s |")
    for f in r["check"]:
        peak, at_rate, cpu = f["peak"], f["at_rate"], f["cpu_ms"]
        lines.append(
            f"| credit check, `{f['app']}`, {r['workers']} workers | closed loop "
            f"{peak['rate']:,.0f}/s, p99 {peak['p99']:.1f} ms; 1,000/s offered: "
            f"{at_rate['rate']:,.0f}/s, p99 {at_rate['p99']:.1f} ms; CPU per check: PostgreSQL "
            f"{cpu['postgres']:.2f} ms, server {cpu['server']:.2f} ms, load "
            f"{cpu['load']:.2f} ms |"
        )
    load.append_to_benchmarks("Receivables: invoice import and credit check", lines)
