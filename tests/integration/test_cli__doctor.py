"""`creditflow doctor` says what is wrong with an installation, how to fix it, and exits 1."""

from __future__ import annotations

import datetime as dt

import pytest
from sample_models import END, START, T0, process, script

from web.extensions import db

GOOD_KEY = "k" * 48


@pytest.fixture
def healthy(database_url):
    """An installation as `creditflow init` leaves it, a worker beating, the clock at T0."""
    from engine.calendar import seed_calendar
    from web import create_app
    from web.clock import write_test_clock
    from web.config import Config
    from web.scheduling import heartbeat
    from web.setup import deploy_shipped, migrate

    app = create_app(
        Config(database_url=database_url, secret_key=GOOD_KEY, test_clock=True, testing=True)
    )
    with app.app_context():
        migrate()
        deploy_shipped()
        seed_calendar(db.session)
        write_test_clock(T0)
        db.session.commit()
    heartbeat(app, "host-1:42:abc", "worker")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def doctor(app) -> tuple[int, dict[str, str], str]:
    result = app.test_cli_runner().invoke(args=["doctor"])
    lines = {}
    for line in result.output.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[0] in ("ok", "FAIL"):
            lines[parts[1] if parts[1] != "secret" else "secret key"] = line
    return result.exit_code, lines, result.output


def test_a_healthy_installation_passes_every_check(healthy):
    code, lines, output = doctor(healthy)
    assert code == 0, output
    assert set(lines) == {
        "database",
        "migrations",
        "workers",
        "outbox",
        "incidents",
        "calendar",
        "secret key",
    }
    assert all(line.startswith("ok") for line in lines.values()), output
    assert "everything looks fine" in output


def test_an_incident_and_a_stuck_outbox_are_reported_with_their_fix(healthy):
    from engine.actor import Actor
    from engine.instances import start_instance
    from notifications.models import Notification

    with healthy.app_context():
        rt = healthy.extensions["creditflow.runtime"]
        files = {"boom.bpmn": process("boom", [START, script("fail", "x = 1 / 0"), END])}
        rt.registry.deploy(db.session, files, "designer1", T0)
        start_instance(rt, db.session, "boom", Actor("designer1"))
        db.session.add(
            Notification(
                idempotency_key="stuck-1",
                channel="email",
                recipient="sales1",
                template="t",
                payload={},
                status="pending",
                next_attempt_at=(T0 - dt.timedelta(hours=1)).replace(tzinfo=None),
                created_at=(T0 - dt.timedelta(hours=1)).replace(tzinfo=None),
            )
        )
        db.session.commit()
    code, lines, output = doctor(healthy)
    assert code == 1
    assert lines["incidents"].startswith("FAIL") and "1 process instance" in lines["incidents"]
    assert lines["outbox"].startswith("FAIL") and "1 notification(s) overdue" in lines["outbox"]
    assert "fix: work them on the Incidents page" in output
    assert "2 problem(s) found" in output


def test_a_calendar_about_to_run_out_is_reported(healthy):
    from engine.calendar import statutory_years
    from web.clock import write_test_clock

    with healthy.app_context():
        write_test_clock(dt.datetime(statutory_years()[-1], 12, 1, tzinfo=dt.UTC))
        db.session.commit()
    code, lines, output = doctor(healthy)
    assert code == 1 and lines["calendar"].startswith("FAIL")
    assert "Business calendar" in output  # points at the operator guide


def test_a_fresh_test_database_lacks_migrations_workers_and_a_real_key(database_url):
    from support import dispose_test_app, make_test_app

    app = make_test_app(database_url, secret_key="test")  # test apps otherwise get a random key
    try:
        code, lines, output = doctor(app)
    finally:
        dispose_test_app(app)
    assert code == 1
    for name in ("migrations", "workers", "secret key"):
        assert lines[name].startswith("FAIL"), output
    assert "run `creditflow init`" in output
    assert "start `creditflow worker`" in output
    assert "CREDITFLOW_SECRET_KEY" in output


def test_an_unreachable_database_is_reported_and_nothing_else_is_pretended(tmp_path):
    from web import create_app
    from web.config import Config

    url = f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}"
    app = create_app(Config(database_url=url, secret_key=GOOD_KEY, testing=True))
    code, lines, output = doctor(app)
    assert code == 1
    assert lines["database"].startswith("FAIL") and "not reachable" in lines["database"]
    assert "not checked" in lines["workers"]
    assert lines["secret key"].startswith("ok")
