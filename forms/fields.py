"""Field types shared by every schema (API bodies and compiled forms): money, ids, plain text.

Every money amount in creditflow is parsed by `Money`, every id by `Id`, every free text by
`PlainText`, so one rule holds everywhere: finite, bounded, no surprises from Python's lenient
number and string parsing (``Decimal("1_000")``, ``float("1e309")``, NUL bytes).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import ValidationError, fields, validate

from engine.money import FIGURE_MAX, MONEY_MAX

MONEY_PLACES = 2
# Ids are `integer` primary keys: 32-bit signed in PostgreSQL (SQLite's are wider).
ID_MAX = 2**31 - 1
# Plain numbers in forms (ratings, days, factors) stay within what a column or a score can hold.
NUMBER_MAX = Decimal("1e15")

NOT_A_NUMBER = "Not a valid number."
_DECIMAL_TEXT = re.compile(r"^-?(?:0|[1-9]\d{0,17})(?:\.\d+)?$")
_INTEGER_TEXT = re.compile(r"^-?(?:0|[1-9]\d{0,18})$")
# C0 and C1 control characters and DEL; TAB, LF and CR only where a field allows several lines.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def strict_decimal(value: Any) -> Decimal:
    """Read a number the way JSON writes one: int, Decimal or float, or a plain numeral string.

    :raises ValueError: for booleans, ``"1_000"``, ``"1e3"``, ``" 5"``, NaN and infinities.
    """
    if isinstance(value, bool):
        raise ValueError(NOT_A_NUMBER)
    if isinstance(value, str):
        if not _DECIMAL_TEXT.match(value):
            raise ValueError(NOT_A_NUMBER)
        number = Decimal(value)
    elif isinstance(value, int | Decimal | float):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(NOT_A_NUMBER) from None
    else:
        raise ValueError(NOT_A_NUMBER)
    if not number.is_finite():
        raise ValueError("Special numeric values (nan or infinity) are not permitted.")
    return number


class Number(fields.Field):
    """A finite decimal within ±max_abs and at most `places` decimal places (None: any)."""

    def __init__(
        self, *, places: int | None = None, max_abs: Decimal = NUMBER_MAX, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.places = places
        self.max_abs = max_abs

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        try:
            number = strict_decimal(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        if abs(number) > self.max_abs:
            raise ValidationError(f"Number too large: at most {self.max_abs} in absolute value.")
        if self.places is not None and number != number.quantize(Decimal(1).scaleb(-self.places)):
            raise ValidationError(f"Must have at most {self.places} decimal places.")
        return number + 0  # normalises -0 and keeps the given scale

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else str(value)


class Money(Number):
    """An amount of money: Decimal in, decimal string out; 2 places, at most MONEY_MAX.

    Pass ``positive=True`` for amounts that must be above zero, ``non_negative=True`` for
    amounts that may be zero; otherwise negative amounts (losses, equity) are allowed.
    ``figure=True`` is a financial statement's figure, bounded by FIGURE_MAX (engine.money).
    """

    def __init__(
        self,
        *,
        positive: bool = False,
        non_negative: bool = False,
        figure: bool = False,
        **kwargs: Any,
    ):
        bound = FIGURE_MAX if figure else MONEY_MAX
        checks = list(_as_list(kwargs.pop("validate", None)))
        if positive:
            checks.append(validate.Range(min=0, min_inclusive=False, error="must be above 0"))
        elif non_negative:
            checks.append(validate.Range(min=0, error="must not be negative"))
        kwargs.setdefault("metadata", {})
        kwargs["metadata"] = {
            "type": "string",
            "format": "decimal",
            "pattern": r"^-?\d+(\.\d{1,2})?$",
            "x-maximum": str(bound),
            **kwargs["metadata"],
        }
        super().__init__(places=MONEY_PLACES, max_abs=bound, validate=checks, **kwargs)


class Id(fields.Field):
    """A positive integer id (at most ID_MAX), given as an integer or digits; 3.7 is an error."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["metadata"] = {
            "type": "integer",
            "minimum": 1,
            "maximum": ID_MAX,
            **kwargs.get("metadata", {}),
        }
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        return parse_id(value)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return value


def parse_id(value: Any) -> int:
    """A positive id up to ID_MAX; raise ValidationError otherwise."""
    if isinstance(value, bool):
        raise ValidationError("must be an integer id")
    if isinstance(value, str) and _INTEGER_TEXT.match(value):
        value = int(value)
    if isinstance(value, Decimal | float) and Decimal(str(value)) == int(value):
        value = int(value)
    if not isinstance(value, int):
        raise ValidationError("must be an integer id")
    if not 1 <= value <= ID_MAX:
        raise ValidationError(f"must be between 1 and {ID_MAX}")
    return value


INT_MAX = 2**63 - 1


class Integer(fields.Integer):
    """An integer within 64 bits (and the given range); strings of digits are accepted."""

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool) or (isinstance(value, str) and not _INTEGER_TEXT.match(value)):
            raise self.make_error("invalid")
        if isinstance(value, float | Decimal) and not Decimal(str(value)).is_finite():
            raise self.make_error("invalid")
        number = super()._validated(value)
        if number is not None and abs(number) > INT_MAX:
            raise ValidationError(f"must be within ±{INT_MAX}")
        return number


class PlainText(fields.String):
    """Text without control characters, at most `max_length` characters (None: the caller's
    own validators bound it); a single line unless `multiline`."""

    def __init__(self, *, max_length: int | None = 255, multiline: bool = False, **kwargs: Any):
        bound = [validate.Length(max=max_length)] if max_length is not None else []
        checks = [*bound, *_as_list(kwargs.pop("validate", None))]
        super().__init__(validate=checks, **kwargs)
        self.multiline = multiline

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        pattern = _CONTROL if self.multiline else _CONTROL_SINGLE_LINE
        if pattern.search(text):
            raise ValidationError("must not contain control characters")
        return text


# Dates a person can mean in credit work: company foundings to long-dated guarantees.
DAY_MIN, DAY_MAX = dt.date(1900, 1, 1), dt.date(2199, 12, 31)


class Day(fields.Date):
    """An ISO date between DAY_MIN and DAY_MAX."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dt.date:
        if isinstance(value, str) and len(value) > 10:
            raise self.make_error("invalid")
        day = super()._deserialize(value, attr, data, **kwargs)
        if not DAY_MIN <= day <= DAY_MAX:
            raise ValidationError(f"must be between {DAY_MIN} and {DAY_MAX}")
        return day


_CURRENCIES: dict[str, frozenset[str]] = {"codes": frozenset({"CNY"})}


def configure_currencies(codes: Iterable[str]) -> None:
    """Set the ISO 4217 codes the installation has exchange rates for (done by create_app)."""
    _CURRENCIES["codes"] = frozenset(code.upper() for code in codes)


class Currency(fields.String):
    """An ISO 4217 code among the configured exchange rates; lower case is accepted."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        known = sorted(_CURRENCIES["codes"])
        if code not in known:
            raise ValidationError(f"unknown currency; use one of {', '.join(known)}")
        return code


def _as_list(checks: Any) -> list[Any]:
    if checks is None:
        return []
    return list(checks) if isinstance(checks, list | tuple) else [checks]
