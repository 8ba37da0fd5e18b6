"""The one place that turns errors into application/problem+json."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, json
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from engine.errors import EngineError, Invalid, StepFailed
from web.auth import Unauthorized

log = logging.getLogger(__name__)


def problem(status: int, title: str, detail: str = "", **extra: object) -> Response:
    """Build a problem+json response."""
    body = {"type": "about:blank", "status": status, "title": title, "detail": detail, **extra}
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def _flatten(messages: object) -> dict[str, list[str]]:
    """Turn marshmallow's nested messages into {field.path: [messages]}."""
    out: dict[str, list[str]] = {}

    def walk(prefix: str, value: object) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out.setdefault(prefix or "_schema", []).extend(value)
        elif isinstance(value, list):
            for i, sub in enumerate(value):
                walk(f"{prefix}.{i}", sub)
        else:
            out.setdefault(prefix or "_schema", []).append(str(value))

    walk("", messages)
    return out


def validation_problem(errors: dict[str, list[str]], detail: str = "") -> Response:
    """A 422 naming every invalid field."""
    fields = ", ".join(sorted(errors))
    return problem(422, "Invalid input", detail or f"invalid fields: {fields}", errors=errors)


def end_unit_of_work(
    exc: Exception, commit: Callable[[], None], rollback: Callable[[], None]
) -> None:
    """Roll the request's work back, except after a failed step: that step's savepoint is
    already undone, and the incident it recorded commits with the request's own work."""
    if isinstance(exc, StepFailed):
        commit()
    else:
        rollback()


def register_error_handlers(
    app: Flask, rollback: Callable[[], None], commit: Callable[[], None]
) -> None:
    """Install handlers for engine errors, validation errors, HTTP errors and crashes."""

    @app.errorhandler(Invalid)
    def _invalid(exc: Invalid) -> Response:
        rollback()
        return validation_problem(exc.errors, exc.detail)

    @app.errorhandler(Unauthorized)
    def _unauthorized(exc: Unauthorized) -> Response:
        rollback()
        response = problem(401, "Unauthorized", str(exc))
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.errorhandler(EngineError)
    def _engine(exc: EngineError) -> Response:
        end_unit_of_work(exc, commit, rollback)
        return problem(exc.status, exc.title, exc.detail, **exc.extra)

    @app.errorhandler(ValidationError)
    def _marshmallow(exc: ValidationError) -> Response:
        rollback()
        return validation_problem(_flatten(exc.messages))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        rollback()
        response = problem(exc.code or 500, exc.name, exc.description or "")
        for name, value in exc.get_headers():  # Retry-After, Allow, WWW-Authenticate…
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _crash(exc: Exception) -> Response:
        rollback()
        log.exception("unhandled error")
        return problem(500, "Internal server error", "the error was logged; nothing was saved")
