"""Pure rules for active terms, review dates and currency conversion."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def active_terms(grade_terms_days: int, requested_terms_days: int | None) -> int:
    """The grade's payment terms, or the requested terms where those are shorter."""
    if requested_terms_days is None:
        return grade_terms_days
    return min(grade_terms_days, requested_terms_days)


def to_base(amount: Decimal, currency: str, rates: dict[str, str]) -> Decimal:
    """Convert an amount into the base currency (CNY) at the configured rate."""
    rate = rates.get(currency.upper())
    if rate is None:
        raise KeyError(currency)
    return amount * Decimal(rate)
