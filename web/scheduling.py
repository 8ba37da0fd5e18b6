"""Scheduler jobs (APScheduler inside serve, or `creditflow worker`): timers, outbox, sweeps."""

from __future__ import annotations

import importlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0
DEFAULT_LEASE_SECONDS = 30
SWEEPS_KEY = "creditflow.sweeps"

Sweep = Callable[[Flask], Any]


class JobLock:
    """One job run at a time on this host: a thread lock plus, once configured, a file lock.

    A tick waits for a scheduler run that is under way, in this process or in the scheduler
    process beside gunicorn's workers (`creditflow serve`), so when POST /admin/tick returns,
    everything due at the clock's time has fired. Across hosts, leases keep firings apart.
    """

    def __init__(self) -> None:
        self._thread = threading.RLock()
        self._path: str | None = None
        self._file: Any = None
        self._depth = 0

    def configure(self, path: str | None) -> None:
        """Also lock this file (shared by the processes of one installation)."""
        self._path = path

    def __enter__(self) -> JobLock:
        self._thread.acquire()
        if self._depth == 0 and self._path:
            import fcntl

            self._file = open(self._path, "a")  # noqa: SIM115 - held until __exit__
            fcntl.flock(self._file, fcntl.LOCK_EX)
        self._depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._file is not None:
            import fcntl

            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        self._thread.release()


JOB_LOCK = JobLock()


def worker_id() -> str:
    """A lease owner name unique to this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def add_sweep(app: Flask, name: str, sweep: Sweep, daily: bool = False) -> None:
    """Plug a periodic job (overdue, reviews…) into every scheduler and the test tick.

    :param daily: schedulers run it once per day of the clock (the first poll of the day, on
        whichever worker gets there first: credit.daily remembers the day in the database);
        the test tick runs it every time.
    """
    app.extensions.setdefault(SWEEPS_KEY, []).append((name, sweep, daily))


def fire_timers(
    app: Flask, owner: str, lease_seconds: int = DEFAULT_LEASE_SECONDS, batch: int = 100
) -> int:
    """Fire every due timer (batch by batch); return how many instances fired."""
    from engine.timers import fire_all_due
    from web.extensions import db

    with app.app_context():
        rt = app.extensions["creditflow.runtime"]
        try:
            return fire_all_due(rt, db.session, owner, lease_seconds, batch)
        finally:
            db.session.remove()


def heartbeat(app: Flask, owner: str, kind: str) -> None:
    """Stamp this scheduler's heartbeat (read by `creditflow doctor`)."""
    from engine.heartbeat import beat
    from web.extensions import db

    with app.app_context():
        try:
            beat(db.session, owner, kind)
        finally:
            db.session.remove()


def dispatch_outbox(app: Flask) -> Any:
    """Dispatch pending notifications, when the notifications package provides it."""
    try:
        dispatch = importlib.import_module("notifications.dispatch")
    except ImportError:
        return None
    function = getattr(dispatch, "dispatch_pending", None)
    if function is None:
        return None
    with app.app_context():
        return function(app)


ANCHOR_SECONDS = 60.0
_anchored_at = [-ANCHOR_SECONDS]  # when this process last anchored (monotonic)


def anchor_audit(app: Flask) -> int:
    """Anchor the audit chains that moved, at most once a minute per process; return how many.

    Which process anchors does not matter (each anchors what moved, the anchor chain's head
    orders them); the minute only bounds how many anchors a day writes.
    """
    import time

    from engine.anchors import anchor
    from web.extensions import db

    if time.monotonic() - _anchored_at[0] < ANCHOR_SECONDS:
        return 0
    _anchored_at[0] = time.monotonic()
    with app.app_context():
        try:
            return anchor(db.session, app.extensions["creditflow.runtime"].clock.now())
        finally:
            db.session.remove()


def run_sweeps(app: Flask, scheduled: bool = False) -> dict[str, Any]:
    """Run the registered sweeps once; ``scheduled``: daily sweeps only on a new day."""
    from credit import daily as days
    from web.extensions import db

    results = {}
    for name, sweep, daily in app.extensions.get(SWEEPS_KEY, []):
        with app.app_context():
            clock = app.extensions["creditflow.runtime"].clock
            today = clock.today()
            if daily and scheduled and not days.is_due(db.session, name, today):
                db.session.remove()
                continue
            results[name] = sweep(app)
            if daily:
                days.mark_done(db.session, name, today, clock.now())
                db.session.commit()
                db.session.remove()
    return results


def run_all_jobs(app: Flask) -> dict[str, Any]:
    """Run every job once, synchronously, at the clock's time (the test clock's tick)."""
    owner = worker_id()
    with JOB_LOCK:
        fired = fire_timers(app, owner)
        sweeps = run_sweeps(app)
        dispatched = dispatch_outbox(app)
        fired += fire_timers(app, owner)
    return {"fired": fired, "dispatched": _count(dispatched), "sweeps": sweeps}


def _count(value: Any) -> int:
    if isinstance(value, dict):
        return int(value.get("dispatched", value.get("delivered", 0)) or 0)
    return int(value or 0)


def _jobs(app: Flask, owner: str, lease_seconds: int) -> list[tuple[str, Callable[[], Any]]]:
    return [
        ("heartbeat", lambda: heartbeat(app, owner, "serve")),
        ("timers", lambda: fire_timers(app, owner, lease_seconds)),
        ("outbox", lambda: dispatch_outbox(app)),
        ("sweeps", lambda: run_sweeps(app, scheduled=True)),
        ("audit_anchor", lambda: anchor_audit(app)),
    ]


def start_scheduler(app: Flask, lease_seconds: int = DEFAULT_LEASE_SECONDS) -> Any:
    """Start the in-process BackgroundScheduler (timers, outbox, sweeps every 2 s)."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(daemon=True)
    for name, job in _jobs(app, worker_id(), lease_seconds):
        scheduler.add_job(
            _guarded(name, job),
            "interval",
            seconds=POLL_SECONDS,
            id=name,
            max_instances=1,
            coalesce=True,
        )
    scheduler.start()
    app.extensions["creditflow.scheduler"] = scheduler
    log.info("scheduler started", extra={"jobs": "heartbeat,timers,outbox,sweeps,audit_anchor"})
    return scheduler


def run_scheduler(app: Flask, stop: threading.Event | None = None) -> None:
    """Run the scheduler in this process until SIGTERM / SIGINT (or `stop`) arrives."""
    import signal

    stop = stop or threading.Event()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    scheduler = start_scheduler(app)
    try:
        stop.wait()
    finally:
        scheduler.shutdown(wait=True)


def _guarded(name: str, job: Callable[[], Any]) -> Callable[[], None]:
    def run() -> None:
        try:
            with JOB_LOCK:
                job()
        except Exception:
            log.exception("scheduler job failed", extra={"job": name})

    return run
