"""Shared fixtures: app on a fresh database (SQLite, and PostgreSQL when configured), clients."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

POSTGRES_URL = os.environ.get("CREDITFLOW_TEST_POSTGRES_URL")
IN_CI = os.environ.get("CI", "").lower() == "true"


def backends() -> list[str]:
    """Database backends the integration suite runs on."""
    return ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


def pytest_collection_modifyitems(config, items):
    if IN_CI and not POSTGRES_URL:
        raise pytest.UsageError("CI=true but CREDITFLOW_TEST_POSTGRES_URL is not set")
    # A PostgreSQL-only test has no SQLite variant: deselect it rather than skip it.
    keep, dropped = [], []
    for item in items:
        param = getattr(getattr(item, "callspec", None), "params", {}).get("database_url")
        if item.get_closest_marker("postgres") and param == "sqlite":
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def pytest_sessionfinish(session, exitstatus):
    """Under CI=true a skipped test (PostgreSQL, browser) fails the run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if IN_CI and skipped and exitstatus == 0:
        session.exitstatus = 1
        if reporter:
            reporter.write_line(f"CI=true: {skipped} skipped test(s) count as failures", red=True)


def _postgres_database() -> str:
    """Create an empty database for one test and return its URL."""
    name = f"cf_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + name, name


def _drop_postgres(name: str) -> None:
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=backends())
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'creditflow.db'}"
        return
    url, name = _postgres_database()
    yield url
    _drop_postgres(name)


@pytest.fixture
def app(database_url):
    from web import create_app
    from web.config import Config
    from web.demo import seed_users
    from web.extensions import db
    from web.setup import deploy_shipped

    cfg = Config(
        database_url=database_url, secret_key="test", test_clock=True, testing=True, scheduler=False
    )
    app = create_app(cfg)
    with app.app_context():
        db.create_all()
        deploy_shipped()
        seed_users()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


class Api:
    """A tiny API client that signs in as demo users."""

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


@pytest.fixture
def api(client):
    return Api(client)
