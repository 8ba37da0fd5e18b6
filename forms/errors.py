"""Errors of the forms package, typed once; the web layer maps them to problem+json."""

from __future__ import annotations

import difflib
from typing import Any

UNKNOWN_FIELD = "Unknown field."


class FormError(Exception):
    """Base of every error the forms package raises on purpose."""


class FormNotFound(FormError, LookupError):
    """A form key that names no shipped form."""


class FormDefinitionError(FormError, ValueError):
    """A form-js schema that cannot be compiled into a validator."""


class FormInvalid(FormError):
    """Submitted data that fails its form; `errors` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        self.detail = "Invalid form data: " + "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in errors.items()
        )
        super().__init__(self.detail)

    @classmethod
    def from_messages(cls, messages: Any, known: list[str]) -> FormInvalid:
        """Build the error from marshmallow messages; `known` are the form's field names."""
        errors = _flatten(messages)
        for name, field_messages in errors.items():
            if UNKNOWN_FIELD in field_messages:
                errors[name] = [f"Unknown field {name!r}." + _hint(name, known)]
        return cls(errors)


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn nested messages ({"items": {0: {"x": [...]}}}) into {"items.0.x": [...]}."""
    if not isinstance(messages, dict):
        return {prefix or "_schema": [str(message) for message in messages]}
    flat: dict[str, list[str]] = {}
    for key, value in messages.items():
        flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def _hint(name: str, known: list[str]) -> str:
    if "." in name:  # a nested name would be matched against the wrong level
        return ""
    close = difflib.get_close_matches(name, known, n=1)
    return f" Did you mean {close[0]!r}?" if close else f" The form's fields: {', '.join(known)}."
