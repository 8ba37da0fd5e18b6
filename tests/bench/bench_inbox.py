"""Benchmark: the task list at a real company's size — 100,000 open and 1,000,000 completed tasks.

    creditflow bench inbox [--open 100000] [--completed 1000000] [--db postgresql+psycopg://…]
                           [--queries 300] [--no-write]

The rows are generated straight into the tables (COPY on PostgreSQL, executemany on SQLite), not
through the engine: open tasks spread over 10 candidate groups, 5,000 customers and amounts from
10,000 to 10,000,000, due dates over ±60 days, 5 % claimed, some with a four-eyes exclusion; every
instance also has ten completed tasks (claimed and completed by one of 50 users). Then a page of
50 for a user in two groups, sorted by due date, through the same service as `GET /tasks`
(`engine.tasklist.task_page`, with its capped count), without a filter, for one customer, and for
an amount range. Figures: p50 / p95 / p99 per variant, and each variant's query plans (they must
use indexes).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "bench"), str(ROOT / "tests" / "integration")]

GROUPS = [f"inbox_group_{n}" for n in range(10)]
USER = "inbox_bench"
USER_GROUPS = {GROUPS[0], GROUPS[1]}  # a fifth of the open tasks are offered to the user
CUSTOMERS = 5000
NAMES = ("assess_customer", "approve_credit_manager", "approve_finance_director")
T0 = dt.datetime(2026, 6, 1, 9, 0)
TASK_COLUMNS = (
    "id", "instance_id", "name", "title", "process_key", "business_key", "candidate_groups",
    "candidate_users", "excluded_users", "assignee", "status", "priority", "escalation_level",
    "due_at", "form_key", "context", "created_at", "completed_at", "completed_by", "subject",
    "amount",
)  # fmt: skip
CANDIDATE_COLUMNS = ("task_id", "group_name", "due_at", "amount")
INSTANCE_COLUMNS = (
    "id", "process_key", "version", "status", "business_key", "subject", "state", "revision",
    "created_at", "updated_at",
)  # fmt: skip


def _task_id(n: int) -> str:
    """A UUID-shaped id, made fast (the same generator for every run)."""
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:]}"


def _subject(instance: int) -> str:
    return f"customer:{instance * 7919 % CUSTOMERS + 1}"


def _instances(count: int, rng: random.Random):
    for i in range(1, count + 1):
        created = T0 - dt.timedelta(minutes=rng.randrange(0, 200_000))
        yield (i, "credit_application", 1, "waiting", str(i), _subject(i), "", 2, created,
               created)  # fmt: skip


def _tasks(instances: int, completed_each: int, rng: random.Random):
    """Rows of human_task and human_task_candidate: each instance's open task last."""
    n = 0
    for i in range(1, instances + 1):
        subject = _subject(i)
        amount = Decimal(rng.randrange(10_000, 10_000_000))
        context = json.dumps({"customer_name": f"客户 {subject[9:]}", "requested_limit":
                              str(amount), "currency": "CNY"}, ensure_ascii=False)  # fmt: skip
        for k in range(completed_each + 1):
            n += 1
            is_open = k == completed_each
            group = GROUPS[rng.randrange(len(GROUPS))]
            created = T0 - dt.timedelta(minutes=rng.randrange(0, 200_000))
            due = T0 + dt.timedelta(hours=rng.randrange(-1440, 1440)) if k % 4 else None
            claimed = is_open and rng.random() < 0.05
            worker = f"user{rng.randrange(50)}"  # who claimed (and, if done, completed) it
            excluded = json.dumps(["someone"] if rng.random() < 0.1 else [])
            yield (
                (_task_id(n), i, NAMES[k % 3], NAMES[k % 3].replace("_", " "),
                 "credit_application", str(i), json.dumps([group]), "[]", excluded,
                 worker if claimed or not is_open else None,
                 ("claimed" if claimed else "open") if is_open else "completed",
                 50, 0, due, NAMES[k % 3], context, created,
                 None if is_open else created + dt.timedelta(hours=5),
                 None if is_open else worker, subject, amount),
                (_task_id(n), group, due, amount) if is_open else None,
            )  # fmt: skip


def generate(url: str, open_tasks: int, completed: int, seed: int = 7) -> float:
    """Fill the inbox tables; return the seconds it took."""
    rng = random.Random(seed)
    started = time.perf_counter()
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    each = max(0, completed // max(1, open_tasks))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            _copy(conn, "process_instance", INSTANCE_COLUMNS, _instances(open_tasks, rng))
            candidates: list[tuple] = []

            def tasks():
                for row, candidate in _tasks(open_tasks, each, rng):
                    if candidate:
                        candidates.append(candidate)
                    yield row

            _copy(conn, "human_task", TASK_COLUMNS, tasks())
            _copy(conn, "human_task_candidate", CANDIDATE_COLUMNS, candidates)
            # COPY wrote the instance ids: move the sequence past them for instances started later
            conn.exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('process_instance', 'id'), max(id)) "
                "FROM process_instance"
            )
            conn.exec_driver_sql("ANALYZE")
        else:
            raw = conn.connection.dbapi_connection
            raw.executemany(_insert("process_instance", INSTANCE_COLUMNS),
                            ((*r[:8], r[8].isoformat(" "), r[9].isoformat(" "))
                             for r in _instances(open_tasks, rng)))  # fmt: skip
            candidates = []
            raw.executemany(_insert("human_task", TASK_COLUMNS), _sqlite_tasks(
                _tasks(open_tasks, each, rng), candidates))  # fmt: skip
            rows = ((t, g, d.isoformat(" ") if d else None, str(a)) for t, g, d, a in candidates)
            raw.executemany(_insert("human_task_candidate", CANDIDATE_COLUMNS), rows)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    return time.perf_counter() - started


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _sqlite_tasks(rows, candidates: list):
    for row, candidate in rows:
        if candidate:
            candidates.append(candidate)
        yield tuple(
            v.isoformat(" ") if isinstance(v, dt.datetime) else str(v) if isinstance(v, Decimal)
            else v for v in row
        )  # fmt: skip


