"""GET /openapi.json: the OpenAPI 3 document, built from what each route declares.

Request bodies, query strings and success responses come from the route's `@body`, `@query`,
`@upload`, `@no_body` and `@responds` declarations (web/api/request.py) — the same schemas
that validate the request — never from guesses. Error statuses follow from the route's shape:
401 when it needs a token, 403 when it checks roles or candidates, 404 with path ids,
400/422 when it reads a body or a query string.
"""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, jsonify
from marshmallow import Schema

from forms.fields import ID_MAX
from web.api import bp
from web.api.request import Operation, operation, responds

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
PUBLIC = {"/api/v1/auth/token", "/api/v1/openapi.json"}
_UUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_PATH_TYPES = {
    "int": {"type": "integer", "minimum": 1, "maximum": ID_MAX},
    "task": {"type": "string", "format": "uuid", "pattern": _UUID},
}
_ERRORS = {
    400: "malformed request (not JSON, nested too deeply, bad parameter)",
    401: "missing or bad credentials",
    403: "the signed-in user may not do this (role, four-eyes, not a candidate)",
    404: "unknown id",
    409: "conflict: already done, claimed by someone else, or a stale revision",
    413: "the body is too large",
    422: "invalid fields (errors names each field)",
}
PROBLEM = {
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
    "required": ["status", "title"],
}


def _path(rule: str) -> str:
    return _PARAM.sub(lambda m: "{" + m.group(2) + "}", rule)


def _ref(spec: APISpec, schema: type[Schema] | Schema | dict[str, Any] | None) -> dict[str, Any]:
    if schema is None:
        return {"type": "object"}
    if isinstance(schema, dict):
        return schema
    if isinstance(schema, Schema):  # Schema(many=True): a JSON array of that schema
        item = _ref(spec, type(schema))
        return {"type": "array", "items": item} if schema.many else item
    name = schema.__name__
    if name not in spec.components.schemas:
        spec.components.schema(name, schema=schema)
    return {"$ref": f"#/components/schemas/{name}"}


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }


def _responses(spec: APISpec, op: Operation, method: str, rule: str, secured: bool) -> dict:
    out: dict[str, Any] = {}
    for status, (schema, description) in sorted(op.responses.items()):
        entry: dict[str, Any] = {"description": description or "success"}
        if status != 204:
            media = op.response_types.get(status, "application/json")
            entry["content"] = {media: {"schema": _ref(spec, schema)}}
        out[str(status)] = entry
    if not out:
        out["200"] = {"description": "success", "content": {"application/json": {"schema": {}}}}
    errors = set()
    if secured:
        errors |= {401, 403}
    if "<" in rule:
        errors.add(404)
    if op.body or op.query or method in {"post", "put", "patch"}:
        errors |= {400, 422}
    if method in {"post", "put", "patch", "delete"} and secured:
        errors.add(409)
    if op.upload:
        errors.add(413)
    for status in sorted(errors):
        out.setdefault(str(status), _problem(_ERRORS[status]))
    return out


def _operation(spec: APISpec, rule: Any, method: str, view: Any) -> dict[str, Any]:
    op = operation(view)
    secured = rule.rule not in PUBLIC
    out: dict[str, Any] = {
        "summary": (view.__doc__ or "").strip().split("\n")[0],
        "operationId": f"{rule.endpoint}.{method}",
        "parameters": [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": _PATH_TYPES.get(conv, {"type": "string", "maxLength": 128}),
            }
            for conv, name in _PARAM.findall(rule.rule)
        ],
        "responses": _responses(spec, op, method, rule.rule, secured),
    }
    if op.query is not None:
        out["parameters"].append({"in": "query", "schema": op.query})
    groups = getattr(view, "allowed_groups", None)
    if groups:
        out["x-allowed-groups"] = list(groups)
    if secured:
        out["security"] = [{"bearer": []}]
    if op.body is not None:
        out["requestBody"] = {
            "required": True,
            "description": op.body_description,
            "content": {"application/json": {"schema": _ref(spec, op.body)}},
        }
    elif op.upload is not None:
        out["requestBody"] = {"required": True, "content": {op.upload_type: {"schema": op.upload}}}
    return out


def build_spec() -> dict:
    """Assemble the document from the registered routes and their declarations."""
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
    spec.components.schema("Problem", PROBLEM)
    paths: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        view = current_app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(_path(rule.rule), {})[method.lower()] = _operation(
                spec, rule, method.lower(), view
            )
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/openapi.json")
@responds(200, {"type": "object"}, "the OpenAPI 3.0 document")
def openapi_document():
    """The OpenAPI document of the whole API."""
    return jsonify(build_spec())
