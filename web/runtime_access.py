"""Access to the app's engine runtime and the current actor, for routes and commands."""

from __future__ import annotations

from flask import current_app

from engine.instances import Actor
from engine.runtime import Runtime
from web.auth import current_principal


def runtime() -> Runtime:
    """The engine runtime of the current app."""
    return current_app.extensions["creditflow.runtime"]


def actor() -> Actor:
    """The signed-in user as an engine actor."""
    user = current_principal()
    return Actor(user.username, user.group_names)
