"""Installation set-up: migrate the database and deploy the shipped models."""

from __future__ import annotations

from collections.abc import Iterator

from alembic import command
from alembic.config import Config as AlembicConfig
from flask import current_app

from bpmn.catalog import BUNDLES, bundle_files
from forms import shipped_forms
from web.config import ROOT
from web.extensions import db


def alembic_config() -> AlembicConfig:
    """Alembic configuration pointing at migrations/ and the app's database."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", current_app.config["SQLALCHEMY_DATABASE_URI"])
    return cfg


def migrate() -> None:
    """Bring the schema to the newest migration."""
    command.upgrade(alembic_config(), "head")


def deploy_shipped(user: str = "system") -> list[str]:
    """Deploy every shipped bundle; an unchanged bundle keeps its version."""
    rt = current_app.extensions["creditflow.runtime"]
    lines = []
    for key in BUNDLES:
        files = {**bundle_files(key), **shipped_forms()}
        row, created = rt.registry.deploy(db.session, files, user, rt.clock.now())
        lines.append(f"{'deployed' if created else 'unchanged'} {row.process_key} v{row.version}")
    db.session.commit()
    return lines


def init_installation() -> Iterator[str]:
    """Migrate and deploy, reporting progress."""
    yield "migrating database…"
    migrate()
    yield "deploying shipped process models…"
    yield from deploy_shipped()
    yield "ready"
