"""The `creditflow` command: init, demo, serve, worker, audit verify, bench."""

from __future__ import annotations

import os
import sys

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from web.imports import import_cmd

DEFAULT_WORKERS = min(8, 2 * (os.cpu_count() or 1))


def _create_app() -> Flask:
    from web import create_app
    from web.config import SECRET_KEY_FILE, Config

    cfg = Config.from_env()
    context = click.get_current_context(silent=True)
    if not cfg.secret_key and context is not None and context.info_name == "init":
        from web.hardening import write_secret_key

        cfg.secret_key = write_secret_key(SECRET_KEY_FILE)
        click.echo(f"secret key: generated into {SECRET_KEY_FILE} (mode 0600)")
    return create_app(cfg)


@click.group(
    cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False
)
def cli() -> None:
    """creditflow: customer credit management on BPMN."""


def register_commands(app: Flask) -> None:
    """Attach the commands to the app's CLI (for `flask --app web` too)."""
    for command in (
        init_cmd,
        demo_cmd,
        serve_cmd,
        scheduler_cmd,
        worker_cmd,
        audit_cmd,
        bench_cmd,
        doctor_cmd,
        import_cmd,
        retention_cmd,
    ):
        app.cli.add_command(command)


@click.command("init")
@with_appcontext
def init_cmd() -> None:
    """Create or migrate the database and deploy the shipped process models."""
    from web.setup import init_installation

    for line in init_installation():
        click.echo(line)
    from engine.calendar import seed_calendar, statutory_years
    from web.extensions import db

    added = seed_calendar(db.session)
    db.session.commit()
    years = statutory_years()
    click.echo(f"business calendar: {added} statutory days added ({years[0]}–{years[-1]})")


@click.command("demo")
@with_appcontext
def demo_cmd() -> None:
    """Load demo users, groups and customers (idempotent)."""
    from web.demo import load_demo

    for line in load_demo():
        click.echo(line)


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option(
    "--workers",
    default=DEFAULT_WORKERS,
    show_default=True,
    type=click.IntRange(1, 64),
    help="web worker processes (gunicorn)",
)
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option("--no-scheduler", is_flag=True, help="web and API only (a host among several)")
def serve_cmd(host: str, port: int, workers: int, threads: int, no_scheduler: bool) -> None:
    """Serve web and API with gunicorn; unless --no-scheduler, one scheduler process beside."""
    from web.server import serve

    click.echo(f"creditflow serving on http://{host}:{port} ({workers} workers)")
    serve(host, port, workers, threads, scheduler=not no_scheduler)


@click.command("scheduler")
@with_appcontext
def scheduler_cmd() -> None:
    """Run this host's scheduler (timers, sweeps, outbox every 2 s) until stopped.

    `serve` starts it beside its web workers; it and POST /admin/tick share the job lock.
    """
    from flask import current_app

    from web.scheduling import run_scheduler

    run_scheduler(current_app._get_current_object())


@click.command("worker")
@click.option(
    "--lease-seconds",
    default=30,
    type=click.IntRange(1, 60),
    help="how long a leased batch stays with this worker if it dies (≤ 60 s)",
)
@click.option("--batch", default=100, type=int, help="instances leased per round")
@with_appcontext
def worker_cmd(lease_seconds: int, batch: int) -> None:
    """Run the scheduler jobs (timers, sweeps, outbox) without the web server."""
    from flask import current_app

    from web.worker import run_worker

    run_worker(current_app._get_current_object(), lease_seconds, batch)


@click.command("doctor")
@with_appcontext
def doctor_cmd() -> None:
    """Check database, migrations, workers, outbox, incidents, calendar and secret key."""
    from flask import current_app

    from web.doctor import run_checks

    wrong = 0
    for check in run_checks(current_app._get_current_object()):
        click.echo(f"{'ok  ' if check.ok else 'FAIL'}  {check.name:<11} {check.detail}")
        if not check.ok:
            wrong += 1
            if check.fix:
                click.echo(f"      {'':<11} fix: {check.fix}")
    click.echo("everything looks fine" if not wrong else f"{wrong} problem(s) found")
    sys.exit(1 if wrong else 0)


@click.command("retention")
@with_appcontext
def retention_cmd() -> None:
    """Compact finished instances' snapshots and remove delivered notifications now."""
    from flask import current_app

    from web.retention import run_retention

    result = run_retention(current_app._get_current_object())
    click.echo(
        f"compacted {result['compacted']} finished instance(s), "
        f"removed {result['purged']} delivered notification(s)"
    )


@click.group("bench")
def bench_cmd() -> None:
    """Benchmarks (need CREDITFLOW_DATABASE_URL on PostgreSQL for the worker ones)."""


