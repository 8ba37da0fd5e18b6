"""The retention job: compact finished instances' snapshots, remove delivered notifications.

Runs once a day from the scheduler (a sweep) and on demand (`creditflow retention`); the periods
are `CREDITFLOW_RETENTION_DAYS` (finished instances, 30) and
`CREDITFLOW_NOTIFICATION_RETENTION_DAYS` (delivered or read notifications, 180).
"""

from __future__ import annotations

import datetime as dt

from flask import Flask

from credit import daily
from engine.retention import compact_finished
from notifications.retention import purge_delivered
from web.extensions import db

SWEEP = "retention"


def run_retention(app: Flask, now: dt.datetime | None = None) -> dict[str, int]:
    """Apply both retention periods as of `now` (the clock's time when None)."""
    cfg = app.config["CREDITFLOW"]
    rt = app.extensions["creditflow.runtime"]
    now = now or rt.clock.now()
    compacted = compact_finished(rt, db.session, now - dt.timedelta(days=cfg.retention_days))
    purged = purge_delivered(db.session, now - dt.timedelta(days=cfg.notification_retention_days))
    return {"compacted": compacted, "purged": purged}


def retention_sweep(app: Flask) -> dict[str, int]:
    """The daily sweep: run the retention job once per calendar day."""
    rt = app.extensions["creditflow.runtime"]
    today = rt.clock.today()
    if not daily.is_due(db.session, SWEEP, today):
        return {"compacted": 0, "purged": 0}
    result = run_retention(app)
    daily.mark_done(db.session, SWEEP, today, rt.clock.now())
    db.session.commit()
    return result
