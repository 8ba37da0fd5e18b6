"""`creditflow doctor`: check an installation and say what is wrong and how to fix it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask

from web.config import Config
from web.extensions import db

HEARTBEAT_MAX_AGE = 60.0  # seconds: workers beat every ≤ 2 s, a lease expires within 60 s


@dataclass(frozen=True)
class Check:
    """One finding: what was checked, whether it is fine, what was seen, how to fix it."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def _database(app: Flask) -> Check:
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    shown = url.render_as_string(hide_password=True)
    try:
        db.session.execute(sa.select(1))
    except Exception as exc:  # any driver error: the point is to report it
        db.session.rollback()
        return Check(
            "database",
            False,
            f"{shown} is not reachable: {str(exc).splitlines()[0]}",
            "check CREDITFLOW_DATABASE_URL and that the database server is running",
        )
    return Check("database", True, f"{shown} is reachable")


def _migrations(app: Flask) -> Check:
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from web.setup import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    current = MigrationContext.configure(db.session.connection()).get_current_revision()
    if current == head:
        return Check("migrations", True, f"schema at revision {head} (the newest)")
    return Check(
        "migrations",
        False,
        f"schema at revision {current or 'none'}, this version of creditflow needs {head}",
        "run `creditflow init` (it migrates and keeps the data)",
    )


def _workers(app: Flask) -> Check:
    from engine.heartbeat import last_heartbeat

    row, age = last_heartbeat(db.session)
    fix = "start `creditflow worker` (or `creditflow serve` without --no-scheduler)"
    if row is None:
        return Check("workers", False, "no scheduler has ever reported a heartbeat", fix)
    if age > HEARTBEAT_MAX_AGE:
        return Check(
            "workers",
            False,
            f"the last heartbeat ({row.kind} {row.owner}) is {age:.0f} s old: timers, sweeps "
            "and notifications are not running",
            fix,
        )
    return Check("workers", True, f"{row.kind} {row.owner} reported {age:.0f} s ago")


def _outbox(app: Flask) -> Check:
    from notifications.health import outbox_health

    health = outbox_health(db.session, _runtime(app).clock.now())
    if health.overdue or health.failed:
        return Check(
            "outbox",
            False,
            f"{health.overdue} notification(s) overdue for delivery, {health.failed} failed",
            "overdue: check that a worker runs; failed: check the SMTP / webhook settings, then "
            "retry them (POST /api/v1/admin/outbox/{id}/retry)",
        )
    return Check("outbox", True, "no overdue or failed notifications")


def _incidents(app: Flask) -> Check:
    from engine.incidents import count_incidents

    count = count_incidents(db.session)
    if count:
        return Check(
            "incidents",
            False,
            f"{count} process instance(s) stopped with an error",
            "work them on the Incidents page (/incidents) or GET /api/v1/incidents: correct "
            "the data, retry, migrate or cancel",
        )
    return Check("incidents", True, "no process instance is in error")


def _calendar(app: Flask) -> Check:
    from engine.calendar import coverage

    found = coverage(db.session, _runtime(app).clock.today())
    if found.warning:
        return Check(
            "calendar",
            False,
            found.warning,
            "see the operator guide, 'Business calendar: adding next year'",
        )
    return Check("calendar", True, f"statutory holidays known up to {found.last_year}")


def _secret_key(app: Flask) -> Check:
    cfg: Config = app.config["CREDITFLOW"]
    if cfg.secret_key == Config.secret_key or len(cfg.secret_key or "") < 32:
        return Check(
            "secret key",
            False,
            "the secret key is the development default or shorter than 32 characters: "
            "sessions and API tokens can be forged",
            "set CREDITFLOW_SECRET_KEY to a long random value (python -c "
            "'import secrets; print(secrets.token_urlsafe(48))') and restart",
        )
    return Check("secret key", True, "a non-default secret key is configured")


def _runtime(app: Flask):
    return app.extensions["creditflow.runtime"]


NEEDS_DATABASE: tuple[Callable[[Flask], Check], ...] = (
    _migrations,
    _workers,
    _outbox,
    _incidents,
    _calendar,
)


def run_checks(app: Flask) -> Iterator[Check]:
    """Every check, in order; those that need the database are skipped when it is down."""
    logging.getLogger("alembic").setLevel(logging.WARNING)  # keep the report readable
    database = _database(app)
    yield database
    for check in NEEDS_DATABASE:
        name = check.__name__.strip("_")
        if not database.ok:
            yield Check(name, False, "not checked: the database is not reachable")
            continue
        try:
            yield check(app)
        except Exception as exc:  # a broken installation must still get a report
            db.session.rollback()
            yield Check(name, False, f"the check itself failed: {str(exc).splitlines()[0]}")
    yield _secret_key(app)