@bench_cmd.command("lifecycle")
@click.option("--count", default=200, type=int, help="measured lifecycles per variant")
@click.option("--warmup", default=20, type=int)
@click.option("--write/--no-write", default=True, help="append the figures to docs/benchmarks.md")
@click.option(
    "--db",
    "db_url",
    default=None,
    help="PostgreSQL URL of a role that may create databases (default: a SQLite file)",
)
@click.option("--breakdown", is_flag=True, help="also time each engine section (a second run)")
def bench_lifecycle(
    count: int, warmup: int, write: bool, db_url: str | None, breakdown: bool
) -> None:
    """Full application lifecycle persisted (SQLite or PostgreSQL) vs the same BPMN in memory."""
    import runpy

    from web.config import ROOT

    bench = runpy.run_path(str(ROOT / "tests" / "bench" / "bench_lifecycle.py"))
    bench["main"](count, warmup, write, db_url, breakdown)


@bench_cmd.command("timers", context_settings={"ignore_unknown_options": True})
@click.option("--count", default=10_000, type=int)
@click.option("--workers", "worker_counts", default="1,3")
@click.option("--write/--no-write", default=True, help="append the figures to docs/benchmarks.md")
@click.option(
    "--split", "split_count", default=2000, type=int, help="timers fired in process, by section"
)
def bench_timers(count: int, worker_counts: str, write: bool, split_count: int) -> None:
    """N timers due at once: 1 and 3 workers until all fired; where a firing's time goes."""
    import runpy

    from web.config import ROOT

    bench = runpy.run_path(str(ROOT / "tests" / "bench" / "bench_timers.py"))
    bench["main"](count, [int(n) for n in worker_counts.split(",") if n], write, split_count)


@bench_cmd.command("warnings")
@click.option("--customers", default=10_000, type=int)
@click.option("--invoices", default=1_000_000, type=int)
@click.option("--backends", default="sqlite,postgresql", help="sqlite, postgresql or both")
@click.option(
    "--postgres-url", default=None, help="admin URL (default: CREDITFLOW_TEST_POSTGRES_URL)"
)
@click.option("--write/--no-write", default=True, help="append the figures to docs/benchmarks.md")
def bench_warnings(
    customers: int, invoices: int, backends: str, postgres_url: str | None, write: bool
) -> None:
    """Re-evaluate the early warning of N customers with M invoices (sweeps and one event)."""
    import runpy

    from web.config import ROOT

    bench = runpy.run_path(str(ROOT / "tests" / "bench" / "bench_warnings.py"))
    postgres = postgres_url or bench["os"].environ.get("CREDITFLOW_TEST_POSTGRES_URL")
    bench["main"](customers, invoices, backends.split(","), write, postgres)


@bench_cmd.command("import")
@click.option("--rows", default=1_000_000, type=int, show_default=True)
@click.option("--backends", default="sqlite,postgresql", show_default=True)
@click.option("--customers", default=10_000, type=int, show_default=True)
@click.option("--write/--no-write", default=True, help="append the figures to docs/benchmarks.md")
def bench_import(rows: int, backends: str, customers: int, write: bool) -> None:
    """Import N invoice rows from CSV into each backend; rows/s, then the re-import."""
    bench = _bench_script("bench_import.py")
    bench["main"](rows, backends.split(","), write, customers)


@bench_cmd.command("credit-check")
@click.option("--customers", default=10_000, type=int, show_default=True)
@click.option("--invoices", default=1_000_000, type=int, show_default=True)
@click.option("--rate", default=1000, type=int, show_default=True, help="requests/s offered")
@click.option("--seconds", default=20, type=int, show_default=True)
@click.option("--workers", default=DEFAULT_WORKERS, type=int, show_default=True)
@click.option("--write/--no-write", default=True, help="append the figures to docs/benchmarks.md")
def bench_credit_check(
    customers: int, invoices: int, rate: int, seconds: int, workers: int, write: bool
) -> None:
    """Credit checks through gunicorn at a fixed rate from a load generator on 127.0.0.1."""
    bench = _bench_script("bench_credit_check.py")
    bench["main"](customers, invoices, rate, seconds, workers, write)


@bench_cmd.command("floors")
@click.option("--rows", default=1_000_000, type=int, show_default=True)
@click.option("--customers", default=10_000, type=int, show_default=True)
@click.option("--invoices", default=1_000_000, type=int, show_default=True)
@click.option("--checks", default=8_000, type=int, show_default=True)
@click.option("--workers", default=DEFAULT_WORKERS, type=int, show_default=True)
@click.option("--write/--no-write", default=True, help="append the figures to docs/benchmarks.md")
def bench_floors(
    rows: int, customers: int, invoices: int, checks: int, workers: int, write: bool
) -> None:
    """What the stack alone reaches here: bare inserts, and the check's SQL in a bare app."""
    _bench_script("bench_floors.py")["main"](rows, customers, invoices, checks, workers, write)


@bench_cmd.command("sweep")
@click.option("--customers", default=10_000, type=int)
@click.option("--invoices", default=1_000_000, type=int)
@click.option("--overdue", default=50_000, type=int, help="overdue invoices among them")
@click.option("--backends", default="sqlite,postgresql", help="sqlite, postgresql or both")
@click.option(
    "--postgres-url", default=None, help="admin URL (default: CREDITFLOW_TEST_POSTGRES_URL)"
)
@click.option("--write/--no-write", default=True, help="append the figures to docs/benchmarks.md")
def bench_sweep(
    customers: int,
    invoices: int,
    overdue: int,
    backends: str,
    postgres_url: str | None,
    write: bool,
) -> None:
    """The daily overdue sweep: day 1 starts every escalation, then a quiet day."""
    bench = _bench_script("bench_sweep.py")
    postgres = postgres_url or bench["os"].environ.get("CREDITFLOW_TEST_POSTGRES_URL")
    bench["main"](
        customers, invoices, overdue, tuple(backends.split(",")), write, postgres_url=postgres
    )


