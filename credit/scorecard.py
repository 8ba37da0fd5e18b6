"""Turn the scorecard decision's output into a score and ranked reason codes; scorecard inputs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from credit.errors import PolicyError
from credit.ratios import AltmanZone

# The scorecard's factors in the policy's table order (the tie-break when ranking reasons).
FACTORS = (
    "current_ratio",
    "debt_to_asset",
    "net_margin",
    "years_in_business",
    "external_score",
    "payment_history",
    "industry_risk",
    "qualitative_rating",
)
# Outputs of the `scorecard` DMN decision (hit policy COLLECT: one list per output).
COLLECT_OUTPUTS = ("factor", "points", "max_points", "reason_code")
ALTMAN_DISTRESS = "ALTMAN_DISTRESS"
ENFORCEMENT_FLAG = "ENFORCEMENT_FLAG"
ALTMAN_NOT_AVAILABLE = "ALTMAN_NOT_AVAILABLE"


@dataclass(frozen=True)
class FactorScore:
    """Points one factor earned, out of its maximum, and the code to give when it falls short."""

    factor: str
    points: Decimal
    max_points: Decimal
    reason_code: str

    @property
    def points_lost(self) -> Decimal:
        """Return how many points the factor fell short of its maximum."""
        return self.max_points - self.points


def factor_scores(data: Mapping[str, Any]) -> list[FactorScore]:
    """Read the scorecard's COLLECT output from task data: one row per factor, in table order.

    :raises PolicyError: a factor matched no row or several rows, or a row is malformed.
    """
    columns = [data.get(name) or [] for name in COLLECT_OUTPUTS]
    if any(not isinstance(column, list | tuple) for column in columns):
        raise PolicyError(f"scorecard outputs {COLLECT_OUTPUTS} must be lists (hit policy COLLECT)")
    if len({len(column) for column in columns}) > 1:
        raise PolicyError(f"scorecard outputs {COLLECT_OUTPUTS} have different lengths")
    rows: dict[str, list[FactorScore]] = {}
    for factor, points, max_points, reason_code in zip(*columns, strict=True):
        if factor not in FACTORS:
            raise PolicyError(f"scorecard row for unknown factor {factor!r}; expected {FACTORS}")
        if not isinstance(reason_code, str) or not reason_code:
            raise PolicyError(f"scorecard row for {factor} has no reason_code")
        row = FactorScore(
            factor,
            dmn_number(points, f"scorecard points for {factor}"),
            dmn_number(max_points, f"scorecard max_points for {factor}"),
            reason_code,
        )
        if not 0 <= row.points <= row.max_points:
            raise PolicyError(
                f"scorecard gives {factor} {row.points} points, outside 0..{row.max_points}"
            )
        rows.setdefault(factor, []).append(row)
    for factor in FACTORS:
        count = len(rows.get(factor, ()))
        if count != 1:
            problem = "no row matched" if count == 0 else f"{count} rows matched"
            raise PolicyError(
                f"scorecard: {problem} for factor {factor}; every factor needs exactly one "
                "matching row for any input, None included"
            )
    return [rows[factor][0] for factor in FACTORS]


def factor_rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the scorecard rows as plain dicts, for display and the assessment record."""
    return [asdict(row) for row in factor_scores(data)]


def score_and_reasons(data: Mapping[str, Any]) -> tuple[Decimal, list[str]]:
    """Return the total score and the reason codes: knock-outs, then by points lost.

    ``data`` is the task data after the `scorecard` decision; it also holds the grade inputs
    ``altman_zone`` and ``enforcement_flag`` (None: no credit report), which add the knock-out
    codes ALTMAN_DISTRESS / ENFORCEMENT_FLAG and ALTMAN_NOT_AVAILABLE.
    """
    for name in ("altman_zone", "enforcement_flag"):
        if name not in data:
            raise ValueError(f"task data has no {name}; set it before scoring")
    zone = AltmanZone(data["altman_zone"])
    rows = factor_scores(data)
    score = sum((row.points for row in rows), Decimal(0))
    codes = []
    if zone is AltmanZone.DISTRESS:
        codes.append(ALTMAN_DISTRESS)
    if data["enforcement_flag"]:
        codes.append(ENFORCEMENT_FLAG)
    # sorted() is stable, so equal losses keep the table order of FACTORS.
    short = sorted((row for row in rows if row.points_lost > 0), key=lambda r: -r.points_lost)
    codes.extend(row.reason_code for row in short)
    if zone is AltmanZone.NOT_AVAILABLE:
        codes.append(ALTMAN_NOT_AVAILABLE)
    return score, codes


def dmn_number(value: object, what: str) -> Decimal:
    """Read a number a DMN cell produced; a float is taken as written (0.8 -> Decimal("0.8")).

    Python literals in a table evaluate to floats; their shortest repr is the decimal the
    designer wrote, so no binary error reaches money or points.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PolicyError(f"{what} must be a number, got {value!r}")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise PolicyError(f"{what} must be a finite number, got {value!r}")
    return number


def years_in_business(
    founded_on: date | None, on_date: date, entered: int | None = None
) -> int | None:
    """Return the analyst's entered years, else whole years from founded_on to on_date."""
    if entered is not None:
        if entered < 0:
            raise ValueError(f"years_in_business cannot be negative: {entered}")
        return entered
    if founded_on is None:
        return None
    if founded_on > on_date:
        raise ValueError(f"founded_on {founded_on} is after the assessment date {on_date}")
    years = on_date.year - founded_on.year
    if (on_date.month, on_date.day) < (founded_on.month, founded_on.day):
        years -= 1
    return years


def max_days_past_due(invoices: Iterable[tuple[date, date | None]], on_date: date) -> int | None:
    """Return the most days late of invoices due in the 12 months before on_date.

    Each invoice is (due_on, settled_on): settled_on is the day its open amount reached 0 (the
    latest of the payments, credit notes or write-offs that cleared it), so a partly paid
    invoice stays late until the rest is paid. An invoice counts when on_date minus one year
    <= due_on < on_date; an unsettled one (or one settled after on_date) is late until
    on_date. None means no such invoice: no history.
    """
    window_start = _one_year_before(on_date)
    worst: int | None = None
    for due_on, paid_on in invoices:
        if not window_start <= due_on < on_date:
            continue
        settled_on = on_date if paid_on is None else min(paid_on, on_date)
        days = max(0, (settled_on - due_on).days)
        worst = days if worst is None else max(worst, days)
    return worst


def _one_year_before(day: date) -> date:
    if (day.month, day.day) == (2, 29):
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)


def as_points(value: Decimal | None) -> int | float | None:
    """A score as a JSON number: 73 stays 73, 71.60 becomes 71.6 (points are not money)."""
    if value is None:
        return None
    number = Decimal(value).normalize()
    return int(number) if number == number.to_integral_value() else float(number)
