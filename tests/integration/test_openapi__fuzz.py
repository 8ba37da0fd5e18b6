"""schemathesis over the whole OpenAPI document: generated requests never get a server error.

A short, derandomized run (a few examples per operation) against the app in-process, on
PostgreSQL when configured (stricter about text than SQLite), signed in as a user of each
operation's allowed groups so the requests reach validation and the services behind it.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from support import drop_postgres, postgres_database

# A demo user per group, so each operation is called by someone its role table allows.
USER_OF = {
    "sales": "sales1",
    "credit_analyst": "analyst1",
    "credit_manager": "manager1",
    "finance_director": "director1",
    "general_manager": "gm1",
    "collector": "collector1",
    "legal": "legal1",
    "process_designer": "designer1",
    "auditor": "auditor1",
    "admin": "admin",
    "integration": "erp1",
}


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    from support import dispose_test_app, make_test_app

    base = os.environ.get("CREDITFLOW_TEST_POSTGRES_URL")
    if base:
        url, name = postgres_database(base)
    else:
        url, name = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}", None
    app = make_test_app(url)
    yield app
    dispose_test_app(app)
    if name:
        drop_postgres(base, name)


@pytest.fixture(scope="module")
def fuzz_schema(fuzz_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)


schema = schemathesis.pytest.from_fixture("fuzz_schema")


def _token(app, groups) -> str:
    import sqlalchemy as sa

    from engine.models import User
    from web.auth import issue_token
    from web.extensions import db

    name = next((USER_OF[g] for g in groups or () if g in USER_OF), "admin")
    with app.app_context():
        return issue_token(db.session.scalar(sa.select(User).where(User.username == name)))


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("CREDITFLOW_FUZZ_EXAMPLES", "15")),
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_generated_requests_never_get_a_server_error(case, fuzz_app):
    groups = case.operation.definition.raw.get("x-allowed-groups")
    headers = {"Authorization": f"Bearer {_token(fuzz_app, groups)}"}
    response = case.call(headers=headers)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} → {response.status_code}: {response.text[:400]}"
    )
