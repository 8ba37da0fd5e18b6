"""Signing in: throttled per (user, address) and per address, counted in the database.

Counts live in `sign_in_failure`, so every host of an installation shares them, and nobody can
lock a user out from another address: the per-(user, address) limit only slows the address that
fails, and the per-address limit bounds password spraying across user names.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

import sqlalchemy as sa
from flask import current_app, request, session
from werkzeug.exceptions import TooManyRequests

from engine.clock import to_db
from engine.models import SignInFailure, User, UserSession
from web.auth import authenticate
from web.extensions import db

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def client_address() -> str:
    """The client's address (ProxyFix rewrites it when trusted proxies are configured)."""
    return (request.remote_addr or "unknown")[:64]


def _limits() -> tuple[int, int, dt.timedelta]:
    cfg = current_app.config["CREDITFLOW"]
    return cfg.login_limit_user, cfg.login_limit_address, dt.timedelta(seconds=cfg.login_window)


def _check_throttle(username: str, address: str, now: dt.datetime) -> None:
    per_user, per_address, window = _limits()
    since = to_db(now - window)
    db.session.execute(sa.delete(SignInFailure).where(SignInFailure.at < since))
    recent = sa.select(sa.func.count()).where(
        SignInFailure.address == address, SignInFailure.at >= since
    )
    if db.session.scalar(recent.where(SignInFailure.username == username)) >= per_user:
        _refuse(window, "this user name from this address")
    if db.session.scalar(recent) >= per_address:
        _refuse(window, "this address")


def _refuse(window: dt.timedelta, who: str) -> None:
    db.session.commit()
    seconds = int(window.total_seconds())
    raise TooManyRequests(
        f"too many failed sign-ins for {who}; try again in {seconds} s", retry_after=seconds
    )


def sign_in(username: str, password: str) -> User | None:
    """Check credentials under the throttle; a failure is recorded (and committed)."""
    from web.runtime_access import runtime

    now = runtime().clock.now()
    # No user name has control characters; the database (PostgreSQL) refuses NUL in text.
    printable = _CONTROL.sub("?", username)
    name, address = printable.strip().lower()[:64], client_address()
    _check_throttle(name, address, now)
    user = authenticate(printable if printable == username else "", password)
    if user is None:
        db.session.add(SignInFailure(username=name, address=address, at=to_db(now)))
        db.session.commit()
        return None
    db.session.execute(
        sa.delete(SignInFailure).where(
            SignInFailure.username == name, SignInFailure.address == address
        )
    )
    return user


def start_session(user: User) -> None:
    """Begin a browser session (a server-side row the cookie points at)."""
    from web.runtime_access import runtime

    session.clear()
    sid = secrets.token_urlsafe(32)
    db.session.add(UserSession(id=sid, user_id=user.id, created_at=to_db(runtime().clock.now())))
    session["sid"], session["uid"], session["tv"] = sid, user.id, user.token_version


def end_session() -> None:
    """Sign out: delete the session row, so a copy of the cookie no longer works."""
    sid = session.get("sid")
    if sid:
        db.session.execute(sa.delete(UserSession).where(UserSession.id == sid))
    session.clear()
