"""Benchmark: bytes a completed credit application keeps in the database, and after retention.

    creditflow bench storage [--count 200] [--db postgresql+psycopg://…] [--no-write]

Runs N application lifecycles (file, assess, two approval tiers, limit active) on a fresh
database, anchors the audit chains and delivers the outbox (as the scheduler would), then
measures every table with its indexes (SQLite: `dbstat` after VACUUM; PostgreSQL:
`pg_total_relation_size` after VACUUM FULL) against the same database before the applications.
Then the retention job runs as if its periods had passed (finished snapshots compacted,
delivered messages removed; unread in-app notifications stay) and the tables are measured again.
Figures: bytes per application, per table, as written and after retention.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "bench"), str(ROOT / "tests" / "integration")]

BUDGET = 10 * 1024


def table_bytes(engine: sa.Engine) -> dict[str, int]:
    """Bytes per table, its indexes (and on PostgreSQL its TOAST) included, compacted first."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM FULL")
            rows = conn.exec_driver_sql(
                "SELECT relname, pg_total_relation_size(oid) FROM pg_class "
                "WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
            )
            return {name: size for name, size in rows}
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM")
        owners = dict(
            conn.exec_driver_sql(
                "SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"
            ).all()
        )
        sizes: dict[str, int] = {}
        for name, size in conn.exec_driver_sql(
            "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"
        ):
            table = owners.get(name, name)
            sizes[table] = sizes.get(table, 0) + size
        return sizes


def per_application(before: dict[str, int], after: dict[str, int], count: int) -> dict[str, float]:
    """Growth per application of each table that grew, largest first."""
    grown = {t: (after.get(t, 0) - before.get(t, 0)) / count for t in after}
    return dict(sorted(((t, b) for t, b in grown.items() if b > 0), key=lambda kv: -kv[1]))


def main(count: int = 200, db_url: str | None = None, write: bool = True) -> dict:
    """Measure, print (and record) the bytes per application, as written and after retention."""
    import runpy

    from flow_setup import bench_app, bench_database

    lifecycle = runpy.run_path(str(ROOT / "tests" / "bench" / "bench_lifecycle.py"))
    with bench_database(db_url) as url:
        app, customer_id = bench_app(url)
        with app.app_context():
            from engine.anchors import anchor
            from engine.retention import compact_finished
            from notifications.dispatch import dispatch_pending
            from notifications.retention import purge_delivered
            from web.extensions import db

            rt = app.extensions["creditflow.runtime"]
            lifecycle["persisted_lifecycle"](app, customer_id)  # every table has its first pages
            anchor(db.session, rt.clock.now())
            dispatch_pending(app)
            db.session.remove()
            base = table_bytes(db.engine)
            for _ in range(count):
                lifecycle["persisted_lifecycle"](app, customer_id)
            anchor(db.session, rt.clock.now())
            dispatch_pending(app)
            db.session.remove()
            written = per_application(base, table_bytes(db.engine), count)
            later = rt.clock.now() + dt.timedelta(days=1)
            compacted = compact_finished(rt, db.session, later)
            purged = purge_delivered(db.session, later)
            db.session.remove()
            kept = per_application(base, table_bytes(db.engine), count)
            db.engine.dispose()
    backend = "PostgreSQL" if db_url else "SQLite"
    result = {
        "backend": backend,
        "count": count,
        "written": written,
        "kept": kept,
        "compacted": compacted,
        "purged": purged,
    }
    print(
        f"{backend}, {count} completed applications: {sum(written.values()):,.0f} bytes each as "
        f"written, {sum(kept.values()):,.0f} after retention ({compacted} snapshots compacted, "
        f"{purged} delivered messages removed); budget {BUDGET:,}"
    )
    for table in written:
        print(f"    {table:<28} {written[table]:>8,.0f} {kept.get(table, 0):>8,.0f}")
    if write:
        _write(result)
    return result


def _write(r: dict) -> None:
    lines = [
        "",
        f"### Storage per completed application, {r['backend']}, {dt.date.today()} "
        f"(`creditflow bench storage --count {r['count']}`)",
        "",
        "| table (with indexes) | as written | after retention |",
        "|---|---|---|",
    ]
    for table, size in r["written"].items():
        lines.append(f"| {table} | {size:,.0f} B | {r['kept'].get(table, 0):,.0f} B |")
    lines.append(
        f"| **total** | **{sum(r['written'].values()):,.0f} B** | "
        f"**{sum(r['kept'].values()):,.0f} B** |"
    )
    path = ROOT / "docs" / "benchmarks.md"
    path.write_text(path.read_text().rstrip("\n") + "\n" + "\n".join(lines) + "\n")
