"""The business calendar: weekends, statutory holidays and make-up working days (调休) as data."""

from __future__ import annotations

import datetime as dt
import enum
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so


class DayKind(enum.StrEnum):
    """What a calendar row says about a date."""

    HOLIDAY = "holiday"
    WORKDAY = "workday"


@dataclass(frozen=True)
class BusinessCalendar:
    """Working days: Monday–Friday plus make-up workdays, minus holidays."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))

    @classmethod
    def from_days(
        cls,
        days: Mapping[dt.date, str],
        tz: str | ZoneInfo = "Asia/Shanghai",
    ) -> BusinessCalendar:
        """Build a calendar from {date: 'holiday' | 'workday'}."""
        zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
        return cls(
            holidays=frozenset(d for d, k in days.items() if k == DayKind.HOLIDAY),
            workdays=frozenset(d for d, k in days.items() if k == DayKind.WORKDAY),
            tz=zone,
        )

    def is_working_day(self, day: dt.date) -> bool:
        """Whether people work on this date."""
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after `day`."""
        day += dt.timedelta(days=1)
        for _ in range(366):
            if self.is_working_day(day):
                return day
            day += dt.timedelta(days=1)
        raise ValueError(f"no working day within a year after {day}; check the calendar data")

    def add_business_days(self, moment: dt.datetime, n: int) -> dt.datetime:
        """The same time of day on the n-th working day after the day of `moment`.

        A moment on a non-working day counts as 00:00 of the next working day.
        """
        if moment.tzinfo is None:
            raise ValueError("add_business_days needs an aware datetime")
        local = moment.astimezone(self.tz)
        day, clock_time = local.date(), local.time().replace(tzinfo=None)
        if not self.is_working_day(day):
            day, clock_time = self.next_working_day(day), dt.time(0, 0)
        for _ in range(n):
            day = self.next_working_day(day)
        return dt.datetime.combine(day, clock_time, self.tz)


def chinese_statutory_days(years: Iterable[int]) -> list[tuple[dt.date, str, str]]:
    """(date, kind, name) rows from the chinesecalendar package for the given years."""
    import chinese_calendar

    wanted = set(years)
    rows = [
        (d, DayKind.HOLIDAY.value, str(name))
        for d, name in chinese_calendar.holidays.items()
        if d.year in wanted
    ]
    rows += [
        (d, DayKind.WORKDAY.value, str(name))
        for d, name in chinese_calendar.workdays.items()
        if d.year in wanted and d.weekday() >= 5
    ]
    return sorted(rows)


class CalendarCache:
    """Keep the loaded calendar; reload after `invalidate()` or when older than `max_age` s."""

    def __init__(self, load: Callable[[], BusinessCalendar], max_age: float = 60.0) -> None:
        self._load = load
        self._max_age = max_age
        self._value: BusinessCalendar | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()

    def get(self) -> BusinessCalendar:
        """The current calendar (monotonic age only; business time comes from the Clock)."""
        with self._lock:
            stale = time.monotonic() - self._loaded_at > self._max_age
            if self._value is None or stale:
                self._value = self._load()
                self._loaded_at = time.monotonic()
            return self._value

    def invalidate(self) -> None:
        """Forget the calendar (after an admin changed it)."""
        with self._lock:
            self._value = None


def load_calendar(session: so.Session, tz: str | ZoneInfo = "Asia/Shanghai") -> BusinessCalendar:
    """Build the calendar from the calendar_day table."""
    from engine.models import CalendarDay

    rows = session.execute(sa.select(CalendarDay.day, CalendarDay.kind)).all()
    return BusinessCalendar.from_days(dict(rows), tz)


def put_days(session: so.Session, days: Iterable[tuple[dt.date, str, str]]) -> int:
    """Insert or update calendar rows (the caller commits); return how many changed."""
    from engine.models import CalendarDay

    changed = 0
    for day, kind, name in days:
        kind = DayKind(kind).value
        row = session.get(CalendarDay, day)
        if row is None:
            session.add(CalendarDay(day=day, kind=kind, name=name))
        elif (row.kind, row.name) == (kind, name):
            continue
        else:
            row.kind, row.name = kind, name
        changed += 1
    session.flush()
    return changed


