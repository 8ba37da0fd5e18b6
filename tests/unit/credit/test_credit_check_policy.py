"""The shipped credit-check policy tables: tolerance by grade, check points, reason codes."""

from __future__ import annotations

from decimal import Decimal

import pytest

LIMIT = Decimal("1000000")


@pytest.mark.parametrize(
    ("grade", "percent", "cap"),
    [("A", 10, 500000), ("B", 5, 200000), ("C", 0, 0), ("D", 0, 0), ("E", 0, 0), (None, 0, 0)],
)
def test_tolerance_by_grade(decide, grade, percent, cap):
    out = decide("credit_check_tolerance", grade=grade)
    assert (out["tolerance_percent"], out["tolerance_cap"]) == (percent, cap)


@pytest.mark.parametrize(
    ("check_point", "enforced"), [("order", True), ("delivery", True), ("invoice", False)]
)
def test_check_points(decide, check_point, enforced):
    assert decide("credit_check_point", check_point=check_point)["enforced"] is enforced


def facts(**changes):
    return {
        "on_hold": False,
        "has_limit": True,
        "limit": LIMIT,
        "tolerance": Decimal("100000"),
        "exposure_after": Decimal("500000"),
        "days_past_due": 0,
        "review_days_overdue": 0,
        "grade": "A",
        "warning_level": None,
        **changes,
    }


def codes(decide, **changes):
    out = decide("credit_check_reasons", **facts(**changes))
    return [(c, b) for c, b in zip(out["reason_code"], out["blocks"], strict=True) if c]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, []),
        ({"on_hold": True}, [("CREDIT_HOLD", True)]),
        ({"exposure_after": Decimal("1100000.01")}, [("LIMIT_EXCEEDED", True)]),
        ({"exposure_after": Decimal("1100000")}, [("WITHIN_TOLERANCE", False)]),
        ({"exposure_after": Decimal("1000000.01")}, [("WITHIN_TOLERANCE", False)]),
        ({"exposure_after": LIMIT}, []),
        ({"days_past_due": 30}, []),
        ({"days_past_due": 31}, [("OVERDUE", True)]),
        ({"review_days_overdue": 30}, []),
        ({"review_days_overdue": 31}, [("REVIEW_OVERDUE", True)]),
        ({"grade": "E"}, [("GRADE_E", True)]),
        ({"has_limit": False, "limit": 0, "tolerance": 0}, [("NO_LIMIT", True)]),
        ({"warning_level": "yellow"}, []),
        ({"warning_level": "orange"}, [("MANUAL_APPROVAL", True)]),
        ({"warning_level": "red"}, [("MANUAL_APPROVAL", True)]),
    ],
    ids=lambda v: str(v) if not isinstance(v, dict) else ",".join(v) or "clean",
)
def test_each_reason_alone(decide, changes, expected):
    assert codes(decide, **changes) == expected


def test_every_reason_that_applies_in_policy_order(decide):
    found = codes(
        decide,
        on_hold=True,
        exposure_after=Decimal("2000000"),
        days_past_due=45,
        review_days_overdue=40,
        grade="E",
        warning_level="red",
    )
    assert [code for code, _ in found] == [
        "CREDIT_HOLD",
        "LIMIT_EXCEEDED",
        "OVERDUE",
        "REVIEW_OVERDUE",
        "GRADE_E",
        "MANUAL_APPROVAL",
    ]
