"""The `creditflow` command: init, demo, serve, worker, audit verify, bench."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import FlaskGroup


def _create_app() -> Flask:
    from web import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False)
def cli() -> None:
    """creditflow: customer credit management on BPMN."""


def register_commands(app: Flask) -> None:
    """Attach the commands to the app's CLI (for `flask --app web` too)."""
    for command in (init_cmd, demo_cmd, serve_cmd, audit_cmd):
        app.cli.add_command(command)


@click.command("init")
def init_cmd() -> None:
    """Create or migrate the database and deploy the shipped process models."""
    from web.setup import init_installation

    for line in init_installation():
        click.echo(line)


@click.command("demo")
def demo_cmd() -> None:
    """Load demo users, groups and customers (idempotent)."""
    from web.demo import load_demo

    for line in load_demo():
        click.echo(line)


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--no-scheduler", is_flag=True, help="web and API only (a host among several)")
def serve_cmd(host: str, port: int, no_scheduler: bool) -> None:
    """Serve web, API and (unless --no-scheduler) the scheduler."""
    from flask import current_app
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()
    if not no_scheduler:
        from web.scheduling import start_scheduler

        start_scheduler(app)
    click.echo(f"creditflow serving on http://{host}:{port}")
    run_simple(host, port, app, threaded=True, use_reloader=False)


@click.group("audit")
def audit_cmd() -> None:
    """Audit trail commands."""


@audit_cmd.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain; exit 1 at the first broken link."""
    from engine.audit import verify
    from web.extensions import db

    result = verify(db.session)
    click.echo(f"events: {result.events}  ok: {result.ok}  first_bad_seq: {result.first_bad_seq}")
    sys.exit(0 if result.ok else 1)


cli.add_command(init_cmd)
cli.add_command(demo_cmd)
cli.add_command(serve_cmd)
cli.add_command(audit_cmd)


def main() -> None:
    """Entry point of the console script."""
    cli(prog_name="creditflow")
