"""Suggest a credit limit and value the security cover behind it.

The formula (20% of equity, 2 months of purchases, floor to 10,000) is here; the grade's limit
factor and the cover weights come from the DMN tables `grade_terms` and `security_cover`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import NamedTuple

from credit.errors import PolicyError
from credit.scorecard import dmn_number
from engine.money import MONEY_MAX

_EQUITY_SHARE = Decimal("0.2")
_MONTHS_OF_PURCHASES = 2
_STEP = Decimal(10_000)
_ZERO = Decimal(0)


class Security(NamedTuple):
    """A risk-mitigation instrument: guarantee, collateral, insurance cover or cash deposit."""

    kind: str
    amount: Decimal
    expires_on: date | None = None


def base_limit(equity: Decimal | None, expected_monthly_purchases: Decimal | None) -> Decimal:
    """Return min(20% of book equity, 2 x monthly purchases); missing or negative counts 0."""
    equity_part = _EQUITY_SHARE * _non_negative(equity)
    purchases_part = _MONTHS_OF_PURCHASES * _non_negative(expected_monthly_purchases)
    return min(equity_part, purchases_part)


def floor_to_10k(amount: Decimal) -> Decimal:
    """Round an amount down to a multiple of 10,000."""
    return (amount / _STEP).to_integral_value(rounding=ROUND_FLOOR) * _STEP


def suggested_limit(
    equity: Decimal | None,
    expected_monthly_purchases: Decimal | None,
    limit_factor: Decimal | float | int,
    cover: Decimal | None,
) -> Decimal:
    """Return floor_to_10k(base x grade's limit factor) + accepted security cover.

    Never below 0, never above MONEY_MAX (the largest limit an approver could grant).
    """
    factor = dmn_number(limit_factor, "grade_terms limit_factor")
    if factor < 0:
        raise PolicyError(f"grade_terms limit_factor cannot be negative: {factor}")
    scaled = floor_to_10k(base_limit(equity, expected_monthly_purchases) * factor)
    return min(MONEY_MAX, max(_ZERO, scaled + (cover or _ZERO)))


def security_cover(
    securities: Iterable[Security | tuple[str, Decimal, date | None]],
    weights: Mapping[str, Decimal | float | int],
    on_date: date,
) -> Decimal:
    """Return the accepted cover: sum of amount x weight of the kind, expired instruments 0.

    An instrument counts while on_date <= expires_on (or it has no expiry date).

    :raises PolicyError: a kind has no weight in the `security_cover` decision.
    """
    total = _ZERO
    for kind, amount, expires_on in securities:
        if expires_on is not None and expires_on < on_date:
            continue
        if kind not in weights:
            raise PolicyError(
                f"security_cover has no weight for kind {kind!r}; "
                "add a row to bpmn/security_cover.dmn"
            )
        if amount < 0:
            raise ValueError(f"security amount cannot be negative: {amount}")
        total += amount * dmn_number(weights[kind], f"security_cover weight of {kind}")
    return total


def _non_negative(amount: Decimal | None) -> Decimal:
    return _ZERO if amount is None or amount < 0 else Decimal(amount)
