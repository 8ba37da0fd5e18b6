"""The OpenAPI document tells the truth: each route's documented body is the schema it validates."""

from __future__ import annotations

import pytest

from web.api.request import operation

WRITES = {"POST", "PUT", "PATCH"}


def _api_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            yield rule, app.view_functions[rule.endpoint]


def test_every_write_route_declares_its_request_body(app):
    missing = [
        f"{sorted(rule.methods & WRITES)} {rule.rule}"
        for rule, view in _api_routes(app)
        if rule.methods & WRITES
        and not (operation(view).body or operation(view).no_body or operation(view).upload)
    ]
    assert not missing, f"declare @body(Schema), @upload(...) or @no_body on: {missing}"


def test_every_route_declares_its_success_responses(app):
    missing = [rule.rule for rule, view in _api_routes(app) if not operation(view).responses]
    assert not missing, f"declare @responds(status, Schema) on: {missing}"


def test_documented_request_bodies_equal_the_schemas_the_routes_validate_with(client, app):
    doc = client.get("/api/v1/openapi.json").get_json()
    components = doc["components"]["schemas"]
    checked = 0
    for rule, view in _api_routes(app):
        declared = operation(view).body
        path = rule.rule.replace("<int:", "{").replace("<task:", "{").replace("<", "{")
        path = path.replace(">", "}")
        for method in rule.methods & WRITES:
            documented = doc["paths"][path][method.lower()].get("requestBody")
            if declared is None:
                assert documented is None or operation(view).upload, (method, path)
                continue
            ref = documented["content"]["application/json"]["schema"]["$ref"]
            schema = components[ref.rsplit("/", 1)[1]]
            fields = {f.data_key or name: f for name, f in declared().load_fields.items()}
            assert set(schema["properties"]) == set(fields), (method, path)
            required = {name for name, f in fields.items() if f.required}
            assert set(schema.get("required", [])) == required, (method, path)
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize(
    ("path", "method", "statuses"),
    [
        ("/api/v1/credit-applications", "post", {"201", "400", "401", "403", "422"}),
        ("/api/v1/customers/{customer_id}", "get", {"200", "401", "403", "404"}),
        ("/api/v1/auth/token", "post", {"200", "400", "422"}),
        ("/api/v1/tasks/{task_id}/complete", "post", {"200", "401", "403", "404", "409", "422"}),
    ],
)
def test_operations_document_their_real_status_codes(client, path, method, statuses):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert statuses <= set(doc["paths"][path][method]["responses"])


def test_money_is_documented_as_a_bounded_decimal_string(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    limit = doc["components"]["schemas"]["ApplicationRequest"]["properties"]["requested_limit"]
    assert limit["type"] == "string" and limit["x-maximum"] == "9999999999999.99"
