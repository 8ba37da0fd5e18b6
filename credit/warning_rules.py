"""Early warning as one pure function: the signals and level of a customer from its facts.

The thresholds are rows of the `early_warning` DMN decision (bpmn/early_warning.dmn): each row
names a signal code, its level, a measure, an operator and a threshold. ``rules_from_decision``
reads the decision's output; ``evaluate`` compares a customer's facts with every rule. Nothing
here touches the database or the engine.
"""

from __future__ import annotations

import datetime as dt
import enum
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from credit.errors import PolicyError

GRADES = ("A", "B", "C", "D", "E")


class Level(enum.IntEnum):
    """Early-warning levels, lowest first; a customer's level is its highest signal's."""

    NONE = 0
    BLUE = 1
    YELLOW = 2
    ORANGE = 3
    RED = 4

    @property
    def label(self) -> str:
        """The level as the API writes it: none, blue, yellow, orange, red."""
        return self.name.lower()

    @classmethod
    def of(cls, label: str | None) -> Level:
        """The level of a stored or requested label; None and "" are NONE."""
        if not label:
            return cls.NONE
        try:
            return cls[label.upper()]
        except KeyError:
            raise ValueError(f"unknown warning level {label!r}") from None

    @classmethod
    def labels(cls) -> tuple[str, ...]:
        """Every label, lowest first."""
        return tuple(level.label for level in cls)


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}

# The measures a rule may name; ``_MEASURES`` (below) computes each from the facts.
MEASURES = (
    "utilization_pct",
    "days_past_due",
    "grade_steps_dropped",
    "external_score_drop",
    "bounced_payments",
    "enforcement_flag",
    "active_grade",
)
DECISION_OUTPUTS = (
    "code",
    "level",
    "measure",
    "operator",
    "threshold",
    "window_days",
    "detail_en",
    "detail_zh",
)


@dataclass(frozen=True)
class SignalRule:
    """One row of the early-warning decision."""

    code: str
    level: Level
    measure: str
    operator: str
    threshold: Any
    window_days: int | None = None
    detail_en: str = ""
    detail_zh: str = ""

    def holds(self, value: Any) -> bool:
        """Whether a measured value meets the rule (a value of None never does)."""
        if value is None:
            return False
        try:
            return bool(OPERATORS[self.operator](value, self.threshold))
        except TypeError as exc:
            raise PolicyError(
                f"early_warning rule {self.code}: cannot compare {self.measure} {value!r} "
                f"{self.operator} {self.threshold!r}; fix the threshold's type in "
                "bpmn/early_warning.dmn"
            ) from exc


@dataclass(frozen=True)
class WarningFacts:
    """What early warning looks at for one customer (amounts in CNY)."""

    customer_id: int
    limit_cny: Decimal | None = None
    exposure_cny: Decimal = Decimal(0)
    oldest_open_due_on: dt.date | None = None
    oldest_open_invoice: str | None = None
    bounced_on: tuple[dt.date, ...] = ()
    latest_score: int | None = None
    previous_score: int | None = None
    latest_report_on: dt.date | None = None
    latest_bureau: str | None = None
    enforcement_flag: bool = False
    last_grade: str | None = None
    previous_grade: str | None = None
    last_assessed_on: dt.date | None = None
    active_grade: str | None = None


@dataclass(frozen=True)
class Signal:
    """A signal present on a customer: code, level, the values behind it and since when."""

    code: str
    level: Level
    values: dict[str, Any]
    since: dt.date | None
    detail_en: str = ""
    detail_zh: str = ""

    def detail(self, language: str | None) -> str:
        """The readable detail in Chinese or English (the rule's text with the values)."""
        text = self.detail_en if (language or "").lower().startswith("en") else self.detail_zh
        return text.format_map(_Blank(self.values))


@dataclass(frozen=True)
class Evaluation:
    """A customer's level and its signals, highest level first."""

    level: Level
    signals: list[Signal] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        """The signal codes in order."""
        return [signal.code for signal in self.signals]


@dataclass(frozen=True)
class _Measured:
    value: Any
    values: dict[str, Any]
    since: Callable[[SignalRule], dt.date | None]
    shown: Any = None  # the value as the detail shows it (None: the value itself)


def rules_from_decision(output: Mapping[str, Any]) -> tuple[SignalRule, ...]:
    """Read the `early_warning` decision's COLLECT output (one list per column) as rules.

    :raises PolicyError: a column is missing or uneven, a level, measure or operator is unknown,
        or a code appears twice.
    """
    columns = []
    for name in DECISION_OUTPUTS:
        column = output.get(name)
        if not isinstance(column, list | tuple):
            raise PolicyError(
                f"early_warning needs the output column {name!r} (hit policy COLLECT)"
            )
        columns.append(column)
    if len({len(column) for column in columns}) != 1:
        raise PolicyError("early_warning output columns have different lengths")
    rules: list[SignalRule] = []
    for code, level, measure, op, threshold, window, en, zh in zip(*columns, strict=True):
        rules.append(_rule(code, level, measure, op, threshold, window, en, zh))
    codes = [rule.code for rule in rules]
    if len(set(codes)) != len(codes):
        raise PolicyError(f"early_warning names a signal code twice: {sorted(codes)}")
    return tuple(rules)


