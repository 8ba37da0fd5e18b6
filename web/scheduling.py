"""Scheduler jobs (APScheduler inside serve, or `creditflow worker`)."""

from __future__ import annotations

from flask import Flask


def start_scheduler(app: Flask) -> None:
    """Start the in-process scheduler (timers, sweeps, outbox) — jobs plug in here."""
    app.extensions.setdefault("creditflow.scheduler", None)


def run_all_jobs(app: Flask) -> dict:
    """Run every job once, synchronously (the test clock's tick)."""
    return {"fired": 0}
