"""The installation's business calendar, loaded from the database and cached per runtime."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from engine.calendar import CalendarCache, load_calendar
from engine.clock import Clock
from web.config import Config
from web.extensions import db


def business_time(cfg: Config, clock: Clock) -> tuple[CalendarCache, dict[str, Callable], Callable]:
    """The calendar cache, script functions (`business_deadline`) and the inbox's due dates."""
    cache = CalendarCache(lambda: load_calendar(db.session, cfg.timezone))

    def business_deadline(days: int) -> str:
        """ISO moment `days` business days after now (a timer's timeDate)."""
        return cache.get().add_business_days(clock.now(), int(days)).isoformat()

    def deadline(props: dict[str, str], now: dt.datetime) -> dt.datetime:
        return cache.get().add_business_days(now, int(props["dueInBusinessDays"]))

    functions: dict[str, Callable[..., Any]] = {"business_deadline": business_deadline}
    return cache, functions, deadline
