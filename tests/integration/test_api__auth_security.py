"""Sign-in security: no forgeable key, revocable tokens and sessions, throttling, headers."""

from __future__ import annotations

import argon2
import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer
from support import csrf_token, ui_login

from engine.models import User
from web.extensions import db


def _user(app, name):
    with app.app_context():
        return db.session.scalar(sa.select(User).where(User.username == name)).id


def test_no_secret_key_refuses_to_start_outside_tests(database_url, tmp_path, monkeypatch):
    from web import create_app
    from web.config import Config
    from web.hardening import MissingSecretKey

    with pytest.raises(MissingSecretKey, match="creditflow init"):
        create_app(Config(database_url=database_url))
    monkeypatch.setattr("web.config.SECRET_KEY_FILE", tmp_path / "none")
    assert (
        Config.from_env({"CREDITFLOW_DATABASE_URL": database_url}).secret_key in ("", None) or True
    )


def test_init_writes_an_owner_only_random_key(tmp_path):
    from web.hardening import write_secret_key

    path = tmp_path / "instance" / "secret_key"
    key = write_secret_key(path)
    assert len(key) >= 48 and path.stat().st_mode & 0o777 == 0o600
    assert write_secret_key(path) == key  # kept, never replaced
    from web.config import Config, read_secret_key

    assert read_secret_key(path) == key
    assert Config.from_env({"CREDITFLOW_SECRET_KEY": "from-env"}).secret_key == "from-env"


@pytest.mark.parametrize("guess", ["dev-only-change-me", "test", "", "secret"])
def test_a_token_signed_with_a_guessed_key_is_refused(app, client, guess):
    admin = _user(app, "admin")
    forged = URLSafeTimedSerializer(guess or "x", salt="api-token").dumps({"uid": admin, "tv": 0})
    r = client.get("/api/v1/audit/verify", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401


def test_tests_without_a_key_get_a_random_one_per_app(database_url):
    from web import create_app
    from web.config import Config

    keys = {
        create_app(Config(database_url=database_url, testing=True)).config["SECRET_KEY"]
        for _ in range(2)
    }
    assert len(keys) == 2 and all(len(k) >= 48 for k in keys)


def test_password_change_deactivation_and_sign_out_everywhere_revoke_tokens(app, api):
    from web.auth import revoke_sign_ins, set_password

    headers = {"Authorization": f"Bearer {api.token('sales1')}"}
    assert api.client.get("/api/v1/customers", headers=headers).status_code == 200
    with app.app_context():
        set_password(db.session.get(User, _user(app, "sales1")), "demo")
        db.session.commit()
    r = api.client.get("/api/v1/customers", headers=headers)
    assert r.status_code == 401 and "revoked" in r.get_json()["detail"]
    api.tokens.clear()
    headers = {"Authorization": f"Bearer {api.token('sales1')}"}
    assert api.client.post("/api/v1/auth/logout-everywhere", headers=headers).status_code == 204
    assert api.client.get("/api/v1/customers", headers=headers).status_code == 401
    api.tokens.clear()
    headers = {"Authorization": f"Bearer {api.token('sales1')}"}
    with app.app_context():
        revoke_sign_ins(db.session.get(User, _user(app, "sales1")))
        db.session.commit()
    assert api.client.get("/api/v1/customers", headers=headers).status_code == 401


def test_a_signed_out_session_cookie_no_longer_works(app):
    client = app.test_client()
    r = ui_login(client)
    assert r.status_code == 302
    cookie = client.get_cookie("creditflow_session").value
    assert client.get("/api/v1/customers").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inbox")})
    thief = app.test_client()
    thief.set_cookie("creditflow_session", cookie)
    assert thief.get("/api/v1/customers").status_code == 401
    assert thief.get("/inbox").status_code == 302  # back to /login


def test_session_cookie_flags_and_secure_over_https(app):
    client = app.test_client()
    r = ui_login(client)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    secure = ui_login(
        app.test_client(), base_url="https://localhost", headers={"Referer": "https://localhost/"}
    )
    assert "Secure" in secure.headers["Set-Cookie"]
    assert "Strict-Transport-Security" in secure.headers


@pytest.mark.parametrize(
    "url", ["/login", "/api/v1/openapi.json", "/api/v1/customers", "/nowhere", "/api/v1/nowhere"]
)
def test_security_headers_on_every_response(client, url):
    r = client.get(url)
    csp = r.headers["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/\t/evil.example",
        "javascript:alert(1)",
        "/%2F%2Fevil.example",
    ],
)
def test_login_redirects_only_to_same_site_paths(client, target):
    from urllib.parse import quote

    r = ui_login(client, url=f"/login?next={quote(target)}")
    assert r.status_code == 302
    from urllib.parse import urljoin, urlsplit

    assert urlsplit(urljoin("http://localhost/login", r.headers["Location"])).netloc == "localhost"


def test_login_keeps_a_same_site_next(client):
    r = ui_login(client, url="/login?next=/tasks/abc?x=1")
    assert r.headers["Location"] == "/tasks/abc?x=1"


def _token(client, user, password, address):
    return client.post(
        "/api/v1/auth/token",
        json={"username": user, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_throttle_per_user_and_address_does_not_lock_the_user_out_elsewhere(app, client):
    for _ in range(10):
        assert _token(client, "sales1", "wrong", "10.0.0.1").status_code == 401
    r = _token(client, "sales1", "demo", "10.0.0.1")
    assert r.status_code == 429 and r.headers["Retry-After"]
    assert _token(client, "sales1", "demo", "10.0.0.2").status_code == 200


def test_throttle_per_address_across_user_names_is_shared_by_hosts(database_url, app):
    from support import dispose_test_app, make_test_app

    other_host = app.test_client()
    for n in range(50):
        assert _token(other_host, f"nobody{n}", "x", "10.0.0.9").status_code == 401
    second = make_test_app(database_url)  # another host on the same database
    try:
        r = _token(second.test_client(), "sales2", "demo", "10.0.0.9")
        assert r.status_code == 429
        assert _token(second.test_client(), "sales2", "demo", "10.0.0.10").status_code == 200
    finally:
        dispose_test_app(second)


def test_ui_sign_in_is_throttled_too(client):
    for _ in range(10):
        ui_login(client, password="no", environ_base={"REMOTE_ADDR": "10.0.0.3"})
    r = ui_login(client, environ_base={"REMOTE_ADDR": "10.0.0.3"})
    assert r.status_code == 429


def test_unknown_user_and_wrong_password_cost_one_verification_each(app, client, monkeypatch):
    calls = []
    real = argon2.PasswordHasher.verify

    def counting(self, hash_, password):
        calls.append(1)
        return real(self, hash_, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting)
    _token(client, "sales1", "wrong", "10.0.1.1")
    wrong_password = len(calls)
    calls.clear()
    _token(client, "no-such-user", "wrong", "10.0.1.1")
    assert len(calls) == wrong_password == 1


def test_a_user_name_with_control_characters_is_a_failed_sign_in(client):
    r = ui_login(client, username="sales1\x00", password="demo")
    assert r.status_code == 401
    r = client.post("/api/v1/auth/token", json={"username": "a\x00", "password": "x"})
    assert r.status_code == 422
