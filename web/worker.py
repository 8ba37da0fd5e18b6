"""`creditflow worker`: the scheduler's jobs in a process of their own, polling every ≤ 2 s."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from web.scheduling import (
    POLL_SECONDS,
    anchor_audit,
    dispatch_outbox,
    fire_timers,
    heartbeat,
    run_sweeps,
    worker_id,
)

log = logging.getLogger(__name__)


def run_worker(
    app: Flask,
    lease_seconds: int = 30,
    batch: int = 100,
    stop: threading.Event | None = None,
    once: bool = False,
) -> None:
    """Run timers, sweeps and outbox until stopped; sleep only when a pass found nothing."""
    owner = worker_id()
    stop = stop or threading.Event()
    log.info("worker started", extra={"owner": owner, "lease_seconds": lease_seconds})
    while not stop.is_set():
        busy = 0
        for name, job in (
            ("heartbeat", lambda: heartbeat(app, owner, "worker")),
            ("timers", lambda: fire_timers(app, owner, lease_seconds, batch)),
            ("sweeps", lambda: run_sweeps(app, scheduled=True)),
            ("outbox", lambda: dispatch_outbox(app)),
            ("audit_anchor", lambda: anchor_audit(app)),
        ):
            try:
                result = job()
                busy += result if isinstance(result, int) and name == "timers" else 0
            except Exception:
                log.exception("worker job failed", extra={"job": name, "owner": owner})
        if once:
            return
        if not busy:
            stop.wait(POLL_SECONDS)
