"""The fast path of an invoice import line gives exactly what the detailed parse gives, or None."""

from __future__ import annotations

import csv
import random

import pytest

from credit.invoice_rows import Columns, line_parser, parse_row, values_of

HEADER = ["customer_id", "number", "amount", "currency", "issued_on", "due_on", "order_ref"]
RATES = {"CNY": "1", "USD": "7.10"}


def detailed(columns: Columns, line: str):
    """What the import does without the fast path: csv module, then parse_row."""
    cells = next(csv.reader([line]))
    row = parse_row(2, columns, cells, RATES)
    return row.errors, (values_of(row) if not row.errors else None)


def same_as_detailed(columns: Columns, line: str):
    fast = line_parser(columns, RATES)(line)
    errors, values = detailed(columns, line.rstrip("\r\n"))
    if fast is not None:
        assert errors == {}, line
        assert fast == values, line
        # Not only equal: the same Decimal (scale) and types, as stored and compared.
        assert [(type(v), str(v)) for v in fast] == [(type(v), str(v)) for v in values], line
    return fast, errors


@pytest.mark.parametrize(
    "line",
    [
        "7,INV-1,1000.50,CNY,2026-01-01,2026-02-01,",
        "7,INV-1,1000.5,CNY,2026-01-01,2026-02-01,\n",
        "7,INV-1,1000,USD,2026-01-01,2026-01-01,ORD-9\r\n",
        "7,INV-1,0.01,CNY,2026-01-01,2026-02-01,\r",
        "7,INV-1,0.1,CNY,2026-01-01,2026-02-01,",
        "7,INV-1,0.10,CNY,2026-01-01,2026-02-01,",
        "7,INV-1,9999999999999.99,CNY,2026-01-01,2026-02-01,",
        "999999999999999999,A b\\c/d:e#f,12.3,CNY,1900-01-01,2199-12-31,R 1",
        "1," + "N" * 64 + ",5,CNY,2024-02-29,2024-03-01," + "R" * 64,
    ],
)
def test_a_plainly_good_line_takes_the_fast_path(line):
    fast, errors = same_as_detailed(Columns(HEADER), line)
    assert fast is not None and errors == {}


@pytest.mark.parametrize(
    "line",
    [
        # Good lines the fast path leaves to the detailed parse (same values either way).
        '7,"INV-1",1000.50,CNY,2026-01-01,2026-02-01,',
        "7, INV-1 ,1000.50,CNY,2026-01-01,2026-02-01,",
        "007,INV-1,1000.50,CNY,2026-01-01,2026-02-01,",
        "7,INV-1,1000.50,cny,2026-01-01,2026-02-01,",
        "7,发票-1,1000.50,CNY,2026-01-01,2026-02-01,",
        '7,"INV,1",1000.50,CNY,2026-01-01,2026-02-01,',
        # Bad lines: each must reach parse_row for its messages.
        "7,INV-1,0,CNY,2026-01-01,2026-02-01,",
        "7,INV-1,0.00,CNY,2026-01-01,2026-02-01,",
        "7,INV-1,-1,CNY,2026-01-01,2026-02-01,",
        "7,INV-1,1.005,CNY,2026-01-01,2026-02-01,",
        "7,INV-1,1e3,CNY,2026-01-01,2026-02-01,",
        "7,INV-1,1000000000000000,CNY,2026-01-01,2026-02-01,",
        "7,INV-1,01,CNY,2026-01-01,2026-02-01,",
        "7,INV-1,5,JPY,2026-01-01,2026-02-01,",
        "7,INV-1,5,CN,2026-01-01,2026-02-01,",
        "7,INV-1,5,CNY,2026-02-30,2026-03-01,",
        "7,INV-1,5,CNY,2026-00-10,2026-03-01,",
        "7,INV-1,5,CNY,1899-12-31,2026-03-01,",
        "7,INV-1,5,CNY,2026-01-01,2200-01-01,",
        "7,INV-1,5,CNY,2026-02-01,2026-01-31,",
        "7,INV-1,5,CNY,2026-1-01,2026-02-01,",
        "7,INV-1,5,CNY,2026-01-01,2026-02-01",
        "7,INV-1,5,CNY,2026-01-01,2026-02-01,,",
        "0,INV-1,5,CNY,2026-01-01,2026-02-01,",
        "9999999999999999999,INV-1,5,CNY,2026-01-01,2026-02-01,",
        "7,INV-1,10000000000000,CNY,2026-01-01,2026-02-01,",
        "١٢,INV-1,5,CNY,2026-01-01,2026-02-01,",
        "7,,5,CNY,2026-01-01,2026-02-01,",
        "7," + "N" * 65 + ",5,CNY,2026-01-01,2026-02-01,",
        "7,INV-1,5,CNY,2026-01-01,2026-02-01," + "R" * 65,
        "7,INV\x001,5,CNY,2026-01-01,2026-02-01,",
        "7,INV\t1,5,CNY,2026-01-01,2026-02-01,",
        "7,INV-1 ,5,CNY,2026-01-01,2026-02-01,",
        "7,INV-1,5,CNY,2026-01-01,2026-02-01,\n\n",
        ",,,,,,",
        "",
    ],
)
def test_anything_else_takes_the_detailed_path(line):
    fast, _ = same_as_detailed(Columns(HEADER), line)
    assert fast is None


def test_columns_in_another_order_and_without_order_ref():
    header = ["due_on", "issued_on", "currency", "amount", "number", "customer_id"]
    parse = line_parser(Columns(header), RATES)
    assert parse("2026-02-01,2026-01-01,USD,5,N-1,3\n") == values_of(
        parse_row(2, Columns(header), ["2026-02-01", "2026-01-01", "USD", "5", "N-1", "3"], RATES)
    )
    assert parse("2026-02-01,2026-01-01,USD,5,N-1,3,R-1\n") is None


def test_random_lines_never_differ_from_the_detailed_parse():
    rng = random.Random(11)
    pieces = {
        0: ["7", "07", "0", "12345678901234567890", " 7", "x"],
        1: ["INV-1", "", "a,b", "I\\N", " I", "I" * 65, "#!~"],
        2: [
            "1",
            "1.5",
            "1.50",
            "1.505",
            "0.0",
            "0.01",
            ".5",
            "5.",
            "9999999999999.99",
            "10000000000000.00",
            "1e2",
        ],
        3: ["CNY", "USD", "usd", "JPY", "C1Y", ""],
        4: ["2026-01-01", "2026-13-01", "2026-02-29", "2028-02-29", "1900-01-01", "x"],
        5: ["2026-01-01", "2026-03-01", "2199-12-31", "2200-01-01", "2025-12-31"],
        6: ["", "R-1", " R", "R" * 64, "R" * 65],
    }
    columns = Columns(HEADER)
    fast_ones = 0
    for _ in range(20_000):
        line = ",".join(rng.choice(pieces[i]) for i in range(7))
        fast, _ = same_as_detailed(columns, line)
        fast_ones += fast is not None
    assert fast_ones > 20  # the fast path was taken often enough to compare
