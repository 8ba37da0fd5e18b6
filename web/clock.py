"""The installation's clock: the wall clock, or the shared test clock kept in the database."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from engine.clock import Clock, StoredClock
from engine.models import Setting
from web.config import Config
from web.extensions import db

TEST_CLOCK_KEY = "test_clock_now"


def read_test_clock() -> dt.datetime | None:
    """Return the stored test-clock moment, if any."""
    value = db.session.scalar(sa.select(Setting.value).where(Setting.key == TEST_CLOCK_KEY))
    return dt.datetime.fromisoformat(value) if value else None


def write_test_clock(moment: dt.datetime) -> None:
    """Store the test-clock moment (the caller commits)."""
    row = db.session.get(Setting, TEST_CLOCK_KEY)
    if row is None:
        db.session.add(Setting(key=TEST_CLOCK_KEY, value=moment.isoformat()))
    else:
        row.value = moment.isoformat()


def set_test_clock(moment: dt.datetime, actor: str) -> None:
    """Move the shared test clock, audited (the caller commits)."""
    from engine.audit import AuditEntry, append

    previous = read_test_clock()
    write_test_clock(moment)
    data = {"from": previous.isoformat() if previous else None, "to": moment.isoformat()}
    append(db.session, moment, [AuditEntry(actor, "test_clock_set", data=data)])


def build_clock(cfg: Config) -> Clock:
    """Choose the clock for this installation."""
    if cfg.test_clock:
        return StoredClock(read_test_clock, cfg.timezone)
    return Clock(cfg.timezone)
