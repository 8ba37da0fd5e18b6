"""Compute financial ratios and the Altman Z'' score from a financial statement."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

# Altman's published cut-offs for Z'' (the model's constants, not a policy choice).
_Z2_SAFE_ABOVE = Decimal("2.60")
_Z2_DISTRESS_BELOW = Decimal("1.10")
_DISPLAY_PLACES = Decimal("0.0001")
_DISPLAY_CONTEXT = Context(prec=60)


class AltmanZone(StrEnum):
    """Zone of the Altman Z'' score."""

    SAFE = "safe"
    GREY = "grey"
    DISTRESS = "distress"
    NOT_AVAILABLE = "not_available"


@dataclass(frozen=True)
class Statement:
    """Figures of one financial statement; any of them may be missing."""

    current_assets: Decimal | None = None
    current_liabilities: Decimal | None = None
    inventory: Decimal | None = None
    total_assets: Decimal | None = None
    total_liabilities: Decimal | None = None
    equity: Decimal | None = None
    revenue: Decimal | None = None
    net_profit: Decimal | None = None
    ebit: Decimal | None = None
    interest_expense: Decimal | None = None
    retained_earnings: Decimal | None = None
    operating_cash_flow: Decimal | None = None

    @classmethod
    def from_mapping(cls, figures: Mapping[str, Any]) -> Statement:
        """Build a statement from a mapping; other keys (period_end, currency...) are ignored."""
        return cls(**{f.name: _to_decimal(f.name, figures.get(f.name)) for f in fields(cls)})


STATEMENT_FIGURES = tuple(f.name for f in fields(Statement))


@dataclass(frozen=True)
class Ratios:
    """Ratios at full Decimal precision; None where not computable (reason in not_available)."""

    current_ratio: Decimal | None
    quick_ratio: Decimal | None
    debt_to_asset: Decimal | None
    net_margin: Decimal | None
    roa: Decimal | None
    interest_coverage: Decimal | None
    ocf_to_current_liabilities: Decimal | None
    altman_z2: Decimal | None
    altman_zone: str
    not_available: dict[str, str] = field(default_factory=dict)


RATIO_NAMES = (
    "current_ratio",
    "quick_ratio",
    "debt_to_asset",
    "net_margin",
    "roa",
    "interest_coverage",
    "ocf_to_current_liabilities",
    "altman_z2",
)


def compute_ratios(statement: Statement | Mapping[str, Any]) -> Ratios:
    """Compute every ratio of the policy from a statement (or a mapping of its figures)."""
    s = statement if isinstance(statement, Statement) else Statement.from_mapping(statement)
    reasons: dict[str, str] = {}

    def ratio(
        name: str, uses: tuple[str, ...], numerator: Callable[[], Decimal], denominator: str
    ) -> Decimal | None:
        problems = _problems(s, uses, (denominator,))
        if problems:
            reasons[name] = "; ".join(problems)
            return None
        return numerator() / getattr(s, denominator)

    ca, cl = "current_assets", "current_liabilities"
    z2 = _altman_z2(s, reasons)
    return Ratios(
        current_ratio=ratio("current_ratio", (ca,), lambda: s.current_assets, cl),
        quick_ratio=ratio(
            "quick_ratio", (ca, "inventory"), lambda: s.current_assets - s.inventory, cl
        ),
        debt_to_asset=ratio(
            "debt_to_asset", ("total_liabilities",), lambda: s.total_liabilities, "total_assets"
        ),
        net_margin=ratio("net_margin", ("net_profit",), lambda: s.net_profit, "revenue"),
        roa=ratio("roa", ("net_profit",), lambda: s.net_profit, "total_assets"),
        interest_coverage=ratio("interest_coverage", ("ebit",), lambda: s.ebit, "interest_expense"),
        ocf_to_current_liabilities=ratio(
            "ocf_to_current_liabilities",
            ("operating_cash_flow",),
            lambda: s.operating_cash_flow,
            cl,
        ),
        altman_z2=z2,
        altman_zone=altman_zone(z2).value,
        not_available=reasons,
    )


def altman_zone(z2: Decimal | None) -> AltmanZone:
    """Classify Z'': > 2.60 safe, 1.10 to 2.60 grey, < 1.10 distress, None not available."""
    if z2 is None:
        return AltmanZone.NOT_AVAILABLE
    if z2 > _Z2_SAFE_ABOVE:
        return AltmanZone.SAFE
    if z2 >= _Z2_DISTRESS_BELOW:
        return AltmanZone.GREY
    return AltmanZone.DISTRESS


def as_json(ratios: Ratios) -> dict[str, Any]:
    """Return the ratios for display: floats rounded to 4 places, None plus a reason if missing."""
    shown: dict[str, Any] = {name: _rounded(getattr(ratios, name)) for name in RATIO_NAMES}
    shown["altman_zone"] = ratios.altman_zone
    shown["not_available"] = dict(ratios.not_available)
    return shown


def _altman_z2(s: Statement, reasons: dict[str, str]) -> Decimal | None:
    problems = _problems(
        s,
        ("current_assets", "current_liabilities", "retained_earnings", "ebit", "equity"),
        ("total_assets", "total_liabilities"),
    )
    if problems:
        reasons["altman_z2"] = "; ".join(problems)
        return None
    working_capital = s.current_assets - s.current_liabilities
    return (
        Decimal("6.56") * (working_capital / s.total_assets)
        + Decimal("3.26") * (s.retained_earnings / s.total_assets)
        + Decimal("6.72") * (s.ebit / s.total_assets)
        + Decimal("1.05") * (s.equity / s.total_liabilities)
    )


def _problems(s: Statement, uses: tuple[str, ...], divides_by: tuple[str, ...]) -> list[str]:
    problems = [f"{name} is missing" for name in uses if getattr(s, name) is None]
    for name in divides_by:
        value = getattr(s, name)
        if value is None:
            problems.append(f"{name} is missing")
        elif value == 0:
            problems.append(f"{name} is zero")
    return problems


def _rounded(value: Decimal | None) -> float | None:
    if value is None:
        return None
    return float(value.quantize(_DISPLAY_PLACES, ROUND_HALF_UP, context=_DISPLAY_CONTEXT))


def _to_decimal(name: str, value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    if not isinstance(value, Decimal | int | str) or isinstance(value, bool):
        raise TypeError(f"{name} must be a Decimal, int or decimal string, not {value!r}")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{name} is not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return number
