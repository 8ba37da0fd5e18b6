"""GET /openapi.json: the OpenAPI 3 document of every /api/v1 route (no authentication)."""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, jsonify
from marshmallow import Schema

from web.api import bp

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
PUBLIC = {"/api/v1/auth/token", "/api/v1/openapi.json"}


def _path(rule: str) -> str:
    return _PARAM.sub(lambda m: "{" + m.group(2) + "}", rule)


def _request_schema(view: object) -> type[Schema] | None:
    module = __import__(view.__module__, fromlist=["_"])
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and issubclass(value, Schema)
            and value is not Schema
            and (value.__module__ == view.__module__)
            and value.__name__.endswith(("Request", "Create", "Body"))
        ):
            return value
    return None


def build_spec() -> dict:
    """Assemble the document from the registered routes and their schemas."""
    spec = APISpec(
        title="creditflow API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Customer credit management (客户授信管理) on BPMN. "
            "Errors are application/problem+json."
        },
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema(
        "Problem",
        {
            "type": "object",
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "errors": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
    )
    paths: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        view = current_app.view_functions[rule.endpoint]
        path = _path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation: dict = {
                "summary": (view.__doc__ or "").strip().split("\n")[0],
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "parameters": [
                    {
                        "name": name,
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer" if conv == "int" else "string"},
                    }
                    for conv, name in _PARAM.findall(rule.rule)
                ],
                "responses": {
                    "200": {"description": "OK"},
                    "default": {
                        "description": "problem",
                        "content": {
                            "application/problem+json": {
                                "schema": {"$ref": "#/components/schemas/Problem"}
                            }
                        },
                    },
                },
            }
            groups = getattr(view, "allowed_groups", None)
            if groups:
                operation["x-allowed-groups"] = list(groups)
            if rule.rule not in PUBLIC:
                operation["security"] = [{"bearer": []}]
            schema = _request_schema(view) if method in {"POST", "PUT"} else None
            if schema is not None:
                name = schema.__name__
                if name not in spec.components.schemas:
                    spec.components.schema(name, schema=schema)
                operation["requestBody"] = {
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}
                    }
                }
            paths.setdefault(path, {})[method.lower()] = operation
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI document of the whole API."""
    return jsonify(build_spec())
