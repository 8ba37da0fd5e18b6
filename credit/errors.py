"""Errors raised by the credit domain."""

from __future__ import annotations

from engine.errors import EngineError


class PolicyError(Exception):
    """The credit policy (a DMN table or its output) cannot be applied as it stands.

    The message names the decision or factor and says what to fix in the table.
    """


class TooLarge(EngineError):
    """An upload above its size limit (HTTP 413)."""

    status = 413
    title = "Payload too large"


class UnsupportedType(EngineError):
    """An upload whose content is not of an accepted type (HTTP 415)."""

    status = 415
    title = "Unsupported media type"
