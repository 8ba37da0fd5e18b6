from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

from credit.errors import PolicyError
from credit.scorecard import (
    COLLECT_OUTPUTS,
    FACTORS,
    factor_rows,
    factor_scores,
    max_days_past_due,
    score_and_reasons,
    years_in_business,
)

# The policy's worked example, as the ratios arrive in task data (full precision).
EXAMPLE = {
    "current_ratio": D(12_000_000) / D(7_000_000),
    "debt_to_asset": D(16_000_000) / D(30_000_000),
    "net_margin": D("0.06"),
    "years_in_business": 8,
    "external_score": 75,
    "max_days_past_due": 12,
    "industry_risk": "medium",
    "qualitative_rating": 3,
    # not scorecard inputs, but in the task data beside them: they add the knock-out codes
    "altman_zone": "safe",
    "enforcement_flag": False,
}
EXAMPLE_REASONS = [
    "EXTERNAL_SCORE_LOW",
    "DEBT_TO_ASSET_HIGH",
    "PAYMENT_HISTORY_LATE",
    "INDUSTRY_RISK_ELEVATED",
    "CURRENT_RATIO_LOW",
    "YEARS_IN_BUSINESS_SHORT",
    "NET_MARGIN_LOW",
    "QUALITATIVE_RATING_LOW",
]


def score_factor(decide, factor, variable, value):
    outputs = decide("scorecard", **{**EXAMPLE, variable: value})
    return {row.factor: row for row in factor_scores(outputs)}[factor]


def case(variable, factor, code, rows):
    return [
        pytest.param(variable, factor, value, points, code, id=f"{factor}={value}")
        for value, points in rows
    ]


CASES = [
    *case(
        "current_ratio",
        "current_ratio",
        "CURRENT_RATIO_LOW",
        [
            (D("3.5"), 15),
            (D("2.0"), 15),
            (D(2), 15),
            (D(2) - D("1e-25"), 12),
            (D("1.9999"), 12),
            (D("1.5"), 12),
            (D("1.4999999999999999999999999"), 8),
            (D("1.0"), 8),
            (D("0.9999"), 3),
            (D(0), 3),
            (D(-1), 3),
            (None, 3),
        ],
    ),
    *case(
        "debt_to_asset",
        "debt_to_asset",
        "DEBT_TO_ASSET_HIGH",
        [
            (D(0), 15),
            (D("0.3999"), 15),
            (D("0.40"), 15),
            (D("0.4000000000000000000000001"), 11),
            (D("0.5333"), 11),
            (D("0.60"), 11),
            (D("0.6000000000000000000000001"), 6),
            (D("0.75"), 6),
            (D("0.7500000000000000000000001"), 2),
            (D("1.2"), 2),
            (None, 2),
        ],
    ),
    *case(
        "net_margin",
        "net_margin",
        "NET_MARGIN_LOW",
        [
            (D("0.25"), 10),
            (D("0.10"), 10),
            (D("0.0999999999999999999999999"), 8),
            (D("0.06"), 8),
            (D("0.05"), 8),
            (D("0.0499999999999999999999999"), 5),
            (D(0), 5),
            (D("-0.0000000000000000000000001"), 0),
            (D("-0.3"), 0),
            (None, 0),
        ],
    ),
    *case(
        "years_in_business",
        "years_in_business",
        "YEARS_IN_BUSINESS_SHORT",
        [
            (30, 10),
            (10, 10),
            (9, 7),
            (5, 7),
            (4, 4),
            (2, 4),
            (1, 1),
            (0, 1),
            (None, 1),
        ],
    ),
    *case(
        "external_score",
        "external_score",
        "EXTERNAL_SCORE_LOW",
        [
            (100, 20),
            (99, D("19.8")),
            (75, 15),
            (73, D("14.6")),
            (D("72.5"), D("14.5")),
            (1, D("0.2")),
            (0, 0),
            (None, 0),
        ],
    ),
    *case(
        "max_days_past_due",
        "payment_history",
        "PAYMENT_HISTORY_LATE",
        [
            (0, 15),
            (1, 11),
            (12, 11),
            (15, 11),
            (16, 6),
            (30, 6),
            (31, 0),
            (400, 0),
        ],
    ),
    *case("max_days_past_due", "payment_history", "NO_PAYMENT_HISTORY", [(None, 8)]),
    *case(
        "industry_risk",
        "industry_risk",
        "INDUSTRY_RISK_ELEVATED",
        [
            ("low", 10),
            ("medium", 6),
            ("high", 2),
            (None, 2),
        ],
    ),
    *case(
        "qualitative_rating",
        "qualitative_rating",
        "QUALITATIVE_RATING_LOW",
        [
            (5, 5),
            (4, 4),
            (3, 3),
            (2, 2),
            (1, 1),
            (None, 1),
        ],
    ),
]
MAX_POINTS = {
    "current_ratio": 15,
    "debt_to_asset": 15,
    "net_margin": 10,
    "years_in_business": 10,
    "external_score": 20,
    "payment_history": 15,
    "industry_risk": 10,
    "qualitative_rating": 5,
}


