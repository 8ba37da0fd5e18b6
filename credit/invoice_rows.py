"""Parse one CSV line of an invoice import into values and field errors (pure, no database).

The header names the columns (``customer_id,number,amount,currency,issued_on,due_on`` and
optionally ``order_ref``, in any order); the header is line 1. Parsing runs once per line of
files with millions of lines, so the columns are located once (``Columns``) and each line is
read by position.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from typing import Any

from engine.money import MONEY_MAX

REQUIRED = ("customer_id", "number", "amount", "currency", "issued_on", "due_on")
OPTIONAL = ("order_ref",)
FIELDS = REQUIRED + OPTIONAL
MAX_ID = 2**63 - 1
MAX_TEXT = 64
CENT = Decimal("0.01")
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")
_AMOUNT = re.compile(r"^(?:0|[1-9]\d{0,12})(?:\.\d{1,2})?$")  # up to MONEY_MAX
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Row:
    """One parsed line: its number, the values that parsed and the errors by field."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def reject(self, name: str, message: str) -> None:
        """Add an error to a field."""
        self.errors.setdefault(name, []).append(message)


def header_errors(header: Sequence[str]) -> dict[str, list[str]]:
    """Problems of the header line (missing, unknown or repeated columns)."""
    names = [name.strip() for name in header]
    errors: dict[str, list[str]] = {}
    missing = [name for name in REQUIRED if name not in names]
    unknown = [name for name in names if name not in FIELDS]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if missing:
        errors.setdefault("header", []).append(f"missing columns: {', '.join(missing)}")
    if unknown:
        errors.setdefault("header", []).append(
            f"unknown columns: {', '.join(unknown)}; expected {','.join(FIELDS)}"
        )
    if repeated:
        errors.setdefault("header", []).append(f"repeated columns: {', '.join(repeated)}")
    return errors


class Columns:
    """Where each field sits in a line of a file with a valid header."""

    def __init__(self, header: Sequence[str]) -> None:
        """Locate the fields (``header_errors`` must be empty)."""
        names = [name.strip() for name in header]
        self.width = len(names)
        self.index = [names.index(name) if name in names else None for name in FIELDS]


def parse_row(line: int, columns: Columns, cells: Sequence[str], rates: Mapping[str, str]) -> Row:
    """Parse the cells of one line; every field with a problem gets its messages."""
    row = Row(line)
    if len(cells) != columns.width:
        row.reject("line", f"expected {columns.width} fields, got {len(cells)}")
        return row
    raw = [cells[i].strip() if i is not None else "" for i in columns.index]
    customer, number, amount, currency, issued, due, order_ref = raw
    values = row.values
    values["customer_id"] = _whole(row, customer)
    values["number"] = _text(row, "number", number, required=True)
    values["amount"] = _amount(row, amount)
    currency = currency.upper()
    if currency not in rates:
        known = sorted(rates)
        row.reject(
            "currency",
            f"no exchange rate for {currency}; known: {known}"
            if _CURRENCY.match(currency)
            else "must be a 3-letter currency code such as CNY",
        )
    values["currency"] = currency
    values["issued_on"] = _date(row, "issued_on", issued)
    values["due_on"] = _date(row, "due_on", due)
    if values["issued_on"] and values["due_on"] and values["due_on"] < values["issued_on"]:
        row.reject("due_on", f"must not be before issued_on ({values['issued_on']})")
    values["order_ref"] = _text(row, "order_ref", order_ref, required=False)
    return row


def _whole(row: Row, text: str) -> int | None:
    if text.isascii() and text.isdigit() and len(text) <= 19 and 1 <= int(text) <= MAX_ID:
        return int(text)
    row.reject("customer_id", f"must be a whole number from 1 to {MAX_ID}")
    return None


def _text(row: Row, name: str, text: str, required: bool) -> str | None:
    if not text:
        if required:
            row.reject(name, "is required")
        return None
    if len(text) > MAX_TEXT:
        row.reject(name, f"at most {MAX_TEXT} characters")
    elif not text.isprintable():
        row.reject(name, "must not contain control characters")
    return text


