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


class CreditflowJSONProvider(DefaultJSONProvider):
    """Flask JSON provider with creditflow's value formats."""

    ensure_ascii = False
    sort_keys = False
    default = staticmethod(encode_value)  # type: ignore[assignment]
