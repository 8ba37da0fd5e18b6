"""JSON output: ISO 8601 times with offset in the installation's zone, Decimal as strings."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask.json.provider import DefaultJSONProvider


class CreditflowJSONProvider(DefaultJSONProvider):
    """Flask JSON provider with creditflow's value formats."""

    ensure_ascii = False
    sort_keys = False
    zone = ZoneInfo("Asia/Shanghai")

    @classmethod
    def encode_value(cls, value: Any) -> Any:
        """Turn one non-JSON value into its JSON form."""
        if isinstance(value, dt.datetime):
            aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
            return aware.astimezone(cls.zone).isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, uuid.UUID | set | frozenset):
            return str(value) if isinstance(value, uuid.UUID) else sorted(value)
        raise TypeError(f"{type(value).__name__} is not JSON serializable")

    default = staticmethod(encode_value)  # type: ignore[assignment]
