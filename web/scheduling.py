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

# One job at a time per process: a tick waits for a background run that is under way, so when
# POST /admin/tick returns, everything due at the clock's time has fired (nothing half-leased by
# the in-process scheduler). Across processes, leases keep firings apart.
JOB_LOCK = threading.RLock()


def worker_id() -> str:
    """A lease owner name unique to this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def add_sweep(app: Flask, name: str, sweep: Sweep) -> None:
    """Plug a periodic job (overdue, reviews…) into every scheduler and the test tick."""
    app.extensions.setdefault(SWEEPS_KEY, []).append((name, sweep))


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


def run_sweeps(app: Flask) -> dict[str, Any]:
    """Run the registered sweeps once."""
    results = {}
    for name, sweep in app.extensions.get(SWEEPS_KEY, []):
        with app.app_context():
            results[name] = sweep(app)
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
        ("sweeps", lambda: run_sweeps(app)),
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


def _guarded(name: str, job: Callable[[], Any]) -> Callable[[], None]:
    def run() -> None:
        try:
            with JOB_LOCK:
                job()
        except Exception:
            log.exception("scheduler job failed", extra={"job": name})

    return run
