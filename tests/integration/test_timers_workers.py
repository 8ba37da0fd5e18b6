"""Exactly-once timers across `creditflow worker` processes on one PostgreSQL database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from timer_probe import fill_due_timers, fired_counts, make_app

POSTGRES_URL = os.environ.get("CREDITFLOW_TEST_POSTGRES_URL")
ROOT = Path(__file__).resolve().parents[2]
CLI = str(ROOT / ".venv" / "bin" / "creditflow")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL,
        reason="CREDITFLOW_TEST_POSTGRES_URL is unset: the "
        "multi-worker timer tests need PostgreSQL (CI treats this skip as failure)",
    ),
]


@pytest.fixture
def pg_app():
    name = f"cf_timers_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    app = make_app(url)
    app.config["TEST_URL"] = url
    yield app
    from web.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def start_worker(url: str, lease: int, batch: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "CREDITFLOW_DATABASE_URL": url,
        "CREDITFLOW_TEST_CLOCK": "1",
        "CREDITFLOW_SECRET_KEY": "workers-of-a-test-installation",
    }
    return subprocess.Popen(
        [
            CLI if os.path.exists(CLI) else sys.executable,
            "worker",
            "--lease-seconds",
            str(lease),
            "--batch",
            str(batch),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_all(app, total: int, timeout: float) -> tuple[int, int, int]:
    deadline = time.monotonic() + timeout
    counts = fired_counts(app)
    while counts[0] < total and time.monotonic() < deadline:
        time.sleep(0.25)
        counts = fired_counts(app)
    return counts


def stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


def test_three_workers_fire_1000_due_timers_exactly_once(pg_app):
    fill_due_timers(pg_app, 1000)
    workers = [start_worker(pg_app.config["TEST_URL"], 30, 50) for _ in range(3)]
    try:
        done, events, twice = wait_all(pg_app, 1000, 45)
    finally:
        stop(workers)
    assert (done, events, twice) == (1000, 1000, 0)


def test_a_worker_killed_mid_batch_leaves_its_timers_to_the_others(pg_app):
    fill_due_timers(pg_app, 300)
    url = pg_app.config["TEST_URL"]
    victim = start_worker(url, 3, 100)
    try:
        deadline = time.monotonic() + 30
        while fired_counts(pg_app)[0] == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        done_at_kill = fired_counts(pg_app)[0]
        assert 0 < done_at_kill < 300, "the kill should land mid-run"
        survivor = start_worker(url, 3, 100)
        try:
            done, events, twice = wait_all(pg_app, 300, 30)
        finally:
            stop([survivor])
    finally:
        stop([victim])
    assert (done, events, twice) == (300, 300, 0)
