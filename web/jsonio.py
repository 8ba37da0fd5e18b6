"""JSON output: ISO 8601 times with offset in the installation's zone, Decimal as strings."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask.json.provider import DefaultJSONProvider

ZONE = {"tz": ZoneInfo("Asia/Shanghai")}


def set_zone(name: str) -> None:
    """Choose the zone in which times are written."""
    ZONE["tz"] = ZoneInfo(name)


def encode_value(value: Any) -> Any:
    """Turn one non-JSON value into its JSON form."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(ZONE["tz"]).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


# Request bodies deeper than this are refused (400) before any code walks them.
MAX_DEPTH = 32


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def nesting_depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (iteratively, no recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


class CreditflowJSONProvider(DefaultJSONProvider):
    """Flask JSON provider with creditflow's value formats and a bounded parser."""

    ensure_ascii = False
    sort_keys = False
    default = staticmethod(encode_value)  # type: ignore[assignment]

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse JSON; refuse NaN/Infinity literals and nesting deeper than MAX_DEPTH.

        :raises ValueError: which Flask turns into 400 Bad Request.
        """
        kwargs.setdefault("parse_constant", _no_constant)
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels") from None
        if nesting_depth(value) > MAX_DEPTH:
            raise ValueError(f"JSON nested deeper than {MAX_DEPTH} levels")
        return value
