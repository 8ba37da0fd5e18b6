"""Parse one CSV line of an invoice import into values and field errors (pure, no database).

The header names the columns (``customer_id,number,amount,currency,issued_on,due_on`` and
optionally ``order_ref``, in any order); the header is line 1.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

REQUIRED = ("customer_id", "number", "amount", "currency", "issued_on", "due_on")
OPTIONAL = ("order_ref",)
MAX_ID = 2**31 - 1
MAX_TEXT = 64
MAX_AMOUNT = Decimal("1e16")
CENT = Decimal("0.01")
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2199, 12, 31)
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


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
    unknown = [name for name in names if name not in REQUIRED + OPTIONAL]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if missing:
        errors.setdefault("header", []).append(f"missing columns: {', '.join(missing)}")
    if unknown:
        errors.setdefault("header", []).append(
            f"unknown columns: {', '.join(unknown)}; expected {','.join(REQUIRED + OPTIONAL)}"
        )
    if repeated:
        errors.setdefault("header", []).append(f"repeated columns: {', '.join(repeated)}")
    return errors


def parse_row(
    line: int, header: Sequence[str], cells: Sequence[str], rates: Mapping[str, str]
) -> Row:
    """Parse the cells of one line; every field with a problem gets its messages."""
    row = Row(line)
    if len(cells) != len(header):
        row.reject("line", f"expected {len(header)} fields, got {len(cells)}")
        return row
    raw = {name.strip(): cell.strip() for name, cell in zip(header, cells, strict=True)}
    row.values["customer_id"] = _whole(row, "customer_id", raw["customer_id"])
    row.values["number"] = _text(row, "number", raw["number"], required=True)
    row.values["amount"] = _amount(row, raw["amount"])
    currency = raw["currency"].upper()
    if not _CURRENCY.match(currency):
        row.reject("currency", "must be a 3-letter currency code such as CNY")
    elif currency not in rates:
        row.reject("currency", f"no exchange rate for {currency}; known: {sorted(rates)}")
    row.values["currency"] = currency
    row.values["issued_on"] = _date(row, "issued_on", raw["issued_on"])
    row.values["due_on"] = _date(row, "due_on", raw["due_on"])
    issued, due = row.values["issued_on"], row.values["due_on"]
    if issued is not None and due is not None and due < issued:
        row.reject("due_on", f"must not be before issued_on ({issued})")
    row.values["order_ref"] = _text(row, "order_ref", raw.get("order_ref", ""), required=False)
    return row


def _whole(row: Row, name: str, text: str) -> int | None:
    if not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        row.reject(name, f"must be a whole number from 1 to {MAX_ID}")
        return None
    return int(text)


def _text(row: Row, name: str, text: str, required: bool) -> str | None:
    if not text:
        if required:
            row.reject(name, "is required")
        return None
    if len(text) > MAX_TEXT:
        row.reject(name, f"at most {MAX_TEXT} characters")
    return text


def _amount(row: Row, text: str) -> Decimal | None:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        row.reject("amount", "must be a decimal number such as 1234.50")
        return None
    if not amount.is_finite() or amount <= 0:
        row.reject("amount", "must be a decimal number greater than 0")
    elif amount >= MAX_AMOUNT or amount != amount.quantize(CENT):
        row.reject("amount", "at most 2 decimal places and less than 10^16")
    else:
        return amount.quantize(CENT)
    return None


def _date(row: Row, name: str, text: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        row.reject(name, "must be a date such as 2026-03-31")
        return None
    if not EARLIEST <= day <= LATEST:
        row.reject(name, f"must be between {EARLIEST} and {LATEST}")
        return None
    return day
