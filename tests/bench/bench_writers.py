"""Benchmark: concurrent writers on PostgreSQL — does one lock serialize the engine steps?

    creditflow bench writers --db postgresql+psycopg://… [--writers 1,4] [--seconds 20]

Each writer is a process of its own running application lifecycles (file, assess, two approval
tiers, limit active: five engine steps, each its own transaction) for its own customer, so the
writers share nothing but what the engine itself shares. Meanwhile the parent samples
`pg_stat_activity` every 5 ms: of the samples where a writer's backend was busy, how many found it
waiting for a lock, and on which statement. Figures: steps/s per writer count, and the share of
busy time spent waiting for a lock (by the statement waiting).
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "bench"), str(ROOT / "tests" / "integration")]

STEPS_PER_LIFECYCLE = 5
APPLICATION_NAME = "creditflow-bench-writer"


def _writer(url: str, customer_id: int, seconds: float, start_at: float) -> None:
    """Run lifecycles from `start_at` for `seconds`; print how many completed."""
    import runpy

    from flow_setup import open_app

    lifecycle = runpy.run_path(str(ROOT / "tests" / "bench" / "bench_lifecycle.py"))
    app = open_app(url + f"?application_name={APPLICATION_NAME}")
    done = 0
    with app.app_context():
        lifecycle["persisted_lifecycle"](app, customer_id)  # warm caches and connections
        time.sleep(max(0.0, start_at - time.time()))
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            lifecycle["persisted_lifecycle"](app, customer_id)
            done += 1
    print(done)


def _sample(url: str, stop: threading.Event, counts: Counter) -> None:
    """Count busy and lock-waiting writer backends every 5 ms (by the waiting statement)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    query = sa.text(
        "SELECT wait_event_type, left(query, 60) FROM pg_stat_activity "
        "WHERE application_name = :name AND state = 'active'"
    )
    with engine.connect() as conn:
        while not stop.is_set():
            for wait_type, statement in conn.execute(query, {"name": APPLICATION_NAME}):
                counts["busy"] += 1
                if wait_type == "Lock":
                    counts[f"lock: {statement}"] += 1
            conn.rollback()
            time.sleep(0.005)
    engine.dispose()


def run(url: str, writers: int, seconds: float, settle: float = 15) -> dict:
    """One measurement: `writers` processes for `seconds`, all started `settle` s before."""
    from flow_setup import add_scored_customer, open_app

    app = open_app(url)
    customers = [add_scored_customer(app, 1000 + writers * 10 + n) for n in range(writers)]
    with app.app_context():
        from web.extensions import db

        db.engine.dispose()
    start_at = time.time() + settle  # every writer has started and warmed up by then
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, url, str(c), str(seconds), str(start_at)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for c in customers
    ]
    counts: Counter = Counter()
    stop = threading.Event()
    time.sleep(max(0.0, start_at - time.time()))
    sampler = threading.Thread(target=_sample, args=(url, stop, counts))
    sampler.start()
    try:
        lifecycles = sum(int(proc.communicate(timeout=seconds + 120)[0]) for proc in procs)
    finally:
        stop.set()
        sampler.join()
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    busy = counts.pop("busy", 0) or 1
    waits = {k.removeprefix("lock: "): v / busy for k, v in counts.most_common()}
    return {
        "writers": writers,
        "steps_per_s": lifecycles * STEPS_PER_LIFECYCLE / seconds,
        "lock_share": sum(waits.values()),
        "waits": waits,
    }


def main(
    db_url: str, writer_counts: list[int], seconds: float, write: bool, settle: float = 15
) -> list[dict]:
    """Measure each writer count on one fresh database; print and record the figures."""
    from flow_setup import bench_app, bench_database

    results = []
    with bench_database(db_url) as url:
        app, _ = bench_app(url)
        with app.app_context():
            from web.extensions import db

            db.engine.dispose()
        for writers in writer_counts:
            r = run(url, writers, seconds, settle)
            results.append(r)
            top = ", ".join(f"{share:.0%} {text!r}" for text, share in list(r["waits"].items())[:3])
            print(
                f"{writers} writer(s): {r['steps_per_s']:.0f} steps/s, "
                f"waiting for a lock {r['lock_share']:.0%} of busy time ({top or 'none'})"
            )
    if write:
        _write(results, seconds)
    return results


def _write(results: list[dict], seconds: float) -> None:
    lines = [
        "",
        f"### Concurrent writers, {dt.date.today()} (`creditflow bench writers`, "
        f"{seconds:.0f} s each)",
        "",
        "| writers | steps/s | busy time waiting for a lock | top waiting statement |",
        "|---|---|---|---|",
    ]
    for r in results:
        top = next(iter(r["waits"]), "—")
        lines.append(
            f"| {r['writers']} | {r['steps_per_s']:.0f} | {r['lock_share']:.0%} | `{top}` |"
        )
    path = ROOT / "docs" / "benchmarks.md"
    path.write_text(path.read_text().rstrip("\n") + "\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    _writer(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]))
