"""Parsing one CSV line of an invoice import: values, and every field error with its name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from credit.invoice_rows import Columns, header_errors, parse_row

HEADER = ["customer_id", "number", "amount", "currency", "issued_on", "due_on", "order_ref"]
COLUMNS = Columns(HEADER)
RATES = {"CNY": "1", "USD": "7.10"}
GOOD = ["7", "INV-1", "1000.50", "cny", "2026-01-01", "2026-02-01", ""]


def test_a_good_line():
    row = parse_row(2, COLUMNS, GOOD, RATES)
    assert row.errors == {}
    assert row.values == {
        "customer_id": 7,
        "number": "INV-1",
        "amount": Decimal("1000.50"),
        "currency": "CNY",
        "issued_on": dt.date(2026, 1, 1),
        "due_on": dt.date(2026, 2, 1),
        "order_ref": None,
    }


@pytest.mark.parametrize(
    ("index", "value", "field"),
    [
        (0, "abc", "customer_id"),
        (0, "0", "customer_id"),
        (0, "99999999999999999999", "customer_id"),
        (0, "١٢", "customer_id"),
        (1, "", "number"),
        (1, "N" * 65, "number"),
        (2, "12,5", "amount"),
        (2, "-1", "amount"),
        (2, "0", "amount"),
        (2, "1.005", "amount"),
        (2, "NaN", "amount"),
        (2, "1e20", "amount"),
        (2, "1_000", "amount"),
        (2, "1000000000000000", "amount"),
        (3, "yen", "currency"),
        (3, "JPY", "currency"),
        (4, "2026-02-30", "issued_on"),
        (5, "01/02/2026", "due_on"),
        (5, "20260201", "due_on"),
        (1, "INV\x001", "number"),
        (5, "2025-12-31", "due_on"),
        (6, "R" * 65, "order_ref"),
    ],
)
def test_each_bad_field_is_named(index, value, field):
    cells = list(GOOD)
    cells[index] = value
    row = parse_row(2, COLUMNS, cells, RATES)
    assert list(row.errors) == [field]


def test_every_bad_field_of_a_line_is_reported():
    row = parse_row(3, COLUMNS, ["x", "", "y", "z", "a", "b", ""], RATES)
    assert set(row.errors) == {"customer_id", "number", "amount", "currency", "issued_on", "due_on"}


def test_a_line_with_the_wrong_number_of_fields():
    assert list(parse_row(4, COLUMNS, ["1", "2"], RATES).errors) == ["line"]


def test_header_problems():
    assert header_errors(HEADER) == {}
    assert header_errors(HEADER[:-1]) == {}
    assert (
        "missing columns: amount"
        in header_errors(["customer_id", "number"] + HEADER[3:6])["header"][0]
    )
    assert "unknown columns: colour" in header_errors([*HEADER, "colour"])["header"][0]


def test_columns_may_come_in_any_order():
    header = ["due_on", "issued_on", "currency", "amount", "number", "customer_id"]
    row = parse_row(2, Columns(header), ["2026-02-01", "2026-01-01", "CNY", "5", "N-1", "3"], RATES)
    assert (row.errors, row.values["customer_id"], row.values["order_ref"]) == ({}, 3, None)