@pytest.mark.parametrize(("variable", "factor", "value", "points", "code"), CASES)
def test_factor_points_at_and_around_every_boundary(decide, variable, factor, value, points, code):
    row = score_factor(decide, factor, variable, value)
    assert row.points == points
    assert row.max_points == MAX_POINTS[factor]
    assert row.reason_code == code


@pytest.mark.parametrize(("variable", "factor", "value", "points", "code"), CASES)
def test_a_reason_code_is_given_exactly_when_points_fall_short(
    decide, variable, factor, value, points, code
):
    outputs = decide("scorecard", **{**EXAMPLE, variable: value})
    _, reasons = score_and_reasons(outputs)
    assert (code in reasons) == (points < MAX_POINTS[factor])


def test_external_score_points_are_exact_decimals_not_floats(decide):
    row = score_factor(decide, "external_score", "external_score", 73)
    assert row.points == D("14.6")
    assert isinstance(row.points, D)


@pytest.mark.parametrize(
    ("variable", "value", "factor"),
    [
        ("external_score", 101, "external_score"),
        ("external_score", -1, "external_score"),
        ("max_days_past_due", -1, "payment_history"),
        ("industry_risk", "extreme", "industry_risk"),
        ("industry_risk", "Low", "industry_risk"),
        ("qualitative_rating", 0, "qualitative_rating"),
        ("qualitative_rating", 6, "qualitative_rating"),
        ("qualitative_rating", D("2.5"), "qualitative_rating"),
    ],
)
def test_an_input_outside_the_policy_matches_no_row_and_fails_closed(
    decide, variable, value, factor
):
    outputs = decide("scorecard", **{**EXAMPLE, variable: value})
    with pytest.raises(PolicyError, match=f"no row matched for factor {factor};"):
        factor_scores(outputs)


def test_worked_example_scores_73_with_the_policy_reason_order(decide):
    outputs = decide("scorecard", **EXAMPLE)
    score, reasons = score_and_reasons(outputs)
    assert score == D(73)
    assert reasons == EXAMPLE_REASONS
    assert [row.points for row in factor_scores(outputs)] == [12, 11, 8, 7, 15, 11, 6, 3]


def test_worked_example_grades_b_with_45_days_and_6_month_review(decide):
    outputs = decide("scorecard", **EXAMPLE)
    score, _ = score_and_reasons(outputs)
    grade = decide("grade", score=score, altman_zone="safe", enforcement_flag=False)["grade"]
    terms = decide("grade_terms", grade=grade)
    assert (grade, terms["terms_days"], terms["review_months"]) == ("B", 45, 6)


def test_collect_leaves_one_list_per_output_in_table_order(decide):
    outputs = decide("scorecard", **EXAMPLE)
    assert outputs["factor"] == list(FACTORS)
    assert outputs["max_points"] == [15, 15, 10, 10, 20, 15, 10, 5]
    assert set(COLLECT_OUTPUTS) <= set(outputs)