def statutory_years() -> list[int]:
    """Every year the chinesecalendar package has statutory holidays for."""
    import chinese_calendar

    return sorted({d.year for d in chinese_calendar.holidays})


def seed_calendar(session: so.Session, years: Iterable[int] | None = None) -> int:
    """Add the statutory days of `years` (default: every year the package knows) that are not
    in the table yet; return how many (idempotent, an admin's own rows are kept)."""
    from engine.models import CalendarDay

    known = set(session.scalars(sa.select(CalendarDay.day)).all())
    wanted = statutory_years() if years is None else years
    rows = [
        {"day": day, "kind": kind, "name": name}
        for day, kind, name in chinese_statutory_days(wanted)
        if day not in known
    ]
    if rows:
        session.execute(sa.insert(CalendarDay), rows)
    return len(rows)


def change_days(
    session: so.Session,
    now: dt.datetime,
    actor: str,
    days: Iterable[tuple[dt.date, str, str]],
) -> int:
    """Add or change calendar days, audited (the caller commits); return how many changed."""
    from engine.audit import AuditEntry, append

    days = list(days)
    changed = put_days(session, days)
    if changed:
        listed = [{"day": d.isoformat(), "kind": k, "name": n} for d, k, n in days]
        append(session, now, [AuditEntry(actor, "calendar_changed", data={"days": listed})])
    return changed


@dataclass(frozen=True)
class Coverage:
    """How far the statutory calendar reaches, and a warning when it is about to run out."""

    last_year: int | None
    warning: str | None


def coverage(session: so.Session, today: dt.date, warn_days: int = 60) -> Coverage:
    """The last year with statutory holidays; a warning within `warn_days` of its end.

    Business-day deadlines past that year count weekends only, so the next year's days must
    be added (the State Council publishes them each November or December).
    """
    from engine.models import CalendarDay

    last = session.scalar(
        sa.select(sa.func.max(CalendarDay.day)).where(CalendarDay.kind == DayKind.HOLIDAY.value)
    )
    if last is None:
        return Coverage(
            None,
            "the business calendar has no statutory holidays: run "
            "`creditflow init` or add them on the admin page",
        )
    year = last.year
    if today > dt.date(year, 12, 31) - dt.timedelta(days=warn_days):
        return Coverage(
            year,
            f"the business calendar has statutory holidays up to {year} only: add {year + 1}'s "
            "holidays and make-up working days (admin page or PUT /api/v1/admin/calendar)",
        )
    return Coverage(year, None)


def calendar_year(session: so.Session, year: int | None) -> list[Any]:
    """The holidays and make-up working days entered for one year (None: every year), by day."""
    from engine.models import CalendarDay

    query = sa.select(CalendarDay).order_by(CalendarDay.day)
    if year:
        query = query.where(CalendarDay.day.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    return list(session.scalars(query))


def calendar_days(session: so.Session, days: Iterable[dt.date]) -> list[Any]:
    """The entered rows of the given days, in the order asked (a day not entered is left out)."""
    from engine.models import CalendarDay

    return [row for day in days if (row := session.get(CalendarDay, day)) is not None]


def remove_day(session: so.Session, now: dt.datetime, actor: str, day: dt.date) -> bool:
    """Remove a day so it follows the Monday–Friday rule again (audited); False if absent."""
    from engine.audit import AuditEntry, append
    from engine.models import CalendarDay

    row = session.get(CalendarDay, day)
    if row is None:
        return False
    data = {"day": day.isoformat(), "kind": row.kind, "name": row.name}
    session.delete(row)
    session.flush()
    append(session, now, [AuditEntry(actor, "calendar_day_removed", subject="calendar", data=data)])
    return True
