"""What a route accepts and answers, declared once: it both validates and documents (OpenAPI).

    @bp.post("/customers")
    @requires("sales")
    @body(CustomerBody)                    # JSON body: validated, passed as `body=`
    @responds(201, CustomerOut)            # documented status and schema
    def create_customer(body): ...

    @bp.get("/customers")
    @requires()
    @query(CustomerQuery)                  # query string: validated, passed as `args=`
    @responds(200, CustomerPage)
    def search_customers(args): ...

A POST, PUT or PATCH route without `@body` declares `@no_body` or `@upload(...)`;
tests/integration/test_openapi__contract.py fails for a route that declares nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import request
from marshmallow import EXCLUDE, Schema
from werkzeug.exceptions import BadRequest

from forms.fields import ID_MAX, parse_id


@dataclass
class Operation:
    """The declared contract of one view function."""

    body: type[Schema] | None = None
    body_description: str = ""
    upload: dict[str, Any] | None = None  # an OpenAPI schema of a non-JSON request body
    upload_type: str = "multipart/form-data"
    no_body: bool = False
    query: type[Schema] | None = None
    responses: dict[int, tuple[type[Schema] | Schema | dict[str, Any] | None, str]] = field(
        default_factory=dict
    )
    response_types: dict[int, str] = field(default_factory=dict)  # other than application/json


def operation(view: Callable) -> Operation:
    """The contract declared on a view (created empty on first use)."""
    found = view.__dict__.get("openapi")
    if found is None:
        found = view.__dict__["openapi"] = Operation()
    return found


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


def body(
    schema: type[Schema],
    make: Callable[[], Schema] | None = None,
    description: str = "",
    optional: bool = False,
) -> Callable:
    """Validate the JSON body with `schema` and pass the values as `body=`; document it.

    :param make: builds the schema instance per request when it needs request-time values
        (e.g. today's date from the clock); the class is still what is documented.
    :param optional: the body may be left out (validated as an empty object then).
    """

    # A schema holds no request state, so one instance serves every request (building one
    # copies its declared fields); `make` builds one per request when it needs request values.
    shared: list[Schema] = []

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            data = {} if optional and not request.get_data(cache=True) else None
            if make is not None:
                instance = make()
            else:
                if not shared:
                    shared.append(schema())
                instance = shared[0]
            kwargs["body"] = load(instance, data)
            return view(*args, **kwargs)

        op = operation(wrapper)
        op.body, op.body_description = schema, description
        return wrapper

    return decorate


def query(schema: type[Schema]) -> Callable:
    """Validate the query string with `schema` (unknown parameters ignored); pass `args=`."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            kwargs["args"] = schema(unknown=EXCLUDE).load(request.args.to_dict())
            return view(*args, **kwargs)

        operation(wrapper).query = schema
        return wrapper

    return decorate


def no_body(view: Callable) -> Callable:
    """Declare that a POST/PUT/PATCH route takes no request body."""
    operation(view).no_body = True
    return view


def upload(schema: dict[str, Any], content_type: str = "multipart/form-data") -> Callable:
    """Document a non-JSON request body (multipart files, CSV) that the view reads itself."""

    def decorate(view: Callable) -> Callable:
        op = operation(view)
        op.upload, op.upload_type = schema, content_type
        return view

    return decorate


def responds(
    status: int,
    schema: type[Schema] | Schema | dict[str, Any] | None = None,
    description: str = "",
    content_type: str = "application/json",
) -> Callable:
    """Document a status with its body: a Schema class, Schema(many=True) or an OpenAPI dict.

    :param content_type: the body's media type when it is not JSON (e.g. application/pdf).
    """

    def decorate(view: Callable) -> Callable:
        op = operation(view)
        op.responses[status] = (schema, description)
        if content_type != "application/json":
            op.response_types[status] = content_type
        return view

    return decorate


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """A page's integer query parameter clamped to [low, high]; default when absent or bad."""
    raw = request.args.get(name, "")
    value = int(raw) if raw.lstrip("-").isdigit() and len(raw) <= 19 else default
    return min(max(value, low), high)


def query_id(name: str) -> int | None:
    """An optional id in the query string: None when absent; 422 when not a 64-bit id."""
    from marshmallow import ValidationError

    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        return parse_id(raw)
    except ValidationError as exc:
        raise ValidationError({name: exc.messages}) from None


__all__ = [
    "ID_MAX",
    "Operation",
    "body",
    "int_arg",
    "json_body",
    "load",
    "no_body",
    "operation",
    "query",
    "query_id",
    "responds",
    "upload",
]