def test_every_input_none_still_scores_each_factor_once(decide):
    data = {name: None for name in EXAMPLE} | {"altman_zone": "not_available"}
    score, reasons = score_and_reasons(decide("scorecard", **data))
    assert score == 3 + 2 + 0 + 1 + 0 + 8 + 2 + 1
    assert reasons[-2:] == ["QUALITATIVE_RATING_LOW", "ALTMAN_NOT_AVAILABLE"]
    assert "NO_PAYMENT_HISTORY" in reasons


def test_a_variable_missing_from_task_data_is_an_error_of_the_step(decide):
    data = dict(EXAMPLE)
    del data["industry_risk"]
    with pytest.raises(WorkflowTaskException, match="industry_risk"):
        decide("scorecard", **data)


def test_a_ratio_given_as_a_string_is_an_error_of_the_step(decide):
    # e.g. a Decimal that went through JSON as "1.7": the table must not score it silently.
    with pytest.raises(WorkflowTaskException, match="Rule failed on row 1"):
        decide("scorecard", **{**EXAMPLE, "current_ratio": "1.7"})


def test_outputs_left_from_a_previous_run_must_be_cleared_before_scoring_again(decide):
    # Spiff deep-merges COLLECT lists into existing ones (dropping values already present and
    # trimming to length), so re-scoring over old outputs keeps stale points. Set them to None.
    first = decide("scorecard", **EXAMPLE)
    improved = {**EXAMPLE, "current_ratio": D(3)}
    stale = decide("scorecard", **{**first, **improved})
    assert stale["points"][0] == 12
    cleared = {**first, **improved, **{name: None for name in COLLECT_OUTPUTS}}
    assert decide("scorecard", **cleared)["points"][0] == 15


# --- ranking and knock-outs -------------------------------------------------------------------


def outputs_with(points, altman_zone="safe", enforcement_flag=False):
    """Build task data with a COLLECT output (table order) with the given points per factor."""
    return {
        "altman_zone": altman_zone,
        "enforcement_flag": enforcement_flag,
        "factor": list(FACTORS),
        "points": [points.get(f, MAX_POINTS[f]) for f in FACTORS],
        "max_points": [MAX_POINTS[f] for f in FACTORS],
        "reason_code": [f"{f.upper()}_CODE" for f in FACTORS],
    }


def test_full_marks_give_100_and_no_reasons():
    assert score_and_reasons(outputs_with({}, altman_zone="grey")) == (D(100), [])


def test_equal_losses_keep_the_table_order():
    outputs = outputs_with({"qualitative_rating": 2, "current_ratio": 12, "industry_risk": 6})
    _, reasons = score_and_reasons(outputs)
    assert reasons == ["INDUSTRY_RISK_CODE", "CURRENT_RATIO_CODE", "QUALITATIVE_RATING_CODE"]


def test_knock_outs_come_first():
    outputs = outputs_with({"external_score": 0}, altman_zone="distress", enforcement_flag=True)
    _, reasons = score_and_reasons(outputs)
    assert reasons == ["ALTMAN_DISTRESS", "ENFORCEMENT_FLAG", "EXTERNAL_SCORE_CODE"]


def test_an_unknown_altman_zone_is_refused():
    with pytest.raises(ValueError, match="'green' is not a valid AltmanZone"):
        score_and_reasons(outputs_with({}, altman_zone="green"))


@pytest.mark.parametrize("missing", ["altman_zone", "enforcement_flag"])
def test_the_knock_out_inputs_must_be_in_the_task_data(missing):
    data = outputs_with({})
    del data[missing]
    with pytest.raises(ValueError, match=f"task data has no {missing}"):
        score_and_reasons(data)


def test_factor_rows_are_plain_dicts_for_the_assessment_record(decide):
    rows = factor_rows(decide("scorecard", **EXAMPLE))
    assert rows[4] == {
        "factor": "external_score",
        "points": D(15),
        "max_points": D(20),
        "reason_code": "EXTERNAL_SCORE_LOW",
    }
    assert [row["factor"] for row in rows] == list(FACTORS)


