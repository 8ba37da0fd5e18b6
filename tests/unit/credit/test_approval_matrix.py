from __future__ import annotations

from decimal import Decimal as D

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

CM, FD, GM = "credit_manager", "finance_director", "general_manager"

LIMITS = {
    "zero": D(0),
    "small": D(100_000),
    "500,000": D(500_000),
    "500,000.01": D("500000.01"),
    "1,500,000": D(1_500_000),
    "2,000,000": D(2_000_000),
    "2,000,000.01": D("2000000.01"),
    "large": D(50_000_000),
}
BAND = {
    "zero": "low",
    "small": "low",
    "500,000": "low",
    "500,000.01": "mid",
    "1,500,000": "mid",
    "2,000,000": "mid",
    "2,000,000.01": "high",
    "large": "high",
}
MATRIX = {
    ("low", "A"): [CM],
    ("low", "B"): [CM],
    ("low", "C"): [CM],
    ("low", "D"): [CM, FD],
    ("mid", "A"): [CM, FD],
    ("mid", "B"): [CM, FD],
    ("mid", "C"): [CM, FD],
    ("mid", "D"): [CM, FD, GM],
    ("high", "A"): [CM, FD, GM],
    ("high", "B"): [CM, FD, GM],
    ("high", "C"): [CM, FD, GM],
    ("high", "D"): [CM, FD, GM],
}


def tiers(decide, grade, limit, change="application"):
    return decide("approval_matrix", grade=grade, requested_limit_cny=limit, limit_change=change)[
        "approval_tiers"
    ]


@pytest.mark.parametrize("grade", ["A", "B", "C", "D"])
@pytest.mark.parametrize("limit", list(LIMITS))
def test_every_matrix_cell(decide, grade, limit):
    assert tiers(decide, grade, LIMITS[limit]) == MATRIX[(BAND[limit], grade)]


@pytest.mark.parametrize("limit", [*LIMITS.values(), None])
def test_grade_e_needs_no_approval_tiers(decide, limit):
    assert tiers(decide, "E", limit) == []


def test_worked_example_request_of_1_5_million_at_grade_b(decide):
    assert tiers(decide, "B", D(1_500_000)) == [CM, FD]


def test_an_int_limit_works_too(decide):
    assert tiers(decide, "C", 2_000_001) == [CM, FD, GM]


@pytest.mark.parametrize("grade", ["A", "B", "C", "D", "E"])
@pytest.mark.parametrize("limit", list(LIMITS.values()))
@pytest.mark.parametrize("change", ["application", "increase", "keep", "decrease", "suspend"])
def test_exactly_one_row_matches_so_unique_and_first_match_agree(decide, grade, limit, change):
    rows = decide.matching_rows(
        "approval_matrix", grade=grade, requested_limit_cny=limit, limit_change=change
    )
    assert len(rows) == 1


@pytest.mark.parametrize("grade", ["A", "B", "C", "D"])
@pytest.mark.parametrize("limit", list(LIMITS))
def test_a_review_increase_follows_the_matrix_with_the_proposed_limit(decide, grade, limit):
    assert tiers(decide, grade, LIMITS[limit], "increase") == MATRIX[(BAND[limit], grade)]


@pytest.mark.parametrize("change", ["keep", "decrease", "suspend"])
@pytest.mark.parametrize("grade", ["A", "D", "E"])
def test_a_review_that_does_not_increase_needs_the_credit_manager_only(decide, change, grade):
    assert tiers(decide, grade, D(50_000_000), change) == [CM]


def test_an_unknown_grade_matches_no_row_and_fails_the_step(decide):
    # Stock Spiff completes such a task silently; the product's engine fails closed.
    with pytest.raises(WorkflowTaskException, match="no rule matched"):
        decide("approval_matrix", grade="X", requested_limit_cny=D(1), limit_change="application")
