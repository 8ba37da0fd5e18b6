from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException

from credit.errors import PolicyError
from credit.limits import Security, base_limit, floor_to_10k, security_cover, suggested_limit
from credit.scorecard import dmn_number

ON = date(2025, 6, 30)
KINDS = ["guarantee", "collateral", "insurance", "deposit"]


@pytest.fixture(scope="module")
def weights(decide):
    """Cover weights as the `security_cover` decision gives them, one evaluation per kind."""
    return {kind: decide("security_cover", kind=kind)["weight"] for kind in KINDS}


@pytest.mark.parametrize(
    ("kind", "weight"),
    [
        ("guarantee", D("0.8")),
        ("collateral", D("0.6")),
        ("insurance", D("0.9")),
        ("deposit", D("1.0")),
    ],
)
def test_security_cover_weights(weights, kind, weight):
    assert dmn_number(weights[kind], kind) == weight


def test_security_cover_has_no_row_for_an_unknown_kind(decide):
    with pytest.raises(WorkflowTaskException, match="no rule matched"):
        decide("security_cover", kind="pledge")


def test_worked_example_limit_is_2_490_000(decide, weights):
    limit_factor = decide("grade_terms", grade="B")["limit_factor"]
    securities = [
        Security("collateral", D(1_000_000)),
        Security("insurance", D(500_000), expires_on=date(2026, 1, 31)),
    ]
    cover = security_cover(securities, weights, ON)
    assert base_limit(D(14_000_000), D(900_000)) == D(1_800_000)
    assert cover == D(1_050_000)
    assert suggested_limit(D(14_000_000), D(900_000), limit_factor, cover) == D(2_490_000)


@pytest.mark.parametrize(
    ("amount", "floored"),
    [
        (D(0), D(0)),
        (D("9999.99"), D(0)),
        (D(10_000), D(10_000)),
        (D("1449999.99"), D(1_440_000)),
        (D(1_440_000), D(1_440_000)),
        (D("1440000.01"), D(1_440_000)),
    ],
)
def test_floor_to_10k(amount, floored):
    assert floor_to_10k(amount) == floored


def test_the_limit_is_floored_to_10k_before_adding_cover():
    # base = min(20% x 7,777,777, 2 x 5,000,000) = 1,555,555.4; x 0.5 = 777,777.7 -> 770,000
    assert suggested_limit(D(7_777_777), D(5_000_000), 0.5, D("1234.5")) == D("771234.5")


@pytest.mark.parametrize(
    ("equity", "monthly", "base"),
    [
        (D(14_000_000), D(900_000), D(1_800_000)),
        (D(5_000_000), D(900_000), D(1_000_000)),
        (None, D(900_000), D(0)),
        (D(-1_000_000), D(900_000), D(0)),
        (D(14_000_000), None, D(0)),
        (D(14_000_000), D(-5), D(0)),
    ],
)
def test_base_limit(equity, monthly, base):
    assert base_limit(equity, monthly) == base


@pytest.mark.parametrize(
    ("factor", "limit"),
    [
        (1.0, D(1_000_000)),
        (0.8, D(800_000)),
        (0.5, D(500_000)),
        (0.25, D(250_000)),
        (0, D(0)),
        (D("0.80"), D(800_000)),
        (1, D(1_000_000)),
    ],
)
def test_limit_factor_from_the_dmn_is_exact(factor, limit):
    assert suggested_limit(D(5_000_000), D(900_000), factor, None) == limit


def test_a_grade_e_limit_is_only_the_cover():
    assert suggested_limit(D(14_000_000), D(900_000), 0, D(300_000)) == D(300_000)


def test_the_limit_is_never_negative():
    assert suggested_limit(D(-5_000_000), None, 0.8, None) == D(0)


@pytest.mark.parametrize(
    ("factor", "message"), [(-0.5, "cannot be negative"), ("0.8", "must be a number")]
)
def test_a_bad_limit_factor_fails_closed(factor, message):
    with pytest.raises(PolicyError, match=message):
        suggested_limit(D(1), D(1), factor, None)


def test_expired_security_counts_nothing(weights):
    securities = [
        Security("guarantee", D(1_000_000), expires_on=date(2025, 6, 29)),
        Security("deposit", D(100_000), expires_on=ON),
        Security("collateral", D(200_000)),
    ]
    assert security_cover(securities, weights, ON) == D(100_000) + D(120_000)


def test_no_securities_no_cover(weights):
    assert security_cover([], weights, ON) == D(0)


def test_a_kind_without_a_weight_fails_closed(weights):
    with pytest.raises(PolicyError, match="no weight for kind 'pledge'"):
        security_cover([Security("pledge", D(1))], weights, ON)


def test_an_expired_unknown_kind_is_ignored(weights):
    assert security_cover([Security("pledge", D(1), date(2020, 1, 1))], weights, ON) == D(0)


def test_a_negative_security_amount_is_refused(weights):
    with pytest.raises(ValueError, match="cannot be negative"):
        security_cover([Security("deposit", D(-1))], weights, ON)


def test_securities_may_be_plain_tuples(weights):
    securities = [("deposit", D(100_000), None), ("guarantee", D(50_000), date(2024, 1, 1))]
    assert security_cover(securities, weights, ON) == D(100_000)
