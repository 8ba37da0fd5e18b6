"""The business calendar: weekends, statutory holidays, make-up working days, SLA arithmetic."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from engine.calendar import BusinessCalendar, chinese_statutory_days

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    rows = chinese_statutory_days([2025, 2026])
    return BusinessCalendar.from_days({d: kind for d, kind, _ in rows})


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-03-06", True),  # Friday
        ("2026-03-07", False),  # Saturday
        ("2026-03-08", False),  # Sunday
        ("2026-10-01", False),  # National Day
        ("2026-10-07", False),  # last day of the National Day holiday
        ("2026-10-08", True),  # Thursday after it
        ("2026-09-20", True),  # Sunday make-up working day for National Day
        ("2026-10-10", True),  # Saturday make-up working day for National Day
        ("2026-02-16", False),  # Spring Festival (Monday)
        ("2026-02-14", True),  # Saturday make-up working day for Spring Festival
        ("2026-02-28", True),  # Saturday make-up working day for Spring Festival
        ("2026-09-25", False),  # Mid-autumn Festival (Friday)
        ("2025-10-08", False),  # 2025 National Day holiday ran to 10-08
        ("2025-09-28", True),  # Sunday make-up working day 2025
    ],
)
def test_working_days_follow_the_chinese_statutory_calendar(cal, day, working):
    assert cal.is_working_day(dt.date.fromisoformat(day)) is working


@pytest.mark.parametrize(
    ("created", "n", "due"),
    [
        ("2026-03-06T10:00", 1, "2026-03-09T10:00"),  # Friday → Monday, same time of day
        ("2026-03-06T10:00", 2, "2026-03-10T10:00"),
        ("2026-03-06T10:00", 4, "2026-03-12T10:00"),
        ("2026-03-07T15:30", 1, "2026-03-10T00:00"),  # Saturday → Monday 00:00 → Tuesday 00:00
        ("2026-03-08T23:59", 2, "2026-03-11T00:00"),  # Sunday
        ("2026-09-30T15:00", 1, "2026-10-08T15:00"),  # across National Day
        ("2026-09-30T15:00", 3, "2026-10-10T15:00"),  # make-up Saturday counts
        ("2026-09-30T15:00", 4, "2026-10-12T15:00"),
        ("2026-10-03T09:00", 1, "2026-10-09T00:00"),  # created in the holiday → 10-08 00:00
        ("2026-09-19T12:00", 1, "2026-09-21T00:00"),  # Sat → make-up Sunday 09-20 00:00 → Mon
        ("2026-02-13T09:00", 1, "2026-02-14T09:00"),  # Friday → make-up Saturday
        ("2026-02-14T09:00", 1, "2026-02-24T09:00"),  # across the Spring Festival holiday
    ],
)
def test_business_days_keep_the_time_of_day_and_skip_non_working_days(cal, created, n, due):
    assert cal.add_business_days(at(created), n) == at(due)


def test_deadlines_are_computed_in_the_installation_time_zone(cal):
    # 2026-03-06 18:00 UTC is already Saturday 02:00 in Shanghai.
    moment = dt.datetime(2026, 3, 6, 18, 0, tzinfo=dt.UTC)
    assert cal.add_business_days(moment, 1) == at("2026-03-10T00:00")


def test_an_admin_added_holiday_is_data_not_code():
    cal = BusinessCalendar.from_days(
        {dt.date(2027, 1, 1): "holiday", dt.date(2027, 1, 2): "workday"}
    )
    assert not cal.is_working_day(dt.date(2027, 1, 1))
    assert cal.is_working_day(dt.date(2027, 1, 2))
    assert cal.add_business_days(at("2026-12-31T09:00"), 1) == at("2027-01-02T09:00")


def test_naive_moments_are_refused(cal):
    with pytest.raises(ValueError):
        cal.add_business_days(dt.datetime(2026, 3, 6, 10), 1)
