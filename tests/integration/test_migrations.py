"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import credit.models  # noqa: F401
import engine.models  # noqa: F401
import notifications.models  # noqa: F401
from engine.db import Base


def test_upgrade_head_matches_the_models(database_url):
    from web import create_app
    from web.config import Config
    from web.setup import migrate

    app = create_app(Config(database_url=database_url, secret_key="t", testing=True))
    with app.app_context():
        migrate()
    engine = sa.create_engine(database_url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []
