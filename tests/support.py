"""Test support shared by every suite: an app on a fresh database, and a signed-in API client."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


def make_test_app(database_url: str, secret_key: str = "", **settings: Any):
    """Build the app with the test clock, create the schema, deploy models, seed demo users."""
    from engine.calendar import seed_calendar
    from web import create_app
    from web.config import Config
    from web.demo import seed_users
    from web.extensions import db
    from web.setup import deploy_shipped

    cfg = Config(
        database_url=database_url,
        secret_key=secret_key,
        test_clock=True,
        testing=True,
        scheduler=False,
        **settings,
    )
    app = create_app(cfg)
    with app.app_context():
        db.create_all()
        deploy_shipped()
        seed_users()
        seed_calendar(db.session)  # as `creditflow init` does
        db.session.commit()
    return app


def dispose_test_app(app) -> None:
    """Close the app's sessions and connections."""
    from web.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class Api:
    """A tiny API client that signs in as demo users (password demo) with bearer tokens."""

    def __init__(self, client):
        self.client = client
        self.tokens: dict[str, str] = {}

    def token(self, user: str) -> str:
        if user not in self.tokens:
            r = self.client.post("/api/v1/auth/token", json={"username": user, "password": "demo"})
            assert r.status_code == 200, r.get_json()
            self.tokens[user] = r.get_json()["token"]
        return self.tokens[user]

    def _headers(self, user):
        return {"Authorization": f"Bearer {self.token(user)}"} if user else {}

    def get(self, user, url, **kw):
        return self.client.get(url, headers=self._headers(user), **kw)

    def post(self, user, url, json=None, **kw):
        return self.client.post(url, json=json, headers=self._headers(user), **kw)

    def put(self, user, url, json=None, **kw):
        return self.client.put(url, json=json, headers=self._headers(user), **kw)

    def patch(self, user, url, json=None, **kw):
        return self.client.patch(url, json=json, headers=self._headers(user), **kw)

    def delete(self, user, url, **kw):
        return self.client.delete(url, headers=self._headers(user), **kw)


def csrf_token(client, page: str = "/login", **kw) -> str:
    """The CSRF token a page's forms carry (the session cookie stays in the client)."""
    import re

    text = client.get(page, **kw).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)


def ui_login(client, username: str = "sales1", password: str = "demo", url: str = "/login", **kw):
    """Sign in through the login form (with its CSRF token); return the response."""
    token = csrf_token(client, "/login", **{k: v for k, v in kw.items() if k == "base_url"})
    data = {"username": username, "password": password, "csrf_token": token}
    return client.post(url, data=data, **kw)


@contextlib.contextmanager
def statements(app, test_clock: bool = True) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block, whitespace collapsed.

    With ``test_clock`` the test clock's reads of its row are left out (a real clock is not
    in the database).
    """
    import sqlalchemy as sa

    from web.extensions import db

    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        if not (test_clock and "FROM setting" in statement):
            seen.append(" ".join(statement.split()))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


def postgres_database(base_url: str, prefix: str = "cf_test") -> tuple[str, str]:
    """Create an empty PostgreSQL database next to base_url; return (its URL, its name)."""
    import uuid

    import sqlalchemy as sa

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base_url.rsplit("/", 1)[0] + "/" + name, name


def drop_postgres(base_url: str, name: str) -> None:
    """Drop a database made by postgres_database."""
    import sqlalchemy as sa

    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
