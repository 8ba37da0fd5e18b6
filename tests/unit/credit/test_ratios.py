from __future__ import annotations

from dataclasses import asdict, replace
from decimal import Decimal as D

import pytest

from credit.ratios import AltmanZone, Statement, altman_zone, as_json, compute_ratios

FOUR_PLACES = D("0.0001")

# The policy's worked example.
EXAMPLE = Statement(
    current_assets=D(12_000_000),
    current_liabilities=D(7_000_000),
    inventory=D(3_000_000),
    total_assets=D(30_000_000),
    total_liabilities=D(16_000_000),
    equity=D(14_000_000),
    revenue=D(45_000_000),
    net_profit=D(2_700_000),
    ebit=D(4_200_000),
    interest_expense=D(900_000),
    retained_earnings=D(6_000_000),
    operating_cash_flow=D(3_500_000),
)


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        ("current_ratio", D("1.7143")),
        ("quick_ratio", D("1.2857")),
        ("debt_to_asset", D("0.5333")),
        ("net_margin", D("0.0600")),
        ("roa", D("0.0900")),
        ("interest_coverage", D("4.6667")),
        ("ocf_to_current_liabilities", D("0.5000")),
        ("altman_z2", D("3.6049")),
    ],
)
def test_worked_example_ratios(ratio, expected):
    assert getattr(compute_ratios(EXAMPLE), ratio).quantize(FOUR_PLACES) == expected


def test_worked_example_is_in_the_safe_zone_with_nothing_missing():
    ratios = compute_ratios(EXAMPLE)
    assert ratios.altman_zone == "safe"
    assert ratios.not_available == {}


def test_ratios_keep_full_decimal_precision():
    ratios = compute_ratios(EXAMPLE)
    assert ratios.current_ratio == D(12_000_000) / D(7_000_000)
    assert ratios.net_margin == D("0.06")
    expected_z2 = (
        D("6.56") * (D(5_000_000) / D(30_000_000))
        + D("3.26") * D("0.2")
        + D("6.72") * D("0.14")
        + D("1.05") * D("0.875")
    )
    assert ratios.altman_z2 == expected_z2


def test_an_exact_boundary_stays_exact():
    ratios = compute_ratios(Statement(current_assets=D(3), current_liabilities=D(2)))
    assert ratios.current_ratio == D("1.5")


def test_as_json_rounds_to_four_places_for_display():
    shown = as_json(compute_ratios(EXAMPLE))
    assert shown == {
        "current_ratio": 1.7143,
        "quick_ratio": 1.2857,
        "debt_to_asset": 0.5333,
        "net_margin": 0.06,
        "roa": 0.09,
        "interest_coverage": 4.6667,
        "ocf_to_current_liabilities": 0.5,
        "altman_z2": 3.6049,
        "altman_zone": "safe",
        "not_available": {},
    }


def test_as_json_rounds_half_up():
    ratios = compute_ratios(Statement(net_profit=D("0.00005"), revenue=D(1)))
    assert as_json(ratios)["net_margin"] == 0.0001


@pytest.mark.parametrize(
    ("zero", "ratios"),
    [
        ("current_liabilities", ["current_ratio", "quick_ratio", "ocf_to_current_liabilities"]),
        ("total_assets", ["debt_to_asset", "roa", "altman_z2"]),
        ("revenue", ["net_margin"]),
        ("interest_expense", ["interest_coverage"]),
        ("total_liabilities", ["altman_z2"]),
    ],
)
def test_a_zero_denominator_makes_the_ratio_not_available(zero, ratios):
    statement = replace(EXAMPLE, **{zero: D(0)})
    result = compute_ratios(statement)
    for name in ratios:
        assert getattr(result, name) is None
        assert f"{zero} is zero" in result.not_available[name]
    assert set(result.not_available) == set(ratios)


@pytest.mark.parametrize(
    ("missing", "ratios"),
    [
        ("current_assets", ["current_ratio", "quick_ratio", "altman_z2"]),
        (
            "current_liabilities",
            ["current_ratio", "quick_ratio", "ocf_to_current_liabilities", "altman_z2"],
        ),
        ("inventory", ["quick_ratio"]),
        ("total_assets", ["debt_to_asset", "roa", "altman_z2"]),
        ("total_liabilities", ["debt_to_asset", "altman_z2"]),
        ("equity", ["altman_z2"]),
        ("revenue", ["net_margin"]),
        ("net_profit", ["net_margin", "roa"]),
        ("ebit", ["interest_coverage", "altman_z2"]),
        ("interest_expense", ["interest_coverage"]),
        ("retained_earnings", ["altman_z2"]),
        ("operating_cash_flow", ["ocf_to_current_liabilities"]),
    ],
)
def test_a_missing_figure_makes_the_ratios_using_it_not_available(missing, ratios):
    result = compute_ratios(replace(EXAMPLE, **{missing: None}))
    assert set(result.not_available) == set(ratios)
    for name in ratios:
        assert getattr(result, name) is None
        assert f"{missing} is missing" in result.not_available[name]


def test_reasons_name_every_problem():
    result = compute_ratios(Statement(current_liabilities=D(0)))
    assert result.not_available["current_ratio"] == (
        "current_assets is missing; current_liabilities is zero"
    )


def test_z2_not_available_gives_the_zone_not_available_and_json_null_with_reason():
    result = compute_ratios(replace(EXAMPLE, total_liabilities=D(0)))
    assert result.altman_zone == "not_available"
    shown = as_json(result)
    assert shown["altman_z2"] is None
    assert shown["debt_to_asset"] == 0.0
    assert shown["not_available"]["altman_z2"] == "total_liabilities is zero"


@pytest.mark.parametrize(
    ("z2", "zone"),
    [
        (D("5"), AltmanZone.SAFE),
        (D("2.6000000000000000000000001"), AltmanZone.SAFE),
        (D("2.60"), AltmanZone.GREY),
        (D("1.8"), AltmanZone.GREY),
        (D("1.10"), AltmanZone.GREY),
        (D("1.0999999999999999999999999"), AltmanZone.DISTRESS),
        (D("-3"), AltmanZone.DISTRESS),
        (None, AltmanZone.NOT_AVAILABLE),
    ],
)
def test_altman_zones(z2, zone):
    assert altman_zone(z2) == zone


def test_compute_ratios_accepts_a_mapping_of_decimal_strings_and_ints():
    figures = {key: str(value) for key, value in asdict(EXAMPLE).items()}
    figures |= {"current_assets": 12_000_000, "period_end": "2024-12-31", "currency": "CNY"}
    assert compute_ratios(figures) == compute_ratios(EXAMPLE)


def test_empty_strings_in_a_mapping_are_missing_figures():
    assert (
        compute_ratios({"current_assets": "1", "current_liabilities": ""}).not_available[
            "current_ratio"
        ]
        == "current_liabilities is missing"
    )


@pytest.mark.parametrize("bad", [1.5, True, [1]])
def test_a_float_or_other_type_is_refused(bad):
    with pytest.raises(TypeError, match="current_assets must be a Decimal, int or decimal string"):
        Statement.from_mapping({"current_assets": bad})


@pytest.mark.parametrize("bad", ["twelve", "NaN", "Infinity"])
def test_a_non_number_is_refused(bad):
    with pytest.raises(ValueError, match="current_assets"):
        Statement.from_mapping({"current_assets": bad})