@bench_cmd.command("inbox")
@click.option("--open", "open_tasks", default=100_000, type=int, show_default=True)
@click.option("--completed", default=1_000_000, type=int, show_default=True)
@click.option("--db", "db_url", default=None, help="PostgreSQL URL (default: a SQLite file)")
@click.option("--queries", default=300, type=int, show_default=True, help="pages per variant")
@click.option("--write/--no-write", default=True, help="append the figures to docs/benchmarks.md")
def bench_inbox(open_tasks: int, completed: int, db_url: str | None, queries: int, write: bool):
    """The task list at 100,000 open and 1,000,000 completed tasks: p50/p95/p99, query plans."""
    _bench_script("bench_inbox.py")["main"](open_tasks, completed, db_url, queries, write)


@bench_cmd.command("storage")
@click.option("--count", default=200, type=int, show_default=True)
@click.option("--db", "db_url", default=None, help="PostgreSQL URL (default: a SQLite file)")
@click.option("--write/--no-write", default=True, help="append the figures to docs/benchmarks.md")
def bench_storage(count: int, db_url: str | None, write: bool) -> None:
    """Bytes a completed application keeps, per table, as written and after retention."""
    _bench_script("bench_storage.py")["main"](count, db_url, write)


@bench_cmd.command("writers")
@click.option("--db", "db_url", required=True, help="PostgreSQL URL of a role that may create DBs")
@click.option("--writers", "writer_counts", default="1,4", show_default=True)
@click.option("--seconds", default=20.0, type=float, show_default=True)
@click.option("--write/--no-write", default=True, help="append the figures to docs/benchmarks.md")
def bench_writers(db_url: str, writer_counts: str, seconds: float, write: bool) -> None:
    """Concurrent writer processes: steps/s and the busy time spent waiting for a lock."""
    counts = [int(n) for n in writer_counts.split(",") if n]
    _bench_script("bench_writers.py")["main"](db_url, counts, seconds, write)


@bench_cmd.command("http")
@click.option("--db", "db_url", default=None, help="PostgreSQL admin URL "
              "(default: CREDITFLOW_TEST_POSTGRES_URL)")  # fmt: skip
@click.option("--workers", default=DEFAULT_WORKERS, type=int, show_default=True)
@click.option("--requests", default=300, type=int, show_default=True, help="timed per request kind")
@click.option("--open", "open_tasks", default=100_000, type=int, show_default=True)
@click.option("--completed", default=1_000_000, type=int, show_default=True)
@click.option("--clients", default=2, type=int, show_default=True, help="closed-loop clients")
@click.option("--write/--no-write", default=True, help="append the figures to docs/benchmarks.md")
def bench_http(**options: object) -> None:
    """Approval step, inbox page and filing through gunicorn: p50/p95/p99 from 127.0.0.1."""
    _bench_script("bench_http.py")["main"](**options)


def _bench_script(name: str) -> dict:
    import runpy

    from web.config import ROOT

    return runpy.run_path(str(ROOT / "tests" / "bench" / name))


@click.group("audit")
def audit_cmd() -> None:
    """Audit trail commands."""


@audit_cmd.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Recompute the hash chains and anchors; exit 1 at the first broken link."""
    from engine.audit import verify
    from web.extensions import db

    result = verify(db.session)
    click.echo(
        f"events: {result.events}  chains: {result.chains}  anchors: {result.anchors}  "
        f"ok: {result.ok}  first_bad_seq: {result.first_bad_seq}"
    )
    if result.first_bad_chain or result.first_bad_anchor:
        click.echo(f"first_bad_chain: {result.first_bad_chain}  "
                   f"first_bad_anchor: {result.first_bad_anchor}")  # fmt: skip
    click.echo(f"last anchor hash (keep it elsewhere): {result.anchor_hash}")
    sys.exit(0 if result.ok else 1)


@audit_cmd.command("anchor")
@with_appcontext
def audit_anchor() -> None:
    """Anchor the heads of the audit chains that moved (the scheduler does it every minute)."""
    from engine.anchors import anchor
    from web.extensions import db
    from web.runtime_access import runtime

    count = anchor(db.session, runtime().clock.now())
    click.echo(f"anchored {count} chain head(s)")


cli.add_command(init_cmd)
cli.add_command(demo_cmd)
cli.add_command(serve_cmd)
cli.add_command(audit_cmd)
cli.add_command(worker_cmd)
cli.add_command(bench_cmd)
cli.add_command(doctor_cmd)
cli.add_command(scheduler_cmd)
cli.add_command(import_cmd)
cli.add_command(retention_cmd)


def main() -> None:
    """Entry point of the console script."""
    cli(prog_name="creditflow")


if __name__ == "__main__":
    main()
