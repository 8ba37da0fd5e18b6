"""Benchmark: N timers due at once; time until all fired with 1 and 3 workers, and lateness.

    creditflow bench timers [--count 10000] [--workers 1,3] [--split 2000] [--no-write]

Each worker count gets a fresh PostgreSQL database with N one-timer instances all due at t = 0
and that many `creditflow worker` processes started together. Then one process fires `--split`
more timers in process, with each engine section timed (where a firing's time goes: lease, load,
deserialize, fire, persist, commit) and the CPU time a firing costs this process and its
PostgreSQL backend (figures that hold on a busy machine).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
sys.path.insert(0, str(ROOT / "tests" / "bench"))
sys.path.insert(0, str(ROOT))


def _run(base_url: str, count: int, workers: int) -> dict:
    from timer_probe import fill_due_timers, fired_counts, make_app

    name = f"cf_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = base_url.rsplit("/", 1)[0] + "/" + name
    app = make_app(url)
    fill_due_timers(app, count)
    env = {
        **os.environ,
        "CREDITFLOW_DATABASE_URL": url,
        "CREDITFLOW_TEST_CLOCK": "1",
        "CREDITFLOW_SECRET_KEY": "workers-of-a-test-installation",
    }
    started = time.monotonic()
    procs = [
        subprocess.Popen(
            [str(ROOT / ".venv/bin/creditflow"), "worker", "--batch", "100"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    samples: list[tuple[float, int]] = []
    try:
        while time.monotonic() - started < 900:
            fired_now = fired_counts(app)[0]
            samples.append((time.monotonic() - started, fired_now))
            if fired_now >= count:
                break
            time.sleep(0.2)
        elapsed = time.monotonic() - started
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=15)
    done, events, twice = fired_counts(app)
    lateness = _lateness(samples, count)
    from web.extensions import db

    with app.app_context():
        db.engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return {
        "workers": workers,
        "count": count,
        "seconds": elapsed,
        "fired": done,
        "events": events,
        "twice": twice,
        **lateness,
    }


def _lateness(samples: list[tuple[float, int]], count: int) -> dict:
    """Lateness percentiles from the polled fired counts (every timer was due at t = 0).

    The k-th timer to fire is late by the first sample time at which k timers had fired, so the
    figures are measured to the polling resolution (0.2 s), worker start-up included.
    """

    def at(share: float) -> float | None:
        needed = max(1, int(share * count + 0.999999))
        return next((t for t, fired in samples if fired >= needed), None)

    return {"p50": at(0.50), "p99": at(0.99), "p100": at(1.0)}


# Where a firing's time goes (exclusive time of each section).
SECTIONS = {
    "lease a batch (select, update, commit)": "engine.timers:due_instances",
    "load the leased rows": "engine.timers:leased_rows",
    "deserialize the snapshot": "engine.serializer:StateSerializer.deserialize_json",
    "fire (Spiff: timer, engine steps)": ("engine.steps:apply", "engine.steps:run_bounded"),
    "serialize the snapshot": "engine.serializer:StateSerializer.serialize_json",
    "inbox (no task: no statement)": "engine.steps:sync_inbox",
    "persist (instance compare-and-set)": "engine.steps:persist",
    "step frame (context, cache)": "engine.advance:run_step",
    "commit (audit chain, COMMIT)": "sqlalchemy.orm.session:Session.commit",
}


def split(base_url: str, count: int) -> dict:
    """Fire `count` due timers in this process, per section and CPU time per firing."""
    from sections import Sections, cpu_of
    from timer_probe import fill_due_timers, make_app

    from engine.timers import fire_all_due
    from web.extensions import db

    name = f"cf_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        app = make_app(base_url.rsplit("/", 1)[0] + "/" + name)
        fill_due_timers(app, count)
        with app.app_context():
            rt = app.extensions["creditflow.runtime"]
            backend = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
            db.session.commit()
            server, cpu, wall = cpu_of(backend), time.process_time(), time.perf_counter()
            with Sections().patched(SECTIONS) as sections:
                fired = fire_all_due(rt, db.session, "split", 30, 100)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            server = cpu_of(backend) - server
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return {
        "fired": fired,
        "ms_per_firing": wall / fired * 1000,
        "client_cpu_ms": cpu / fired * 1000,
        "server_cpu_ms": server / fired * 1000,
        "lines": sections.report(wall, fired, "firing"),
    }


def main(
    count: int = 10_000,
    worker_counts: list[int] | None = None,
    write: bool = True,
    split_count: int = 2000,
) -> dict:
    """Run the benchmark and optionally append the figures to docs/benchmarks.md."""
    base = os.environ.get("CREDITFLOW_TEST_POSTGRES_URL")
    if not base:
        raise SystemExit("set CREDITFLOW_TEST_POSTGRES_URL=postgresql+psycopg://… (an admin role)")
    results = []
    for workers in worker_counts or [1, 3]:
        r = _run(base, count, workers)
        rate = r["fired"] / r["seconds"]
        results.append(r)
        print(
            f"{workers} worker(s): {r['fired']}/{count} fired in {r['seconds']:.1f} s "
            f"({rate:.0f}/s), duplicates {r['twice']}, "
            f"lateness p50 {r['p50'] or float('nan'):.1f} s p99 {r['p99'] or float('nan'):.1f} s"
        )
    where = split(base, split_count) if split_count else None
    if where:
        print(
            f"in process: {where['fired']} firings, {where['ms_per_firing']:.2f} ms each; CPU per "
            f"firing {where['client_cpu_ms']:.2f} ms here + {where['server_cpu_ms']:.2f} ms "
            "in PostgreSQL"
        )
        for line in where["lines"]:
            print("   ", line)
    if write:
        _write(results, where)
    return {"runs": results, "split": where}


def _write(results: list[dict], where: dict | None) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    path.parent.mkdir(exist_ok=True)
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    lines = [
        "",
        "## Timers",
        "",
        "`creditflow bench timers` (tests/bench/bench_timers.py): N one-timer instances due at",
        "once on PostgreSQL 15, `creditflow worker` processes (batch 100) started together.",
        "Lateness = time from the workers' start (all timers already due) to a timer's firing,",
        "measured by polling the fired count every 0.2 s.",
        "",
        "| workers | timers | all fired in | rate | lateness p50 | p99 | fired twice |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['workers']} | {r['count']} | {r['seconds']:.1f} s | "
            f"{r['fired'] / r['seconds']:.0f}/s | {r['p50']:.1f} s | {r['p99']:.1f} s | "
            f"{r['twice']} |"
        )
    if where:
        lines += [
            "",
            f"In process, {where['fired']} firings: {where['ms_per_firing']:.2f} ms each; CPU per "
            f"firing {where['client_cpu_ms']:.2f} ms (engine) + {where['server_cpu_ms']:.2f} ms "
            "(PostgreSQL backend).",
            "",
            "    " + "\n    ".join(where["lines"]),
        ]
    path.write_text(text.rstrip("\n") + "\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
