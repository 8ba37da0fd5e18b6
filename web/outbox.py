"""The host's side of notifications: channel settings from Config and the dispatch job."""

from __future__ import annotations

from flask import Flask

from notifications.channels import ChannelSettings
from notifications.dispatch import dispatch_pending_with
from web.config import Config


def channel_settings(cfg: Config) -> ChannelSettings:
    """The channel settings of an installation."""
    return ChannelSettings.from_object(cfg)


def dispatch_pending(app: Flask) -> int:
    """Deliver the due outbox rows at the app clock's time; return how many were delivered."""
    from web.extensions import db

    with app.app_context():
        now = app.extensions["creditflow.clock"].now()
        return dispatch_pending_with(db.session, now, channel_settings(app.config["CREDITFLOW"]))
