from __future__ import annotations

from decimal import Decimal as D

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

from credit.scorecard import dmn_number

NOT_DISTRESSED = ["safe", "grey", "not_available"]
SCORES = [D(100), D(85), D("84.99"), D(70), D("69.99"), D(55), D("54.99"), D(40), D("39.99"), D(0)]


def grade(decide, score, zone="safe", flag=False):
    return decide("grade", score=score, altman_zone=zone, enforcement_flag=flag)["grade"]


@pytest.mark.parametrize("zone", NOT_DISTRESSED)
@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (D(100), "A"),
        (D(85), "A"),
        (D("84.99"), "B"),
        (D("84.9999999999999999999999999"), "B"),
        (D(73), "B"),
        (D(70), "B"),
        (D("69.99"), "C"),
        (D(55), "C"),
        (D("54.99"), "D"),
        (D(40), "D"),
        (D("39.99"), "E"),
        (D(17), "E"),
        (D(0), "E"),
    ],
)
def test_score_bands(decide, score, zone, expected):
    assert grade(decide, score, zone) == expected


def test_an_int_or_float_score_works_too(decide):
    assert grade(decide, 85) == "A"
    assert grade(decide, 84.6) == "B"


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (D(100), "D"),
        (D(85), "D"),
        (D(70), "D"),
        (D(55), "D"),
        (D("54.99"), "D"),
        (D(40), "D"),
        (D("39.99"), "E"),
        (D(0), "E"),
    ],
)
def test_altman_distress_caps_the_grade_at_d(decide, score, expected):
    assert grade(decide, score, "distress") == expected


@pytest.mark.parametrize("zone", [*NOT_DISTRESSED, "distress"])
@pytest.mark.parametrize("score", [D(100), D(85), D(40), D(0)])
def test_an_enforcement_flag_makes_it_e(decide, score, zone):
    assert grade(decide, score, zone, flag=True) == "E"


def test_no_credit_report_means_no_enforcement_flag(decide):
    assert grade(decide, D(90), flag=None) == "A"


@pytest.mark.parametrize("zone", [*NOT_DISTRESSED, "distress"])
@pytest.mark.parametrize("flag", [True, False, None])
@pytest.mark.parametrize("score", SCORES)
def test_exactly_one_row_matches_so_unique_and_first_match_agree(decide, score, zone, flag):
    rows = decide.matching_rows("grade", score=score, altman_zone=zone, enforcement_flag=flag)
    assert len(rows) == 1


@pytest.mark.parametrize(
    "data",
    [
        {"score": D(90), "altman_zone": "green", "enforcement_flag": False},
        {"score": D(90), "altman_zone": "safe", "enforcement_flag": "yes"},
    ],
)
def test_unknown_values_match_no_row_and_fail_the_step(decide, data):
    # Stock Spiff completes such a task silently; the product's engine fails closed.
    with pytest.raises(WorkflowTaskException, match="no rule matched"):
        decide("grade", **data)


GRADE_TERMS = [
    ("A", "优秀", "Excellent", 12, 60, D("1.00"), False, False),
    ("B", "良好", "Good", 6, 45, D("0.80"), False, False),
    ("C", "一般", "Fair", 3, 30, D("0.50"), False, False),
    ("D", "关注", "Watch", 1, 15, D("0.25"), True, False),
    ("E", "不良", "Poor", 1, 0, D(0), False, True),
]


@pytest.mark.parametrize(
    ("grade_", "zh", "en", "review", "terms", "factor", "security", "prepayment"), GRADE_TERMS
)
def test_grade_terms(decide, grade_, zh, en, review, terms, factor, security, prepayment):
    out = decide("grade_terms", grade=grade_)
    assert (out["grade_label_zh"], out["grade_label_en"]) == (zh, en)
    assert (out["review_months"], out["terms_days"]) == (review, terms)
    assert dmn_number(out["limit_factor"], "limit_factor") == factor
    assert out["security_required"] is security
    assert out["prepayment_only"] is prepayment


def test_grade_terms_has_no_row_for_an_unknown_grade(decide):
    with pytest.raises(WorkflowTaskException, match="no rule matched"):
        decide("grade_terms", grade="F")
