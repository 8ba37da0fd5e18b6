"""KPI formulas on the worked example of tests/integration/test_api__kpis.py (pure figures)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from credit.kpis import PeriodFigures, compute_kpis


def figures(**changes):
    values = {
        "start": dt.date(2026, 3, 1),
        "end": dt.date(2026, 3, 31),
        "opening": Decimal("180000"),
        "credit_sales": Decimal("280000"),
        "cash_collected": Decimal("85000"),
        "written_off": Decimal("10000"),
        "aging": {
            "current": Decimal("200000"),
            "1_30": Decimal("100000"),
            "31_60": Decimal("0"),
            "61_90": Decimal("40000"),
            "over_90": Decimal("20000"),
        },
        "defaulted_customers": 1,
        "active_customers": 2,
    }
    return PeriodFigures(**{**values, **changes})


def test_the_worked_example():
    kpis = compute_kpis(figures())
    assert kpis["collection_rate"] == Decimal("0.1848")  # 85,000 / 460,000
    assert kpis["dso"] == Decimal("39.9")  # 360,000 / 280,000 x 31
    assert kpis["cei"] == Decimal("38.5")  # 100,000 / 260,000 x 100
    assert kpis["overdue_ratio"] == Decimal("0.4444")  # 160,000 / 360,000
    assert kpis["bad_debt_ratio"] == Decimal("0.0357")  # 10,000 / 280,000
    assert kpis["default_rate"] == Decimal("0.5000")  # 1 / 2
    assert kpis["figures"]["closing_receivables"] == Decimal("360000.00")


def test_a_ratio_with_a_zero_denominator_is_none():
    empty = {name: Decimal(0) for name in ("current", "1_30", "31_60", "61_90", "over_90")}
    kpis = compute_kpis(
        figures(opening=Decimal(0), credit_sales=Decimal(0), aging=empty, active_customers=0)
    )
    assert [kpis[k] for k in ("collection_rate", "dso", "cei", "overdue_ratio")] == [None] * 4
    assert (kpis["bad_debt_ratio"], kpis["default_rate"]) == (None, None)


def test_one_day_period_counts_one_day():
    assert figures(end=dt.date(2026, 3, 1)).days == 1
