"""Early-warning signals at their boundaries, read from the shipped early_warning decision."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from credit.errors import PolicyError
from credit.warning_rules import (
    Level,
    WarningFacts,
    evaluate,
    levels_passed,
    max_window,
    rules_from_decision,
)

TODAY = dt.date(2026, 3, 2)


@pytest.fixture(scope="module")
def rules(decide):
    return rules_from_decision(decide("early_warning"))


def facts(**values) -> WarningFacts:
    return WarningFacts(customer_id=1, **values)


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def codes(rules, **values) -> list[str]:
    return evaluate(facts(**values), rules, TODAY).codes


def test_the_shipped_table_has_every_signal_of_the_policy(rules):
    assert [(r.code, r.level.label) for r in rules] == [
        ("UTILIZATION_80", "blue"),
        ("OVERDUE_1", "blue"),
        ("UTILIZATION_95", "yellow"),
        ("OVERDUE_30", "yellow"),
        ("GRADE_DROPPED", "yellow"),
        ("OVERDUE_60", "orange"),
        ("EXTERNAL_SCORE_DROP", "orange"),
        ("PAYMENT_BOUNCED", "orange"),
        ("OVERDUE_90", "red"),
        ("ENFORCEMENT_FLAG", "red"),
        ("GRADE_E", "red"),
    ]
    assert max_window(rules) == 90


@pytest.mark.parametrize(
    ("exposure", "expected"),
    [
        ("0", []),
        ("800000.00", []),
        ("800000.01", ["UTILIZATION_80"]),
        ("950000.00", ["UTILIZATION_80"]),
        ("950000.01", ["UTILIZATION_95", "UTILIZATION_80"]),
        ("2000000", ["UTILIZATION_95", "UTILIZATION_80"]),
    ],
)
def test_utilization_above_80_and_95_percent(rules, exposure, expected):
    assert codes(rules, limit_cny=D(1_000_000), exposure_cny=D(exposure)) == expected


def test_no_utilization_signal_without_a_positive_limit(rules):
    assert codes(rules, limit_cny=None, exposure_cny=D(5)) == []
    assert codes(rules, limit_cny=D(0), exposure_cny=D(5)) == []


@pytest.mark.parametrize(
    ("dpd", "expected", "level"),
    [
        (-5, [], "none"),
        (0, [], "none"),
        (1, ["OVERDUE_1"], "blue"),
        (30, ["OVERDUE_1"], "blue"),
        (31, ["OVERDUE_30", "OVERDUE_1"], "yellow"),
        (60, ["OVERDUE_30", "OVERDUE_1"], "yellow"),
        (61, ["OVERDUE_60", "OVERDUE_30", "OVERDUE_1"], "orange"),
        (90, ["OVERDUE_60", "OVERDUE_30", "OVERDUE_1"], "orange"),
        (91, ["OVERDUE_90", "OVERDUE_60", "OVERDUE_30", "OVERDUE_1"], "red"),
    ],
)
def test_days_past_due_of_the_oldest_open_invoice(rules, dpd, expected, level):
    result = evaluate(
        facts(oldest_open_due_on=days_ago(dpd), oldest_open_invoice="F1"), rules, TODAY
    )
    assert result.codes == expected
    assert result.level.label == level


def test_overdue_signals_date_from_the_day_each_threshold_was_crossed(rules):
    result = evaluate(facts(oldest_open_due_on=days_ago(100)), rules, TODAY)
    since = {s.code: s.since for s in result.signals}
    assert since == {
        "OVERDUE_1": days_ago(99),
        "OVERDUE_30": days_ago(69),
        "OVERDUE_60": days_ago(39),
        "OVERDUE_90": days_ago(9),
    }


@pytest.mark.parametrize(
    ("previous", "last", "expected"),
    [("B", "B", []), ("B", "A", []), ("B", "C", ["GRADE_DROPPED"]), ("A", "D", ["GRADE_DROPPED"])],
)
def test_grade_dropped_between_the_last_two_assessments(rules, previous, last, expected):
    assert codes(rules, previous_grade=previous, last_grade=last) == expected


def test_no_grade_drop_with_a_single_assessment(rules):
    assert codes(rules, last_grade="D") == []


@pytest.mark.parametrize(
    ("previous", "latest", "expected"),
    [(80, 60, []), (80, 59, ["EXTERNAL_SCORE_DROP"]), (50, 70, []), (None, 10, [])],
)
def test_external_score_drop_of_more_than_20_points(rules, previous, latest, expected):
    values = dict(previous_score=previous, latest_score=latest, latest_report_on=days_ago(3))
    assert codes(rules, **values) == expected


@pytest.mark.parametrize(
    ("bounced", "expected"),
    [
        ((), []),
        ((days_ago(90),), []),
        ((days_ago(89),), ["PAYMENT_BOUNCED"]),
        ((TODAY,), ["PAYMENT_BOUNCED"]),
    ],
)
def test_payment_bounced_in_the_last_90_days(rules, bounced, expected):
    assert codes(rules, bounced_on=bounced) == expected


@pytest.mark.parametrize(("flag", "expected"), [(False, []), (True, ["ENFORCEMENT_FLAG"])])
def test_enforcement_flag_on_the_latest_report(rules, flag, expected):
    assert codes(rules, enforcement_flag=flag, latest_report_on=days_ago(1)) == expected


@pytest.mark.parametrize(("grade", "expected"), [("D", []), ("E", ["GRADE_E"]), (None, [])])
def test_active_grade_e(rules, grade, expected):
    assert codes(rules, active_grade=grade) == expected


def test_signals_accumulate_and_the_level_is_the_highest(rules):
    result = evaluate(
        facts(
            limit_cny=D(100),
            exposure_cny=D(85),
            oldest_open_due_on=days_ago(45),
            previous_score=90,
            latest_score=60,
            latest_report_on=days_ago(2),
        ),
        rules,
        TODAY,
    )
    assert result.level is Level.ORANGE
    assert result.codes == ["EXTERNAL_SCORE_DROP", "OVERDUE_30", "UTILIZATION_80", "OVERDUE_1"]


def test_details_read_in_both_languages(rules):
    signal = evaluate(
        facts(limit_cny=D(1000), exposure_cny=D("850.55"), oldest_open_due_on=days_ago(3)),
        rules,
        TODAY,
    ).signals[0]
    assert signal.code == "UTILIZATION_80"
    assert signal.detail("en") == "Exposure 850.55 CNY is 85.06% of the limit 1000 CNY (over 80%)"
    assert signal.detail("zh") == "敞口 850.55 元，占授信额度 1000 元的 85.06%（超过 80%）"


@pytest.mark.parametrize(
    ("before", "after", "passed"),
    [
        ("none", "blue", ["blue"]),
        ("none", "orange", ["blue", "yellow", "orange"]),
        ("yellow", "red", ["orange", "red"]),
        ("orange", "orange", []),
        ("red", "blue", []),
    ],
)
def test_a_rise_passes_each_level_above_the_old_one(before, after, passed):
    assert [lvl.label for lvl in levels_passed(Level.of(before), Level.of(after))] == passed


def _table(**overrides):
    row = dict(
        code="X",
        level="blue",
        measure="days_past_due",
        operator=">",
        threshold=5,
        window_days=None,
        detail_en="",
        detail_zh="",
    )
    row.update(overrides)
    return {k: [v] for k, v in row.items()}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"level": "purple"}, "level must be one of"),
        ({"measure": "mood"}, "unknown measure"),
        ({"operator": "=>"}, "unknown operator"),
        ({"measure": "bounced_payments", "window_days": None}, "window_days"),
    ],
)
def test_a_table_that_cannot_be_applied_is_refused(overrides, message):
    with pytest.raises(PolicyError, match=message):
        rules_from_decision(_table(**overrides))


def test_a_threshold_of_the_wrong_type_names_the_rule():
    rule = rules_from_decision(_table(threshold="ten"))[0]
    with pytest.raises(PolicyError, match="rule X"):
        evaluate(facts(oldest_open_due_on=days_ago(3)), [rule], TODAY)
