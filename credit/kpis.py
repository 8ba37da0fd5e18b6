"""Receivables KPIs of a period from its figures (pure: credit-policy.md "KPIs").

- collection rate = cash collected / (opening receivables + credit sales)
- DSO = closing receivables / credit sales x days in period
- CEI = (opening + credit sales - closing) / (opening + credit sales - closing current) x 100
- overdue ratio = overdue receivables / total (closing) receivables
- bad-debt ratio = written off / credit sales
- default rate = customers with an invoice > 90 days overdue / active credit customers

Ratios are fractions rounded to 4 places, DSO days to 1 place, CEI percent to 1 place; a ratio
whose denominator is 0 is None. Aging splits closing receivables by days past due on ``to``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

# Aging buckets by days past due on the day: (at most this many days, bucket); beyond: over_90.
AGING_LIMITS = ((0, "current"), (30, "1_30"), (60, "31_60"), (90, "61_90"))
AGING_BUCKETS = (*(name for _, name in AGING_LIMITS), "over_90")
_FOUR, _ONE, _CENT = Decimal("0.0001"), Decimal("0.1"), Decimal("0.01")


@dataclass(frozen=True)
class PeriodFigures:
    """Receivables figures of a period (money in CNY)."""

    start: dt.date
    end: dt.date
    opening: Decimal
    credit_sales: Decimal
    cash_collected: Decimal
    written_off: Decimal
    aging: dict[str, Decimal] = field(default_factory=dict)
    defaulted_customers: int = 0
    active_customers: int = 0

    @property
    def days(self) -> int:
        """Days in the period, both ends included."""
        return (self.end - self.start).days + 1

    @property
    def closing(self) -> Decimal:
        """Receivables open at the end of the period."""
        return sum(self.aging.values(), Decimal(0))

    @property
    def closing_current(self) -> Decimal:
        """The part of the closing receivables not yet past due."""
        return self.aging.get("current", Decimal(0))


def _ratio(numerator: Decimal, denominator: Decimal, places: Decimal) -> Decimal | None:
    if denominator == 0:
        return None
    return (numerator / denominator).quantize(places, rounding=ROUND_HALF_UP)


def compute_kpis(f: PeriodFigures) -> dict[str, object]:
    """The KPIs of the period, rounded as the API shows them."""
    base = f.opening + f.credit_sales
    dso = _ratio(f.closing * f.days, f.credit_sales, _ONE)
    cei = _ratio((base - f.closing) * 100, base - f.closing_current, _ONE)
    return {
        "start": f.start,
        "end": f.end,
        "collection_rate": _ratio(f.cash_collected, base, _FOUR),
        "dso": dso,
        "cei": cei,
        "overdue_ratio": _ratio(f.closing - f.closing_current, f.closing, _FOUR),
        "bad_debt_ratio": _ratio(f.written_off, f.credit_sales, _FOUR),
        "default_rate": _ratio(Decimal(f.defaulted_customers), Decimal(f.active_customers), _FOUR),
        "aging": {
            name: f.aging.get(name, Decimal(0)).quantize(_CENT, rounding=ROUND_HALF_UP)
            for name in AGING_BUCKETS
        },
        "figures": {
            "days": f.days,
            "opening_receivables": f.opening.quantize(_CENT, rounding=ROUND_HALF_UP),
            "credit_sales": f.credit_sales.quantize(_CENT, rounding=ROUND_HALF_UP),
            "cash_collected": f.cash_collected.quantize(_CENT, rounding=ROUND_HALF_UP),
            "closing_receivables": f.closing.quantize(_CENT, rounding=ROUND_HALF_UP),
            "closing_current": f.closing_current.quantize(_CENT, rounding=ROUND_HALF_UP),
            "written_off": f.written_off.quantize(_CENT, rounding=ROUND_HALF_UP),
            "defaulted_customers": f.defaulted_customers,
            "active_customers": f.active_customers,
        },
    }
