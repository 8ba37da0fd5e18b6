"""Aging of open receivables: how much is current and how much is 1–30 … over 90 days past due."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

BUCKETS = ("current", "1_30", "31_60", "61_90", "over_90")


def bucket_of(days_past_due: int) -> str:
    """The aging bucket of a number of days past due (≤ 0 is current)."""
    if days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "1_30"
    if days_past_due <= 60:
        return "31_60"
    if days_past_due <= 90:
        return "61_90"
    return "over_90"


def aging_buckets(open_items: Iterable[tuple[dt.date, Decimal]], on: dt.date) -> dict[str, Decimal]:
    """Split open amounts, each with its due date, into the aging buckets on a date."""
    totals = dict.fromkeys(BUCKETS, Decimal("0"))
    for due_on, amount in open_items:
        totals[bucket_of((on - due_on).days)] += amount
    return totals
