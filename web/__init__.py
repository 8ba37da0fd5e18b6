"""Flask host of creditflow: the composition root (create_app)."""

from __future__ import annotations

import logging

from flask import Flask

from web.config import Config


def create_app(config: Config | None = None) -> Flask:
    """Build the app: database, engine runtime, credit services, API and UI."""
    from web.clock import build_clock
    from web.errors import register_error_handlers
    from web.extensions import db
    from web.runtime import build_runtime

    cfg = config or Config.from_env()
    from web.hardening import harden, require_secret_key

    require_secret_key(cfg)
    from web.jsonio import CreditflowJSONProvider, set_zone

    set_zone(cfg.timezone)
    Flask.json_provider_class = CreditflowJSONProvider
    app = Flask(__name__, instance_relative_config=False)
    from forms.fields import configure_currencies
    from web.converters import install_converters

    install_converters(app)
    configure_currencies(cfg.fx_rates)
    from web.scheduling import JOB_LOCK

    JOB_LOCK.configure(cfg.job_lock_path)
    app.config.update(
        SECRET_KEY=cfg.secret_key,
        SQLALCHEMY_DATABASE_URI=cfg.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(cfg.database_url),
        MAX_CONTENT_LENGTH=cfg.max_upload_bytes,
        TESTING=cfg.testing,
        JSON_SORT_KEYS=False,
        CREDITFLOW=cfg,
    )
    db.init_app(app)
    harden(app, cfg)
    with app.app_context():
        from engine.db import install_sqlite_tuning

        install_sqlite_tuning(db.engine)
    clock = build_clock(cfg)
    app.extensions["creditflow.clock"] = clock
    app.extensions["creditflow.runtime"] = build_runtime(cfg, clock)
    register_error_handlers(app, db.session.rollback, db.session.commit)
    from web.sweeps import install_sweeps

    install_sweeps(app)

    from web.api import bp as api_bp

    app.register_blueprint(api_bp)
    # --- UI (issue 5): CSRF, Babel, the ui blueprint and "/" ---
    from web.ui import init_ui

    init_ui(app)
    # --- end UI ---
    from web.monitoring import install_monitoring
    from web.retention import SWEEP, retention_sweep
    from web.scheduling import add_sweep

    install_monitoring(app)
    add_sweep(app, SWEEP, retention_sweep)
    from web.cli import register_commands

    register_commands(app)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # SpiffWorkflow logs every task state change at INFO: too costly and too noisy for a host.
    logging.getLogger("spiff").setLevel(logging.WARNING)
    # APScheduler logs each run of the 2-second jobs at INFO; keep its warnings and errors only.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return app


def _engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 15, "check_same_thread": False}}
    # Short OLTP statements: a parallel plan's worker start costs more than it saves (the task
    # list's pages are index walks that stop at 50 rows).
    return {
        "pool_pre_ping": True,
        "pool_size": 10,
        "max_overflow": 20,
        "connect_args": {"options": "-c max_parallel_workers_per_gather=0"},
    }
