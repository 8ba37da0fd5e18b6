"""Parsing of request bodies into validated values."""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema
from werkzeug.exceptions import BadRequest


def json_body() -> dict[str, Any]:
    """Return the JSON object of the request; 400 when it is malformed or not an object."""
    data = request.get_json(silent=True)
    if data is None:
        raise BadRequest("the body must be a JSON object (Content-Type: application/json)")
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    return data


def load(schema: Schema, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """Validate a body with a marshmallow schema; field errors become a 422."""
    return schema.load(json_body() if data is None else data)