def _rule(
    code: Any, level: Any, measure: Any, op: Any, threshold: Any, window: Any, en: Any, zh: Any
) -> SignalRule:
    where = f"early_warning rule {code!r}"
    if not isinstance(code, str) or not code:
        raise PolicyError(f"{where}: the code must be a text such as OVERDUE_30")
    try:
        parsed = Level.of(level)
    except (ValueError, AttributeError):
        parsed = Level.NONE
    if parsed is Level.NONE:
        raise PolicyError(f"{where}: level must be one of blue, yellow, orange, red")
    if measure not in MEASURES:
        raise PolicyError(f"{where}: unknown measure {measure!r}; known: {', '.join(MEASURES)}")
    if op not in OPERATORS:
        raise PolicyError(f"{where}: unknown operator {op!r}; known: {' '.join(OPERATORS)}")
    if isinstance(threshold, float):
        threshold = Decimal(repr(threshold))  # as written: 80.5 stays 80.5
    if measure == "bounced_payments" and not (isinstance(window, int) and window > 0):
        raise PolicyError(f"{where}: bounced_payments needs a window_days above 0")
    return SignalRule(
        code=code,
        level=parsed,
        measure=measure,
        operator=op,
        threshold=threshold,
        window_days=int(window) if isinstance(window, int | float) else None,
        detail_en=str(en or code),
        detail_zh=str(zh or code),
    )


def evaluate(facts: WarningFacts, rules: Sequence[SignalRule], today: dt.date) -> Evaluation:
    """Return the customer's signals (highest level first, rule order within) and level."""
    signals = []
    for rule in rules:
        measured = _MEASURES[rule.measure](facts, rule, today)
        if measured is None or not rule.holds(measured.value):
            continue
        values = {
            **measured.values,
            "value": measured.value if measured.shown is None else measured.shown,
            "threshold": rule.threshold,
            "window_days": rule.window_days,
        }
        signals.append(
            Signal(
                rule.code,
                rule.level,
                values,
                measured.since(rule),
                rule.detail_en,
                rule.detail_zh,
            )
        )
    signals.sort(key=lambda signal: -signal.level)
    level = max((signal.level for signal in signals), default=Level.NONE)
    return Evaluation(level, signals)


def levels_passed(before: Level, after: Level) -> list[Level]:
    """The levels a rise passes (each runs its actions once); empty unless the level rose."""
    return [level for level in Level if before < level <= after]


def max_window(rules: Sequence[SignalRule]) -> int:
    """The longest window any rule looks back (how far back bounced payments are read)."""
    return max((rule.window_days or 0 for rule in rules), default=0)


def _utilization(facts: WarningFacts, rule: SignalRule, today: dt.date) -> _Measured | None:
    if facts.limit_cny is None or facts.limit_cny <= 0:
        return None
    exact = facts.exposure_cny * 100 / facts.limit_cny
    shown = exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    values = {"exposure": facts.exposure_cny, "limit": facts.limit_cny}
    # The exact ratio is compared; the detail shows it to a hundredth of a percent.
    return _Measured(exact, values, lambda rule: None, shown)


def _days_past_due(facts: WarningFacts, rule: SignalRule, today: dt.date) -> _Measured | None:
    due = facts.oldest_open_due_on
    if due is None:
        return None
    days = (today - due).days

    def since(rule: SignalRule) -> dt.date | None:
        # The day the oldest invoice first met the rule: threshold days after it fell due.
        if not isinstance(rule.threshold, int) or rule.operator not in (">", ">="):
            return None
        return min(today, due + dt.timedelta(days=rule.threshold + (rule.operator == ">")))

    return _Measured(days, {"invoice": facts.oldest_open_invoice, "due_on": due}, since)


def _grade_drop(facts: WarningFacts, rule: SignalRule, today: dt.date) -> _Measured | None:
    last, previous = facts.last_grade, facts.previous_grade
    if last not in GRADES or previous not in GRADES:
        return None
    return _Measured(
        GRADES.index(last) - GRADES.index(previous),
        {"grade": last, "previous_grade": previous},
        lambda rule: facts.last_assessed_on,
    )


def _score_drop(facts: WarningFacts, rule: SignalRule, today: dt.date) -> _Measured | None:
    if facts.latest_score is None or facts.previous_score is None:
        return None
    return _Measured(
        facts.previous_score - facts.latest_score,
        {
            "score": facts.latest_score,
            "previous_score": facts.previous_score,
            "report_date": facts.latest_report_on,
            "bureau": facts.latest_bureau,
        },
        lambda rule: facts.latest_report_on,
    )


def _bounced(facts: WarningFacts, rule: SignalRule, today: dt.date) -> _Measured | None:
    start = today - dt.timedelta(days=rule.window_days or 0)
    within = sorted(day for day in facts.bounced_on if start < day <= today)
    return _Measured(
        len(within),
        {"latest_on": within[-1] if within else None},
        lambda rule: within[0] if within else None,
    )


def _enforcement(facts: WarningFacts, rule: SignalRule, today: dt.date) -> _Measured | None:
    if facts.latest_report_on is None:
        return None
    return _Measured(
        bool(facts.enforcement_flag),
        {"report_date": facts.latest_report_on, "bureau": facts.latest_bureau},
        lambda rule: facts.latest_report_on,
    )


def _active_grade(facts: WarningFacts, rule: SignalRule, today: dt.date) -> _Measured | None:
    if not facts.active_grade:
        return None
    return _Measured(facts.active_grade, {"grade": facts.active_grade}, lambda rule: None)


_MEASURES: dict[str, Callable[[WarningFacts, SignalRule, dt.date], _Measured | None]] = {
    "utilization_pct": _utilization,
    "days_past_due": _days_past_due,
    "grade_steps_dropped": _grade_drop,
    "external_score_drop": _score_drop,
    "bounced_payments": _bounced,
    "enforcement_flag": _enforcement,
    "active_grade": _active_grade,
}


class _Blank(dict):
    """Format values where a missing placeholder renders as a dash."""

    def __missing__(self, key: str) -> str:
        return "-"
