"""Errors of the engine, typed once; web/errors.py maps them to problem+json."""

from __future__ import annotations


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""

    status = 500
    title = "Engine error"

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(EngineError):
    """An id that does not exist."""

    status = 404
    title = "Not found"


class Forbidden(EngineError):
    """Authenticated, but not allowed (role, candidate, four-eyes)."""

    status = 403
    title = "Forbidden"


class Conflict(EngineError):
    """A concurrent change won: task already completed or claimed, stale revision."""

    status = 409
    title = "Conflict"


class Invalid(EngineError):
    """Input that fails validation; `errors` maps each field to its messages."""

    status = 422
    title = "Invalid input"

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or {}

    @classmethod
    def field(cls, name: str, message: str) -> Invalid:
        """Build the error for one field."""
        return cls(f"{name}: {message}", {name: [message]})


class StepFailed(EngineError):
    """An engine step failed; the instance was put into `error` and the step rolled back."""

    status = 422
    title = "Process step failed"
