"""CSRF: session-cookie state changes need the token; bearer-token API calls do not."""

from __future__ import annotations

import re


def _login(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    form = {"username": "designer1", "password": "demo", "csrf_token": token}
    r = client.post("/login", data=form)
    assert r.status_code == 302
    page = client.get("/dashboard").get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_login_form_without_token_is_refused(client):
    r = client.post("/login", data={"username": "sales1", "password": "demo"})
    assert r.status_code == 400


def test_session_api_call_needs_the_csrf_header(client):
    token = _login(client)
    body = {"process_key": "credit_application", "data": {}}
    assert client.post("/api/v1/process-instances", json=body).status_code == 400
    r = client.post("/api/v1/process-instances", json=body, headers={"X-CSRFToken": token})
    assert r.status_code != 400


def test_bearer_api_calls_are_exempt(api):
    r = api.post(
        "designer1", "/api/v1/process-instances", json={"process_key": "no_such_model", "data": {}}
    )
    assert r.status_code != 400 or "CSRF" not in r.get_data(as_text=True)


def test_pages_redirect_to_login_and_root_redirects(client):
    assert client.get("/inbox").headers["Location"].startswith("/login?next=/inbox")
    assert client.get("/").headers["Location"] == "/login"
    token = _login(client)
    assert token
    assert client.get("/").headers["Location"] == "/dashboard"
    assert client.get("/audit").status_code == 403
    assert client.get("/designer/credit_application").status_code == 200
