"""Shared fixtures: app on a fresh database (SQLite, and PostgreSQL when configured), clients."""

from __future__ import annotations

import os

import pytest
from support import Api, dispose_test_app, drop_postgres, make_test_app, postgres_database

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


def _postgres_database() -> tuple[str, str]:
    return postgres_database(POSTGRES_URL)


def _drop_postgres(name: str) -> None:
    drop_postgres(POSTGRES_URL, name)


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
    app = make_test_app(database_url)
    yield app
    dispose_test_app(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api(client):
    return Api(client)