def broken(**changes):
    outputs = outputs_with({})
    outputs.update(changes)
    return outputs


@pytest.mark.parametrize(
    ("outputs", "message"),
    [
        ({}, "no row matched for factor current_ratio"),
        (
            broken(factor=[*FACTORS[:-1], "current_ratio"]),
            "2 rows matched for factor current_ratio",
        ),
        (broken(factor=[*FACTORS[:-1], "liquidity"]), "unknown factor 'liquidity'"),
        (broken(points=[16, 15, 10, 10, 20, 15, 10, 5]), "current_ratio 16 points, outside 0..15"),
        (broken(points=[-1, 15, 10, 10, 20, 15, 10, 5]), "outside 0..15"),
        (broken(points=["15", 15, 10, 10, 20, 15, 10, 5]), "must be a number, got '15'"),
        (broken(points=[True, 15, 10, 10, 20, 15, 10, 5]), "must be a number, got True"),
        (broken(points=[15]), "different lengths"),
        (broken(points=15), "must be lists"),
        (broken(reason_code=[None] * 8), "has no reason_code"),
    ],
)
def test_malformed_scorecard_output_fails_closed(outputs, message):
    with pytest.raises(PolicyError, match=message.replace("(", r"\(").replace("..", r"\.\.")):
        factor_scores(outputs)


# --- inputs: years in business and payment history -------------------------------------------


@pytest.mark.parametrize(
    ("founded_on", "on_date", "entered", "years"),
    [
        (date(2015, 6, 1), date(2025, 5, 31), None, 9),
        (date(2015, 6, 1), date(2025, 6, 1), None, 10),
        (date(2016, 2, 29), date(2025, 2, 28), None, 8),
        (date(2016, 2, 29), date(2025, 3, 1), None, 9),
        (date(2025, 6, 1), date(2025, 6, 1), None, 0),
        (date(2015, 6, 1), date(2025, 6, 1), 8, 8),
        (None, date(2025, 6, 1), 0, 0),
        (None, date(2025, 6, 1), None, None),
    ],
)
def test_years_in_business(founded_on, on_date, entered, years):
    assert years_in_business(founded_on, on_date, entered) == years


def test_years_in_business_refuses_a_founding_date_after_the_assessment():
    with pytest.raises(ValueError, match="after the assessment date"):
        years_in_business(date(2026, 1, 1), date(2025, 6, 1))


def test_years_in_business_refuses_negative_entered_years():
    with pytest.raises(ValueError, match="cannot be negative"):
        years_in_business(None, date(2025, 6, 1), -1)


ON = date(2025, 6, 30)


@pytest.mark.parametrize(
    ("invoices", "days"),
    [
        ([], None),
        ([(date(2025, 3, 1), date(2025, 3, 13))], 12),
        ([(date(2025, 3, 1), date(2025, 2, 20))], 0),
        ([(date(2025, 3, 1), date(2025, 3, 1))], 0),
        ([(date(2025, 5, 1), None)], 60),
        ([(date(2025, 5, 1), date(2025, 8, 1))], 60),
        ([(date(2024, 6, 30), date(2024, 7, 5))], 5),
        ([(date(2024, 6, 29), date(2025, 1, 1))], None),
        ([(ON, None)], None),
        ([(date(2025, 3, 1), date(2025, 3, 13)), (date(2025, 4, 1), date(2025, 4, 3))], 12),
    ],
    ids=[
        "no invoices",
        "12 days late",
        "paid early",
        "paid on the due date",
        "unpaid",
        "paid after the assessment",
        "due one year before",
        "due before the window",
        "due on the assessment date",
        "worst of several",
    ],
)
def test_max_days_past_due(invoices, days):
    assert max_days_past_due(invoices, ON) == days


def test_max_days_past_due_window_on_a_leap_day():
    assert max_days_past_due([(date(2023, 2, 28), date(2023, 3, 1))], date(2024, 2, 29)) == 1
    assert max_days_past_due([(date(2023, 2, 27), date(2023, 3, 1))], date(2024, 2, 29)) is None