def _amount(row: Row, text: str) -> Decimal | None:
    if _AMOUNT.match(text):
        amount = Decimal(text)
        if amount > 0:
            return amount.quantize(CENT)
        row.reject("amount", "must be greater than 0")
        return None
    try:
        Decimal(text)
    except InvalidOperation:
        row.reject("amount", "must be a decimal number such as 1234.50")
        return None
    row.reject("amount", f"must be above 0, at most 2 decimal places and at most {MONEY_MAX}")
    return None


def _date(row: Row, name: str, text: str) -> dt.date | None:
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        row.reject(name, "must be a date such as 2026-03-31")
        return None
    if not EARLIEST <= day <= LATEST:
        row.reject(name, f"must be between {EARLIEST} and {LATEST}")
        return None
    return day


# The fast path: a line whose every field is plainly well-formed is read by one regular
# expression; anything else (quotes, spaces, lower-case currency, leading zeros, an impossible
# day, ...) goes through the csv module and ``parse_row`` for the detailed messages.
_PLAIN = r"[!#-+\--~](?:[ !#-+\--~]{0,62}[!#-+\--~])?"  # printable ASCII, no comma or quote
_PATTERNS = {
    "customer_id": r"([1-9][0-9]{0,17})",
    "number": rf"({_PLAIN})",
    "amount": r"([1-9][0-9]{0,12}(?:\.[0-9]{1,2})?|0\.[1-9][0-9]?|0\.0[1-9])",
    "issued_on": r"((?:19|2[01])[0-9]{2}-[0-9]{2}-[0-9]{2})",
    "due_on": r"((?:19|2[01])[0-9]{2}-[0-9]{2}-[0-9]{2})",
    "order_ref": rf"({_PLAIN})?",
}

Values = tuple[int, str, Decimal, str, dt.date, dt.date, str | None]
"""A good line's values in ``FIELDS`` order."""


def values_of(row: Row) -> Values:
    """The values of a line without errors, as the fast path returns them."""
    values = row.values
    return (
        values["customer_id"],
        values["number"],
        values["amount"],
        values["currency"],
        values["issued_on"],
        values["due_on"],
        values["order_ref"],
    )


def line_parser(columns: Columns, rates: Mapping[str, str]) -> Callable[[str], Values | None]:
    """A parser of one raw CSV line: its values when plainly well-formed, else None.

    It returns exactly what ``values_of(parse_row(...))`` returns for such a line; None means
    "take the detailed path", never "the line is bad".
    """
    codes = [code for code in rates if re.fullmatch(r"[A-Z]{3}", code)]
    patterns = dict(_PATTERNS, currency=f"({'|'.join(codes) or '(?!)'})")
    position = {name: columns.index[FIELDS.index(name)] for name in FIELDS}
    by_column = sorted((index, name) for name, index in position.items() if index is not None)
    line = re.compile(
        ",".join(patterns[name] for _, name in by_column) + r"(?:\r\n|\n|\r)?",
        re.ASCII,
    ).fullmatch
    group = {name: n for n, (_, name) in enumerate(by_column)}
    fields = itemgetter(*(group[name] for name in REQUIRED))
    order_ref_at = group.get("order_ref")
    days: dict[str, dt.date] = {}

    def day(text: str) -> dt.date:
        found = days.get(text)
        if found is None:
            if len(days) > 100_000:
                days.clear()
            found = days[text] = dt.date.fromisoformat(text)  # ValueError: 2026-02-30
        return found

    def parse(text: str) -> Values | None:
        match = line(text)
        if match is None:
            return None
        cells = match.groups()
        customer, number, amount, currency, issued, due = fields(cells)
        order_ref = cells[order_ref_at] if order_ref_at is not None else None
        if due < issued:  # ISO dates order as text
            return None
        try:
            issued_on = days.get(issued) or day(issued)
            due_on = days.get(due) or day(due)
        except ValueError:
            return None
        value = Decimal(amount)
        if amount[-3:-2] != ".":
            value = value.quantize(CENT)
        return (int(customer), number, value, currency, issued_on, due_on, order_ref)

    return parse
