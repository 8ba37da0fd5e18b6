"""The scheduler sweeps of the credit domain, run by serve, worker and the test tick."""

from __future__ import annotations

from typing import Any

from flask import Flask

from web.extensions import db
from web.scheduling import add_sweep


def collections_sweep(app: Flask) -> dict[str, Any]:
    """The daily overdue sweep: start and wake collection escalations."""
    from credit.collection_sweep import sweep_collections

    rt = app.extensions["creditflow.runtime"]
    try:
        return sweep_collections(db.session, rt, rt.clock.today()).as_dict()
    finally:
        db.session.remove()


def install_sweeps(app: Flask) -> None:
    """Register every sweep with the scheduler and the tick."""
    add_sweep(app, "collections", collections_sweep, daily=True)