def _copy(conn, table: str, columns: tuple[str, ...], rows) -> None:
    raw = conn.connection.dbapi_connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


VARIANTS = {
    "no filter": {},
    "one customer": {"subject": "customer"},
    "amount 1–2 M": {"min_amount": Decimal("1000000"), "max_amount": Decimal("2000000")},
}


def measure(app, queries: int, seed: int = 11) -> dict:
    """Latency of a page of 50 per variant, and each variant's query plan."""
    from engine.tasklist import TaskFilter, page_queries, task_page
    from web.extensions import db

    rng = random.Random(seed)
    results = {}
    with app.app_context():
        for label, extra in VARIANTS.items():

            def flt(extra=extra):
                values = dict(extra)
                if values.get("subject"):
                    values["subject"] = f"customer:{rng.randrange(1, CUSTOMERS + 1)}"
                return TaskFilter(scope="all", sort="due", **values)

            for _ in range(20):  # warm the caches
                task_page(db.session, USER, USER_GROUPS, flt(), 50)
            samples = []
            for _ in range(queries):
                current = flt()
                start = time.perf_counter()
                rows, total = task_page(db.session, USER, USER_GROUPS, current, 50)
                samples.append(time.perf_counter() - start)
                db.session.rollback()
            ordered = sorted(samples)
            results[label] = {
                "p50": statistics.median(ordered) * 1000,
                "p95": ordered[int(0.95 * (len(ordered) - 1))] * 1000,
                "p99": ordered[int(0.99 * (len(ordered) - 1))] * 1000,
                "rows": len(rows),
                "total": total,
                "plan": [
                    line
                    for n, query in enumerate(page_queries(USER, USER_GROUPS, flt(), 50), 1)
                    for line in [f"query {n}:", *_plan(db.session, query)]
                ],
            }
    return results


def _plan(session, query) -> list[str]:
    """The database's plan for the query, one line per step."""
    dialect = session.get_bind().dialect
    compiled = query.compile(dialect=dialect, compile_kwargs={"literal_binds": True})
    if dialect.name == "postgresql":
        rows = session.execute(sa.text(f"EXPLAIN (COSTS OFF) {compiled}"))
        return [r[0] for r in rows]
    rows = session.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}"))
    return [r[-1] for r in rows]


def main(open_tasks: int, completed: int, db_url: str | None, queries: int, write: bool) -> dict:
    """Generate, measure, print (and record) the figures and plans."""
    from flow_setup import bench_database, open_app

    from web.extensions import db

    with bench_database(db_url) as url:
        app = open_app(url)
        with app.app_context():
            db.create_all()
            db.engine.dispose()
        seconds = generate(url, open_tasks, completed)
        print(f"generated {open_tasks:,} open and {completed:,} completed tasks in {seconds:.1f} s")
        results = measure(app, queries)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    backend = "PostgreSQL" if db_url else "SQLite"
    for label, r in results.items():
        print(f"{backend}, {label}: p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, "
              f"p99 {r['p99']:.1f} ms ({r['rows']} rows, total {r['total']})")  # fmt: skip
        for line in r["plan"]:
            print("      ", line)
    if write:
        _write(backend, open_tasks, completed, seconds, results)
    return {"backend": backend, "seconds": seconds, "results": results}


def _write(backend: str, open_tasks: int, completed: int, seconds: float, results: dict) -> None:
    lines = [
        "",
        f"### Task list, {backend}, {dt.date.today()} (`creditflow bench inbox`)",
        "",
        f"{open_tasks:,} open and {completed:,} completed tasks generated in {seconds:.0f} s; a "
        "page of 50 for a user in two groups, sorted by due date, with its capped count.",
        "",
        "| filter | p50 | p95 | p99 |",
        "|---|---|---|---|",
    ]
    for label, r in results.items():
        lines.append(f"| {label} | {r['p50']:.1f} ms | {r['p95']:.1f} ms | {r['p99']:.1f} ms |")
    for label, r in results.items():
        lines += ["", f"Plan, {label}:", "", *("    " + line for line in r["plan"])]
    path = ROOT / "docs" / "benchmarks.md"
    path.write_text(path.read_text().rstrip("\n") + "\n" + "\n".join(lines) + "\n")
